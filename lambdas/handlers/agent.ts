import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSRecord } from 'aws-lambda';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { eventBridgePublisher } from '#lambdas/adapters/event-publisher';
import { answerConversation, type AgentDeps } from '#lambdas/agent/answer-conversation';
import { QuietPeriodWait } from '#lambdas/agent/errors';
import { budgetMessageSaving } from '#lambdas/agent/message-saving';
import { cachedBudgetGate, dynamoBudgetGate } from '#lambdas/pricing/budget-gate';
import { dynamoSpendStore } from '#lambdas/pricing/spend-store';
import type { AgentAssistant } from '#lambdas/agent/assistant/claude-assistant';
import { assistantFromEnvironment } from '#lambdas/agent/assistant/assistant-from-environment';
import { cachedBotSettingsSource } from '#lambdas/bot-settings/account-bot-settings';
import { createConversationStore } from '#lambdas/conversation/conversation-store';
import { createMessageStore } from '#lambdas/conversation/message-store';
import { dynamoEndWatch } from '#lambdas/conversation-end/bot-end-store';
import { eventQueueHandler } from '#lambdas/shared/event-queue-handler';
import { AGENT_METRIC, agentAssistantMetric, agentReplyMetric, fieldOf, METRIC, msSince } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { consumeInvalidEvent } from '#lambdas/shared/invalid-event';
import { environmentSchema } from '#lambdas/handlers/environment/agent';
import { readEnvironment } from '#lambdas/shared/handler-environment';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

const env = readEnvironment(environmentSchema);

const db = documentClient();
const tableName = env.TABLE_NAME;
const accounts = cachedAccountReader({ registry: dynamoAccountRegistry(db, tableName) });
const deps: AgentDeps = {
  conversations: createConversationStore(db, tableName),
  messages: createMessageStore(db, tableName),
  publisher: eventBridgePublisher(new EventBridgeClient({}), env.EVENT_BUS_NAME),
  retentionDays: env.RETENTION_DAYS,
  replyQuietMs: env.REPLY_QUIET_MS,
  endWatch: dynamoEndWatch({ db, tableName }),
  // Each business's own settings, read through the registry; an admin's edit is seen within 30 s.
  botSettings: cachedBotSettingsSource({
    accounts,
    db,
    tableName,
    onInvalid: (businessId, version, problems) =>
      logger.error('stored bot settings fail validation; the business gets no bot until they are saved again', {
        businessId,
        version,
        paths: problems.map((p) => p.path),
      }),
  }),
  // From 80% of the business's Meta budget the bot sends fewer messages; the standing is read once a minute per business.
  saving: budgetMessageSaving({
    gate: cachedBudgetGate(dynamoBudgetGate(dynamoSpendStore({ db, tableName }))),
    businessOfAccount: async (accountId) => (await accounts.account(accountId))?.businessId,
    onError: (err) => {
      metrics.addMetric(AGENT_METRIC.budgetStandingUnread, MetricUnit.Count, 1);
      logger.warn('budget standing not read; answering as usual', { error: (err as Error | undefined)?.name });
    },
  }),
};

let assistantReady: Promise<AgentAssistant | undefined> | undefined;

/**
 * Resolved once per container, started at cold start so the log says straight away whether
 * generative answers are on. A failed secret read is retried by the next invocation.
 */
function assistant(): Promise<AgentAssistant | undefined> {
  assistantReady ??= assistantFromEnvironment(env).then(
    (found) => {
      if (found) logger.info('generative answers are on (Claude)');
      else logger.info('generative answers are off: no Anthropic API key; answering from flows and FAQ only');
      return found;
    },
    (err: unknown) => {
      assistantReady = undefined;
      throw err;
    },
  );
  return assistantReady;
}
void assistant().catch(() => undefined);

async function handleDetail(detail: unknown, record: SQSRecord): Promise<void> {
  const result = await answerConversation(detail, { ...deps, assistant: await assistant() });
  if ('assistant' in result && result.assistant) {
    metrics.addMetric(agentAssistantMetric(result.assistant), MetricUnit.Count, 1);
  }
  if ('resumedOutboundId' in result && result.resumedOutboundId) {
    metrics.addMetric(AGENT_METRIC.replyResumed, MetricUnit.Count, 1);
  }
  switch (result.outcome) {
    case 'invalid':
      consumeInvalidEvent(record, AGENT_METRIC.eventInvalid, 'agent event', result.issues);
      return;
    case 'human_active':
      metrics.addMetric(AGENT_METRIC.quietForPerson, MetricUnit.Count, 1);
      if (result.handoff) metrics.addMetric(METRIC.agentHandoffRequested, MetricUnit.Count, 1);
      logger.info('a person is answering; the bot stays quiet', { sqsMessageId: record.messageId, quietUntil: result.quietUntil });
      return;
    case 'handed_off':
      metrics.addMetric(AGENT_METRIC.noBotConfigured, MetricUnit.Count, 1);
      metrics.addMetric(METRIC.agentHandoffRequested, MetricUnit.Count, 1);
      logger.warn('no bot settings for the business of this account; the conversation went to its people', {
        sqsMessageId: record.messageId,
        accountId: fieldOf(detail, 'accountId'),
      });
      return;
    case 'waiting':
      // Not a failure: the record comes back once the customer has been quiet (quiet-period.ts).
      metrics.addMetric(AGENT_METRIC.waitedForQuiet, MetricUnit.Count, 1);
      throw new QuietPeriodWait(result.waitMs);
    case 'skipped':
      metrics.addMetric(result.reason === 'window_closed' ? AGENT_METRIC.windowClosed : AGENT_METRIC.skipped, MetricUnit.Count, 1);
      // A thanks or goodbye left unanswered because the business is saving messages.
      if (result.saving && result.reason === 'nothing_to_say') metrics.addMetric(AGENT_METRIC.messageSaved, MetricUnit.Count, 1);
      if (result.reason === 'window_closed') logger.info('reply window closed', { sqsMessageId: record.messageId });
      return;
    case 'replied': {
      metrics.addMetric(METRIC.agentReplied, MetricUnit.Count, 1);
      metrics.addMetric(AGENT_METRIC.messagesAnswered, MetricUnit.Count, result.answeredCount);
      metrics.addMetric(agentReplyMetric(result.kind), MetricUnit.Count, 1);
      if (result.saving) metrics.addMetric(AGENT_METRIC.repliedSavingMessages, MetricUnit.Count, 1);
      if (result.handoff) metrics.addMetric(METRIC.agentHandoffRequested, MetricUnit.Count, 1);
      // From the customer's message (Meta's time) to the reply waiting to be sent.
      const latency = msSince(fieldOf(detail, 'occurredAt'));
      if (latency !== undefined) metrics.addMetric(METRIC.replyRequestedLatency, MetricUnit.Milliseconds, latency);
      if (result.optOut) metrics.addMetric(AGENT_METRIC.optOutRecorded, MetricUnit.Count, 1);
      logger.info('reply requested', { sqsMessageId: record.messageId, outboundId: result.outboundId, kind: result.kind });
    }
  }
}

/**
 * Agent queue (EventBridge `message.received`) → one reply per burst of customer messages.
 * Records are processed independently; one that throws comes back alone.
 */
export const handler = eventQueueHandler(handleDetail, { queueUrl: env.QUEUE_URL });
