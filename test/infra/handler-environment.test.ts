import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '#lambdas/shared/event-contract';
import { Variable, type EnvironmentSchema } from '#lambdas/shared/handler-environment';
import { PROJECT_ROOT } from '#lib/constructs/support-function';
import { environmentOf, FUNCTION_IDS, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

/** Each function of the stack and the handler file it runs (lib/constructs/*: `handler:`). */
const HANDLER_OF: Readonly<Record<(typeof FUNCTION_IDS)[number], string>> = {
  WebhookFunction: 'webhook',
  NormalizerFunction: 'normalizer',
  AgentFunction: 'agent',
  OutboundSendFunction: 'outbound-send',
  StatusTrackingFunction: 'status-tracking',
  HumanAgentApiFunction: 'human-agent-api',
  MediaDownloadFunction: 'media-download',
  AccountHealthFunction: 'account-health',
  TemplatesApiFunction: 'templates-api',
  TemplateEventsFunction: 'template-events',
  OnboardingApiFunction: 'onboarding-api',
  ReplyWatchFunction: 'reply-watch',
  RoutingFunction: 'routing',
  AgentPushFunction: 'agent-push',
  AgentPushAuthorizerFunction: 'websocket-authorizer',
  AgentPushConnectionFunction: 'websocket-connection',
  AdminApiFunction: 'admin-api',
  OperatorTokenClaimsFunction: 'operator-token-claims',
  ContactsFunction: 'contacts',
  BotConversationEndFunction: 'bot-conversation-end',
  IntegrationDispatchFunction: 'integration-dispatch',
  IntegrationDeadLettersFunction: 'integration-dead-letters',
  IntegrationsApiFunction: 'integrations-api',
  SpendApiFunction: 'spend-api',
  SpendOutcomesFunction: 'spend-outcomes',
  InstagramTokenRefreshFunction: 'instagram-token-refresh',
  CampaignsApiFunction: 'campaigns-api',
  CampaignTicksFunction: 'campaign-release',
  CampaignSendFunction: 'campaign-send',
};

/** Set on every function by SupportFunction and read by Node or Powertools themselves, not by our code. */
const PLATFORM_VARIABLES = new Set(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_LOG_LEVEL']);

/**
 * Variables the stack sets that no handler reads, and why they stay. Each is a finding: remove it
 * from the stack or start reading it, then drop it here.
 */
const SET_BUT_UNREAD: Readonly<Record<string, string>> = {
  // On every function (SupportFunction): for people reading a function's configuration in the console.
  [`*/${ENV.stage}`]: 'names the stage on every function; no handler branches on it',
  // The normalizer reads claim checks from the bucket each pointer names (IAM limits it to this bucket).
  [`NormalizerFunction/${ENV.claimCheckBucket}`]: 'the claim-check pointer carries its bucket; the variable is unread',
};

const unreadReason = (functionId: string, name: string): string | undefined => SET_BUT_UNREAD[`${functionId}/${name}`] ?? SET_BUT_UNREAD[`*/${name}`];

describe('the stack and the handlers agree on each function’s environment', () => {
  let synth: SynthesizedStack;
  const schemas = new Map<string, EnvironmentSchema>();

  beforeAll(async () => {
    synth = synthesizeStack();
    for (const handler of Object.values(HANDLER_OF)) {
      const module = (await import(`#lambdas/handlers/environment/${handler}`)) as { environmentSchema: EnvironmentSchema };
      schemas.set(handler, module.environmentSchema);
    }
  });

  it('maps every function of the stack and every handler file', () => {
    expect(Object.keys(HANDLER_OF).sort()).toEqual([...FUNCTION_IDS].sort());
    const handlerFiles = readdirSync(join(PROJECT_ROOT, 'lambdas', 'handlers'))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => basename(name, '.ts'));
    expect([...new Set(Object.values(HANDLER_OF))].sort()).toEqual(handlerFiles.sort());
  });

  it('sets every variable a handler requires (one without a default)', () => {
    const missing = FUNCTION_IDS.flatMap((functionId) => {
      const schema = schemas.get(HANDLER_OF[functionId])!;
      const set = environmentOf(synth.json, functionId);
      return Object.entries(schema)
        .filter(([name, spec]) => spec instanceof Variable && !(name in set))
        .map(([name]) => `${functionId} (${HANDLER_OF[functionId]}): ${name}`);
    });
    expect(missing).toEqual([]);
  });

  it('sets nothing a handler does not read, but for the listed exceptions', () => {
    const unread = FUNCTION_IDS.flatMap((functionId) => {
      const schema = schemas.get(HANDLER_OF[functionId])!;
      return Object.keys(environmentOf(synth.json, functionId))
        .filter((name) => !PLATFORM_VARIABLES.has(name) && !(name in schema) && unreadReason(functionId, name) === undefined)
        .map((name) => `${functionId} (${HANDLER_OF[functionId]}): ${name}`);
    });
    expect(unread).toEqual([]);
  });

  it('lists only exceptions that are still true', () => {
    for (const key of Object.keys(SET_BUT_UNREAD)) {
      const [functionId, name] = key.split('/') as [string, string];
      const functions = functionId === '*' ? [...FUNCTION_IDS] : [functionId as (typeof FUNCTION_IDS)[number]];
      const stillSetAndUnread = functions.some(
        (id) => name in environmentOf(synth.json, id) && !(name in schemas.get(HANDLER_OF[id as (typeof FUNCTION_IDS)[number]])!),
      );
      expect(stillSetAndUnread, key).toBe(true);
    }
  });
});
