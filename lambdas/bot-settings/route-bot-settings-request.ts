import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { botSettingsHistory, getBotSettings, putBotSettings, type BotSettingsAdminDeps } from '#lambdas/bot-settings/bot-settings-admin';
import { isBusinessId, MAX_BOT_SETTINGS_VERSION, StoredBotSettingsInvalidError } from '#lambdas/bot-settings/bot-settings-store';
import { ADMIN_ROUTES } from '#lambdas/identity/admin-routes';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { requireAction, requireOwnTarget } from '#lambdas/identity/operator-permissions';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { jsonResponse } from '#lambdas/shared/http-json';
import { operatorJsonBody, parseOperatorInput } from '#lambdas/identity/operator-request-input';

const json = jsonResponse;
const BOT_SETTINGS_PATHS: ReadonlySet<string> = new Set(
  [ADMIN_ROUTES.getBotSettings, ADMIN_ROUTES.putBotSettings, ADMIN_ROUTES.botSettingsVersions].map((r) => r.path),
);

const businessId = z.string().refine(isBusinessId, 'a business id (letters, digits, . _ -; at most 100)');
/** A version in a query string: digits only, so `1e3`, `0x10` and ` 7` are refused. */
const versionText = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, 'a version number (1 or more)')
  .transform(Number)
  .refine((n) => n <= MAX_BOT_SETTINGS_VERSION, 'a version number');
const limitText = z
  .string()
  .regex(/^[1-9]\d{0,2}$/, 'a number from 1 to 100')
  .transform(Number)
  .refine((n) => n <= 100, 'a number from 1 to 100');

const getQuery = z.object({ businessId, version: versionText.optional() });
const versionsQuery = z.object({ businessId, before: versionText.optional(), limit: limitText.optional() });
const putBody = z.strictObject({
  businessId,
  settings: z.unknown().refine((v) => v !== undefined, 'the settings are required'),
  /** 0: the business has no settings yet. */
  expectedVersion: z.number().int().min(0).max(MAX_BOT_SETTINGS_VERSION).optional(),
});

/**
 * The admin API's bot settings routes for an authenticated operator: read the current settings
 * (or one version), save a new version, list the versions. Reading needs `settings.read`
 * (supervisor), saving `settings.write` (admin); both only for the caller's own business, unless
 * `platform`. A business of someone else and a business without settings both answer 404.
 */
export async function routeBotSettingsRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  deps: BotSettingsAdminDeps,
  audit: AuditContext = {},
): Promise<APIGatewayProxyStructuredResultV2> {
  const target = (businessId: string) => {
    audit.target = `bot-settings ${businessId}`;
    audit.targetBusinessId = businessId;
  };
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.length > 1 ? event.rawPath.replace(/\/$/, '') : event.rawPath;
  try {
    if (path === ADMIN_ROUTES.getBotSettings.path && method === ADMIN_ROUTES.getBotSettings.method) {
      requireAction(identity, 'settings.read');
      const query = parseOperatorInput(getQuery, event.queryStringParameters ?? {}, '(query)');
      target(query.businessId);
      requireOwnTarget(identity, query.businessId, 'business');
      const found = await getBotSettings(query.businessId, deps, query.version === undefined ? {} : { version: query.version });
      if (!found) {
        return json(404, {
          error: 'bot_settings_not_found',
          message: query.version === undefined ? 'The business has no bot settings yet' : `The business has no version ${query.version}`,
        });
      }
      return json(200, found);
    }
    if (path === ADMIN_ROUTES.putBotSettings.path && method === ADMIN_ROUTES.putBotSettings.method) {
      requireAction(identity, 'settings.write');
      const body = parseOperatorInput(putBody, operatorJsonBody(event), '(body)');
      target(body.businessId);
      requireOwnTarget(identity, body.businessId, 'business');
      const result = await putBotSettings(
        body.businessId,
        body.settings,
        { actor: identity.actor, ...(body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {}) },
        deps,
      );
      switch (result.outcome) {
        case 'saved':
          return json(200, result.saved);
        case 'invalid':
          return json(400, {
            error: 'invalid_settings',
            message: `The settings were not saved: ${result.problems.length} problem(s)`,
            problems: result.problems,
          });
        case 'conflict':
          return json(409, {
            error: 'version_conflict',
            message: `The settings are at version ${result.currentVersion}, not ${result.expectedVersion}: reload them and apply your change again`,
            expectedVersion: result.expectedVersion,
            currentVersion: result.currentVersion,
          });
      }
    }
    if (path === ADMIN_ROUTES.botSettingsVersions.path && method === ADMIN_ROUTES.botSettingsVersions.method) {
      requireAction(identity, 'settings.read');
      const query = parseOperatorInput(versionsQuery, event.queryStringParameters ?? {}, '(query)');
      target(query.businessId);
      requireOwnTarget(identity, query.businessId, 'business');
      const history = await botSettingsHistory(query.businessId, deps, {
        ...(query.before !== undefined ? { before: query.before } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      });
      return json(200, { businessId: query.businessId, ...history });
    }
    const known = BOT_SETTINGS_PATHS.has(path);
    return known ? json(405, { error: 'method_not_allowed' }) : json(404, { error: 'route_not_found' });
  } catch (err) {
    if (err instanceof OperatorRequestError) return json(err.status, { error: err.code, message: err.message });
    if (err instanceof StoredBotSettingsInvalidError) {
      // Saved under an older schema: the admin saves a corrected version on top of it.
      return json(409, {
        error: 'stored_settings_invalid',
        message: 'The stored settings no longer pass validation; save corrected settings',
        ...(err.version !== undefined ? { version: err.version } : {}),
        problems: err.problems,
      });
    }
    throw err;
  }
}
