import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { describeIssues, jsonResponse, readJsonBody } from '#lambdas/shared/http-json';
import {
  instagramLoginOnboardingRequestSchema,
  instagramOnboardingRequestSchema,
  ONBOARDING_ROUTES,
  progressQuerySchema,
  whatsappOnboardingRequestSchema,
  type OnboardingReport,
} from '#lambdas/onboarding/onboarding-contract';
import type { OnboardingDeps } from '#lambdas/onboarding/onboarding-deps';
import { instagramLoginProgressKey, instagramProgressKey, whatsappProgressKey } from '#lambdas/onboarding/onboarding-progress';
import { onboardInstagramAccount } from '#lambdas/onboarding/onboard-instagram-account';
import { onboardInstagramLoginAccount } from '#lambdas/onboarding/onboard-instagram-login-account';
import { OnboardingConflictError, onboardWhatsAppNumber, reportOf } from '#lambdas/onboarding/onboard-whatsapp-number';

import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import { getCurrentBotSettings, type BotSettingsStoreDeps } from '#lambdas/bot-settings/bot-settings-store';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { requireAction, requireActsFor, requireOwnTarget } from '#lambdas/identity/operator-permissions';
import { ConcurrentOnboardingError } from '#lambdas/onboarding/errors';

export type OnboardingApiDeps = OnboardingDeps & {
  accounts: AccountReader;
  /** Where the business's bot settings are read, to say in the report whether it has any. */
  botSettings: BotSettingsStoreDeps;
};

const json = jsonResponse;

class BadRequest extends Error {}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BadRequest(describeIssues(parsed.error.issues, 'body'));
  return parsed.data;
}

function bodyOf(event: APIGatewayProxyEventV2): unknown {
  const body = readJsonBody(event);
  if (!body.ok) throw new BadRequest('the body is not JSON');
  return body.value;
}

/**
 * A finished onboarding is 200; one stopped at a step is 422 with the report saying which and why.
 * The report also says whether the business has bot settings: without them its customers go
 * straight to its people, which the operator should know the moment the account goes live.
 */
async function answer(report: OnboardingReport, businessId: string, deps: OnboardingApiDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const configured = await getCurrentBotSettings(deps.botSettings, businessId).then(
    (found) => found !== undefined,
    // Stored settings that no longer validate are still the business's own.
    () => true,
  );
  const bot: OnboardingReport['bot'] = configured
    ? { configured: true }
    : {
        configured: false,
        note: 'The business has no bot settings: every conversation goes to its people (handoff reason no_bot_configured) until an admin saves them (npm run flows -- put).',
      };
  return json(report.failure ? 422 : 200, { ...report, bot });
}

/**
 * The onboarding API: start or resume a WhatsApp or Instagram onboarding, read its progress. A
 * business admin onboards into their own business only; the platform team into any. Progress is
 * shown only to the business the onboarding is for (another's is answered as not found).
 */
export async function routeOnboardingRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  audit: AuditContext,
  deps: OnboardingApiDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const route = `${event.requestContext.http.method} ${event.rawPath}`;
  try {
    if (route === `${ONBOARDING_ROUTES.whatsapp.method} ${ONBOARDING_ROUTES.whatsapp.path}`) {
      requireAction(identity, 'onboarding.run');
      const request = parse(whatsappOnboardingRequestSchema, bodyOf(event));
      audit.target = `waba ${request.wabaId} number ${request.phoneNumberId}`;
      audit.targetBusinessId = request.businessId;
      requireActsFor(identity, request.businessId);
      return answer(await onboardWhatsAppNumber(deps, request), request.businessId, deps);
    }
    if (route === `${ONBOARDING_ROUTES.instagram.method} ${ONBOARDING_ROUTES.instagram.path}`) {
      requireAction(identity, 'onboarding.run');
      const request = parse(instagramOnboardingRequestSchema, bodyOf(event));
      audit.target = `page ${request.pageId}`;
      audit.targetBusinessId = request.businessId;
      requireActsFor(identity, request.businessId);
      return answer(await onboardInstagramAccount(deps, request), request.businessId, deps);
    }
    if (route === `${ONBOARDING_ROUTES.instagramLogin.method} ${ONBOARDING_ROUTES.instagramLogin.path}`) {
      requireAction(identity, 'onboarding.run');
      const request = parse(instagramLoginOnboardingRequestSchema, bodyOf(event));
      audit.target = request.instagramAccountId ? `instagram account ${request.instagramAccountId}` : 'instagram login';
      audit.targetBusinessId = request.businessId;
      requireActsFor(identity, request.businessId);
      const report = await onboardInstagramLoginAccount(deps, request);
      if (report.accountId) audit.target = `instagram account ${report.accountId}`;
      return answer(report, request.businessId, deps);
    }
    if (route === `${ONBOARDING_ROUTES.progress.method} ${ONBOARDING_ROUTES.progress.path}`) {
      requireAction(identity, 'onboarding.read');
      const query = parse(progressQuerySchema, event.queryStringParameters ?? {});
      audit.target =
        'pageId' in query
          ? `page ${query.pageId}`
          : 'instagramAccountId' in query
            ? `instagram account ${query.instagramAccountId}`
            : `waba ${query.wabaId} number ${query.phoneNumberId}`;
      const store = deps.progress;
      const key =
        'pageId' in query
          ? instagramProgressKey(query.pageId)
          : 'instagramAccountId' in query
            ? instagramLoginProgressKey(query.instagramAccountId)
            : whatsappProgressKey(query.wabaId, query.phoneNumberId);
      const progress = await store.read(key);
      audit.targetBusinessId = progress?.businessId;
      requireOwnTarget(identity, progress?.businessId, 'onboarding');
      const report = reportOf(progress!, progress!.accountId ?? '', progress!.ownerId);
      return json(200, progress!.api ? { ...report, api: progress!.api } : report);
    }
    return json(404, { error: 'not_found', message: `no route ${route}` });
  } catch (err) {
    if (err instanceof BadRequest) return json(400, { error: 'invalid_request', message: err.message });
    if (err instanceof OnboardingConflictError || err instanceof ConcurrentOnboardingError) return json(409, { error: 'conflict', message: err.message });
    throw err;
  }
}
