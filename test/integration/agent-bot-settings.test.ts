import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { upsertChannelAccount } from '#lambdas/accounts/channel-account';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { answerConversation, type AgentDeps } from '#lambdas/agent/answer-conversation';
import type { BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { cachedBotSettingsSource } from '#lambdas/bot-settings/account-bot-settings';
import { saveBotSettings } from '#lambdas/bot-settings/bot-settings-store';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { MessageEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { closeConversation, type HumanAgentDeps } from '#lambdas/human-agent/human-agent-actions';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';
import { dynamoHumanAgentStores } from '#lambdas/human-agent/human-agent-stores';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

let table: TestTable & { newTable(): Promise<string> };
let deps: AgentDeps;
let tableName: string;
let published: DomainEvent[];
let cacheClock: number;

/** Saturday 09:00 in São Paulo: both businesses are open. */
const NOW = new Date('2026-11-21T12:00:00.000Z');

/** Business B: its own name, greeting and CSAT words. */
function businessB(): BusinessFlows {
  const b = demoBotSettings();
  b.name = 'B Shoes';
  b.greeting = { en: 'Hi, this is B Shoes!', es: '¡Hola, somos B Shoes!', pt: 'Olá, aqui é a B Shoes!' };
  b.csat.question = { en: 'Rate B Shoes 1-5', es: 'Califica a B Shoes 1-5', pt: 'Avalie a B Shoes 1-5' };
  return b;
}

const ACCOUNTS = { local: '100', b: '300', noSettings: '400', unregistered: '500' };

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  published = [];
  cacheClock = 0;
  tableName = await table.newTable();
  const register = (accountId: string, businessId: string) =>
    upsertChannelAccount(table.db, tableName, { accountId, channel: 'whatsapp', businessId, status: 'active' });
  await register(ACCOUNTS.local, 'local');
  await register(ACCOUNTS.b, 'shop-b');
  await register(ACCOUNTS.noSettings, 'new-biz');
  await saveBotSettings({ db: table.db, tableName }, 'local', demoBotSettings(), { actor: 'seed', expectedVersion: 0 });
  await saveBotSettings({ db: table.db, tableName }, 'shop-b', businessB(), { actor: 'admin-b', expectedVersion: 0 });
  deps = {
    ...dynamoConversationStores(table.db, tableName),
    publisher: { publish: async (e) => void published.push(...e) },
    retentionDays: 30,
    now: () => NOW,
    replyQuietMs: 0,
    botSettings: cachedBotSettingsSource({
      accounts: cachedAccountReader({ registry: dynamoAccountRegistry(table.db, tableName) }),
      db: table.db,
      tableName,
      nowMs: () => cacheClock,
    }),
  };
});

function says(accountId: string, id: string, text: string, at = '2026-11-21T11:59:00.000Z'): MessageEvent {
  return {
    kind: 'message',
    channel: 'whatsapp',
    conversationKey: `wa:${accountId}:5511999`,
    accountId,
    businessAccountId: '200',
    occurredAt: at,
    eventId: `wa:msg:${id}`,
    direction: 'inbound',
    origin: 'customer',
    providerMessageId: id,
    customer: { id: '5511999', waId: '5511999', name: 'Ana' },
    type: 'text',
    text,
  };
}

async function receive(event: MessageEvent) {
  await recordNormalizedEvent(event, { receivedAt: event.occurredAt }, { ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });
  return domainEventFor(event).detail;
}

