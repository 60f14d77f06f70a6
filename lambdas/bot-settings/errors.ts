import { FinalError } from '#lambdas/shared/domain-error';
import type { SettingsProblem } from '#lambdas/agent/flows/business-flows-schema';

/** A save made from a version that is no longer the current one. */
export class BotSettingsConflictError extends FinalError {
  override name = 'BotSettingsConflictError';
  constructor(
    readonly businessId: string,
    readonly expectedVersion: number,
  ) {
    super(`The bot settings of ${businessId} are no longer at version ${expectedVersion}`);
  }
}

/**
 * A stored item that does not pass today's schema (written before a schema change, or by hand).
 * Final: reading it again cannot help; the problems name paths only, never the texts.
 */
export class StoredBotSettingsInvalidError extends FinalError {
  override name = 'StoredBotSettingsInvalidError';
  constructor(
    readonly businessId: string,
    readonly version: number | undefined,
    readonly problems: SettingsProblem[],
  ) {
    super(`The stored bot settings of ${businessId} (version ${version ?? '?'}) are invalid at ${problems.map((p) => p.path).join(', ')}`);
  }
}
