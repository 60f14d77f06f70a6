import { parseBusinessFlows, type SettingsProblem } from '#lambdas/agent/flows/business-flows-schema';
import {
  BotSettingsConflictError,
  currentBotSettingsVersion,
  getBotSettingsVersion,
  getCurrentBotSettings,
  listBotSettingsVersions,
  MAX_SETTINGS_BYTES,
  saveBotSettings,
  type BotSettingsStoreDeps,
  type BotSettingsVersionInfo,
  type StoredBotSettings,
} from '#lambdas/bot-settings/bot-settings-store';

export type BotSettingsAdminDeps = BotSettingsStoreDeps & { now?: () => Date };

/** The business's current settings, or one version of them; `undefined` when there is none. */
export async function getBotSettings(
  businessId: string,
  deps: BotSettingsAdminDeps,
  options: { version?: number } = {},
): Promise<StoredBotSettings | undefined> {
  if (options.version !== undefined) return getBotSettingsVersion(deps, businessId, options.version);
  // Consistent: an admin who just saved reads what they saved.
  return getCurrentBotSettings(deps, businessId, { consistentRead: true });
}

export type PutBotSettingsResult =
  | { outcome: 'saved'; saved: BotSettingsVersionInfo }
  /** The settings were not saved; each problem names the field (`menu.0.title.en`). */
  | { outcome: 'invalid'; problems: SettingsProblem[] }
  /** `expectedVersion` is no longer current: someone saved meanwhile. */
  | { outcome: 'conflict'; expectedVersion: number; currentVersion: number };

/**
 * Validates settings as an admin submitted them and saves them as the business's next version.
 * Nothing is saved unless every field passes; a change made from a stale version is refused.
 */
export async function putBotSettings(
  businessId: string,
  raw: unknown,
  options: { actor: string; expectedVersion?: number },
  deps: BotSettingsAdminDeps,
): Promise<PutBotSettingsResult> {
  const parsed = parseBusinessFlows(raw);
  if (!parsed.ok) return { outcome: 'invalid', problems: parsed.problems };
  const bytes = Buffer.byteLength(JSON.stringify(parsed.settings), 'utf8');
  if (bytes > MAX_SETTINGS_BYTES) {
    return { outcome: 'invalid', problems: [{ path: '(root)', message: `the settings take ${bytes} bytes; at most ${MAX_SETTINGS_BYTES} are kept` }] };
  }
  try {
    const saved = await saveBotSettings(deps, businessId, parsed.settings, {
      actor: options.actor,
      ...(options.expectedVersion !== undefined ? { expectedVersion: options.expectedVersion } : {}),
      ...(deps.now ? { now: deps.now() } : {}),
    });
    return { outcome: 'saved', saved };
  } catch (err) {
    if (!(err instanceof BotSettingsConflictError)) throw err;
    return { outcome: 'conflict', expectedVersion: err.expectedVersion, currentVersion: await currentBotSettingsVersion(deps, businessId) };
  }
}

/** Who changed the business's settings and when, newest first. */
export async function botSettingsHistory(
  businessId: string,
  deps: BotSettingsAdminDeps,
  options: { limit?: number; before?: number } = {},
): Promise<{ versions: BotSettingsVersionInfo[]; nextBefore?: number }> {
  return listBotSettingsVersions(deps, businessId, options);
}