async function outbound(accountId: string) {
  const out = await table.db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'byTime',
      Select: 'ALL_ATTRIBUTES',
      KeyConditionExpression: 'pk = :pk AND begins_with(lsi1sk, :m)',
      FilterExpression: 'direction = :out',
      ExpressionAttributeValues: { ':pk': `CONV#wa:${accountId}:5511999`, ':m': 'MSG#', ':out': 'outbound' },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

async function conversationOf(accountId: string) {
  return (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#wa:${accountId}:5511999`, sk: 'CONV' }, ConsistentRead: true }))).Item!;
}

describe('the agent answers each business with its own settings', () => {
  it("greets business B's customers with B's greeting while business local keeps the demo's", async () => {
    expect(await answerConversation(await receive(says(ACCOUNTS.b, 'wamid.b1', 'hola')), deps)).toMatchObject({ outcome: 'replied', kind: 'menu' });
    expect(await answerConversation(await receive(says(ACCOUNTS.local, 'wamid.l1', 'hola')), deps)).toMatchObject({ outcome: 'replied', kind: 'menu' });

    const [toB] = await outbound(ACCOUNTS.b);
    const [toLocal] = await outbound(ACCOUNTS.local);
    expect(toB!.text).toBe('¡Hola, somos B Shoes!');
    expect(toLocal!.text).toBe(demoBotSettings().greeting.es);
    expect(toLocal!.text).toContain('Demo Store');
  });

  for (const [what, accountId] of [
    ['a business with no settings of its own', ACCOUNTS.noSettings],
    ['an account not in the registry', ACCOUNTS.unregistered],
  ] as const) {
    it(`sends nothing for ${what}: the conversation goes to its people with the reason no_bot_configured`, async () => {
      const first = await receive(says(accountId, 'wamid.n1', 'hola, ¿cuál es su política de devoluciones?'));
      expect(await answerConversation(first, deps)).toEqual({ outcome: 'handed_off', reason: 'no_bot_configured' });

      expect(await outbound(accountId)).toEqual([]);
      const conversation = await conversationOf(accountId);
      expect(conversation).toMatchObject({ state: 'human', handoffReason: 'no_bot_configured', gsi1pk: `ACCT#${accountId}#STATE#human` });
      expect(conversation.handoffSummary).toContain('Reason: no_bot_configured');
      // The customer's message is left for a person to answer.
      expect(conversation.answeredThroughSk).toBeUndefined();
      expect(published.map((e) => [e.detailType, e.detail.reason, e.detail.outboundId])).toEqual([
        ['conversation.handoff_requested', 'no_bot_configured', undefined],
      ]);

      // Redelivery and later messages: still nothing sent, no second handoff.
      expect(await answerConversation(first, deps)).toEqual({ outcome: 'skipped', reason: 'not_bot' });
      expect(await answerConversation(await receive(says(accountId, 'wamid.n2', 'hello?', '2026-11-21T11:59:30.000Z')), deps)).toEqual({
        outcome: 'skipped',
        reason: 'not_bot',
      });
      expect(await outbound(accountId)).toEqual([]);
      expect(published).toHaveLength(1);
    });
  }

  it('uses an admin edit once the cached settings are 30 seconds old', async () => {
    await answerConversation(await receive(says(ACCOUNTS.b, 'wamid.b1', 'hi')), deps);
    const edited = businessB();
    edited.greeting.en = 'Hi, B Shoes here (new)';
    await saveBotSettings({ db: table.db, tableName }, 'shop-b', edited, { actor: 'admin-b', expectedVersion: 1 });

    cacheClock = 29_000;
    await answerConversation(await receive(says(ACCOUNTS.b, 'wamid.b2', 'hello', '2026-11-21T11:59:10.000Z')), deps);
    cacheClock = 61_000;
    await answerConversation(await receive(says(ACCOUNTS.b, 'wamid.b3', 'hello', '2026-11-21T11:59:20.000Z')), deps);

    const replies = Object.fromEntries((await outbound(ACCOUNTS.b)).map((m) => [m.replyToMessageIds[0], m.text]));
    expect(replies).toEqual({ 'wamid.b1': 'Hi, this is B Shoes!', 'wamid.b2': 'Hi, this is B Shoes!', 'wamid.b3': 'Hi, B Shoes here (new)' });
  });

  it("asks the CSAT question on close in the business's own words, and not at all without settings", async () => {
    const human: HumanAgentDeps = { ...deps, ...dynamoHumanAgentStores(table.db, tableName, 30) };
    await answerConversation(await receive(says(ACCOUNTS.b, 'wamid.b1', 'hello')), deps);
    const closedB = await closeConversation(`wa:${ACCOUNTS.b}:5511999`, 'agent-1', human);
    expect(closedB.csatOutboundId).toBeDefined();
    const question = (await outbound(ACCOUNTS.b)).find((m) => m.messageId === closedB.csatOutboundId);
    expect(question!.text).toBe('Rate B Shoes 1-5');

    await answerConversation(await receive(says(ACCOUNTS.noSettings, 'wamid.n1', 'hello')), deps);
    const closedNone = await closeConversation(`wa:${ACCOUNTS.noSettings}:5511999`, 'agent-1', human);
    expect(closedNone).toEqual({ state: 'closed', closeOutcome: 'resolved' });
    expect(await outbound(ACCOUNTS.noSettings)).toEqual([]);
  });

  it('lets a person take over from the business app even when the business has no bot', async () => {
    await answerConversation(await receive(says(ACCOUNTS.noSettings, 'wamid.n1', 'hello')), deps);
    const fromApp = {
      ...says(ACCOUNTS.noSettings, 'wamid.app1', 'hi, a person here', '2026-11-21T11:59:40.000Z'),
      origin: 'business_app' as const,
      direction: 'outbound' as const,
    };
    const result = await answerConversation(await receive(fromApp), deps);
    expect(result).toMatchObject({ outcome: 'human_active', quietUntil: '2026-11-21T12:29:40.000Z' });
  });
});
