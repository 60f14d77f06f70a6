import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { upsertChannelAccount } from '#lambdas/accounts/channel-account';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { answerConversation, type AgentDeps } from '#lambdas/agent/answer-conversation';
import { businessToolsSecretPrefix } from '#lambdas/agent/assistant/business-tools-config';
import { businessToolsSource, secretsManagerBusinessSecret } from '#lambdas/agent/assistant/business-tools-source';
import { anthropicClient, claudeAssistant, DEFAULT_CLAUDE_SETTINGS, type ClaudeSettings } from '#lambdas/agent/assistant/claude-assistant';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { modelProfile } from '#lambdas/agent/assistant/claude-model-profiles';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { MessageEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { startAnthropicSimulator, type AnthropicSimulator } from '#lib/local-cloud/anthropic-simulator/index';
import { localBusinessToolsSecrets } from '#lib/local-cloud/anthropic-simulator/local-business-tools';
import { SAMPLE_ORDERS, SAMPLE_TEST_CUSTOMER, startSampleOrderApi, type SampleOrderApi } from '#lib/local-cloud/anthropic-simulator/sample-order-api';
import { startAwsEmulator, type AwsEmulator } from '#lib/local-cloud/aws/aws-emulator';
import { LOCAL_CUSTOMER_IDS } from '#lib/local-cloud/graph-simulator/accounts';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

let table: TestTable & { newTable(): Promise<string> };
let sim: AnthropicSimulator;
let orders: SampleOrderApi;
let aws: AwsEmulator;
let deps: AgentDeps;
let tableName: string;
let published: DomainEvent[];
let clock = new Date('2026-11-21T12:00:00.000Z');

const KEY = `ig:17841:${SAMPLE_TEST_CUSTOMER.customerId}`;
const STACK = 'Omnichannel-claude-test';

beforeAll(async () => {
  [table, sim, orders, aws] = await Promise.all([startTestTable(), startAnthropicSimulator({ apiKey: 'sk-local' }), startSampleOrderApi(), startAwsEmulator()]);
  // The business's tools secret is read as in AWS: Powertools and the SDK, against the emulator.
  Object.assign(process.env, aws.environment());
  for (const secret of localBusinessToolsSecrets(STACK, ['local'], orders)) aws.secrets.putSecret(secret.name, secret.value);
});
afterAll(async () => {
  await Promise.all([table?.stop(), sim?.close(), orders?.close(), aws?.close()]);
});

/** The Claude assistant as the agent builds it: the account's business from the registry, its tools from its own secret. */
function assistantFor(tableName: string, settings: Partial<ClaudeSettings> = {}) {
  const businessTools = businessToolsSource({
    accounts: cachedAccountReader({ registry: dynamoAccountRegistry(table.db, tableName) }),
    secretNamePrefix: businessToolsSecretPrefix(STACK),
    readSecret: secretsManagerBusinessSecret(),
  });
  return claudeAssistant(anthropicClient('sk-local', { baseURL: sim.url, timeoutMs: 500 }), { ...DEFAULT_CLAUDE_SETTINGS, ...settings }, { businessTools });
}

/** The Instagram account the customer writes to, owned by `businessId` in the registry. */
const registerAccount = (tableName: string, businessId: string) =>
  upsertChannelAccount(table.db, tableName, { accountId: '17841', channel: 'instagram', businessId, status: 'active' });

beforeEach(async () => {
  published = [];
  sim.requests.length = 0;
  orders.requests.length = 0;
  tableName = await table.newTable();
  await registerAccount(tableName, 'local');
  deps = {
    ...dynamoConversationStores(table.db, tableName),
    publisher: { publish: async (e) => void published.push(...e) },
    retentionDays: 30,
    now: () => clock,
    replyQuietMs: 0,
    botSettings: { forAccount: async (accountId) => (accountId === '17841' ? demoBotSettings() : undefined) },
    assistant: assistantFor(tableName),
  };
});

function customerMessage(id: string, at: string, text: string): MessageEvent {
  return {
    kind: 'message',
    channel: 'instagram',
    conversationKey: KEY,
    accountId: '17841',
    businessAccountId: '17841',
    occurredAt: at,
    eventId: `ig:${id}`,
    direction: 'inbound',
    origin: 'customer',
    providerMessageId: id,
    customer: { id: SAMPLE_TEST_CUSTOMER.customerId },
    type: 'text',
    text,
  };
}

async function says(id: string, at: string, text: string) {
  clock = new Date(Date.parse(at) + 5_000);
  const event = customerMessage(id, at, text);
  await recordNormalizedEvent(event, { receivedAt: at }, { ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });
  return domainEventFor(event).detail;
}

const conversation = async () => (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${KEY}`, sk: 'CONV' } }))).Item!;
const reply = async (outboundId: string) =>
  (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${KEY}`, sk: `MSG#${outboundId}` } }))).Item!;

describe('the agent with Claude (Messages API simulator) on DynamoDB Local', () => {
  it('leaves greetings and FAQ hits to the flows and gives open questions to Claude, with history', async () => {
    const hello = await answerConversation(await says('mid.1', '2026-11-21T11:50:00.000Z', 'hola'), deps);
    expect(hello).toMatchObject({ kind: 'menu' });
    expect(sim.requests).toHaveLength(0);

    const result = await answerConversation(await says('mid.2', '2026-11-21T11:51:00.000Z', 'mi pedido 1004 todavía no aparece'), deps);

    expect(result).toMatchObject({ outcome: 'replied', kind: 'generated', assistant: 'answered' });
    if (result.outcome !== 'replied') throw new Error('no reply');
    expect((await reply(result.outboundId)).text).toContain('"status":"shipped"');
    // The model saw the earlier exchange (the greeting and the bot's menu) before the question.
    expect(sim.requests[0]!.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    // Sent to the default model with only the settings it accepts (the simulator refuses others).
    expect(sim.requests[0]).toMatchObject({ model: DEFAULT_CLAUDE_SETTINGS.model, max_tokens: modelProfile(DEFAULT_CLAUDE_SETTINGS.model).maxTokens });
    expect(sim.requests[0]).toMatchObject({ output_config: { effort: 'low' } });
    expect(sim.requests[0]).not.toHaveProperty('temperature');
  });

  it('answers the same way on Claude Sonnet 5.5, whose thinking notes stay out of the reply', async () => {
    deps = { ...deps, assistant: assistantFor(tableName, { model: 'claude-sonnet-5-5' }) };
    const result = await answerConversation(await says('mid.1', '2026-11-21T11:51:00.000Z', 'mi pedido 1004 todavía no aparece'), deps);

    expect(result).toMatchObject({ outcome: 'replied', kind: 'generated', assistant: 'answered' });
    if (result.outcome !== 'replied') throw new Error('no reply');
    expect((await reply(result.outboundId)).text).toMatch(/^Esto es lo que encontré: .*"status":"shipped"/);
    expect(sim.requests.map((r) => [r.model, r.thinking?.type, r.output_config?.effort])).toEqual([
      ['claude-sonnet-5-5', 'between_tools', 'low'],
      ['claude-sonnet-5-5', 'between_tools', 'low'],
    ]);
  });

  it('answers from the flows when Claude fails or is too slow, and says so in the outcome', async () => {
    sim.injectFault({ kind: 'status', status: 529, type: 'overloaded_error' });
    const overloaded = await answerConversation(await says('mid.1', '2026-11-21T12:50:00.000Z', 'tienen tienda física en Lima?'), deps);
    expect(overloaded).toMatchObject({ outcome: 'replied', kind: 'fallback', assistant: 'failed' });

    sim.injectFault({ kind: 'delay', ms: 1500 });
    const slow = await answerConversation(await says('mid.2', '2026-11-21T12:51:00.000Z', 'y en Bogotá?'), deps);
    expect(slow).toMatchObject({ outcome: 'replied', kind: 'fallback', assistant: 'failed' });
  });

  it.each([
    { language: 'pt', name: 'Portuguese', text: 'vocês podem me escrever um poema sobre o mar?', decline: /^Desculpe, só posso ajudar/ },
    { language: 'es', name: 'Spanish', text: 'me ayudas con mi tarea de historia? cual es la capital de Francia', decline: /^Lo siento, solo puedo ayudarte/ },
  ])("declines an off-topic request in the customer's language ($language): it is no general-purpose assistant", async ({ name, text, decline }) => {
    const result = await answerConversation(await says('mid.1', '2026-11-21T11:50:00.000Z', text), deps);

    expect(result).toMatchObject({ outcome: 'replied', kind: 'generated', assistant: 'answered' });
    if (result.outcome !== 'replied') throw new Error('no reply');
    expect((await reply(result.outboundId)).text).toMatch(decline);
    const system = JSON.stringify(sim.requests[0]!.system);
    expect(system).toContain(`Customer's language: ${name}`);
    expect(system).toContain('not a general-purpose assistant');
    expect(system).toContain(demoBotSettings().useCase);
  });

  it('gives the model the order number the customer already gave, so it is not asked again', async () => {
    await says('mid.0', '2026-11-21T11:49:00.000Z', 'hola');
    await table.db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `CONV#${KEY}`, sk: 'CONV' },
        UpdateExpression: 'SET capturedOrderId = :o',
        ExpressionAttributeValues: { ':o': '1004' },
      }),
    );
    const result = await answerConversation(await says('mid.1', '2026-11-21T11:50:00.000Z', 'y lo que compré? ya salió del almacén?'), deps);

    expect(result).toMatchObject({ outcome: 'replied', kind: 'generated', assistant: 'answered' });
    if (result.outcome !== 'replied') throw new Error('no reply');
    expect(JSON.stringify(sim.requests[0]!.system)).toContain('already gave the order number 1004');
    expect((await reply(result.outboundId)).text).toContain('"status":"shipped"');
  });

  it("hands off when Claude decides to, and the redelivered wake-up doesn't ask again", async () => {
    const wakeUp = await says('mid.1', '2026-11-21T11:50:00.000Z', 'quiero hablar con el gerente de la tienda');
    expect(await answerConversation(wakeUp, deps)).toMatchObject({ kind: 'handoff_ack', handoff: true, assistant: 'handoff' });
    expect(await answerConversation(wakeUp, deps)).toEqual({ outcome: 'skipped', reason: 'not_bot' });
    expect(sim.requests).toHaveLength(1);
    expect(await conversation()).toMatchObject({ state: 'human', handoffReason: 'assistant_decision' });
  });

  it("gives a customer nothing of another customer's order, and their own order in full", async () => {
    // Order 1002 belongs to another Instagram customer of the same business.
    const other = SAMPLE_ORDERS.find((o) => o.id === '1002')!;
    expect(other.owner).toMatchObject({ businessId: 'local', channel: 'instagram', customerId: LOCAL_CUSTOMER_IDS.instagram });
    const revealing = [...other.items.map((i) => i.name), 'shipped', other.carrier!, other.estimatedDelivery!];

    const theirs = await answerConversation(await says('mid.1', '2026-11-21T11:50:00.000Z', 'where is my order 1002?'), deps);
    expect(theirs).toMatchObject({ outcome: 'replied', kind: 'generated', assistant: 'answered' });
    if (theirs.outcome !== 'replied') throw new Error('no reply');
    const refusedText = String((await reply(theirs.outboundId)).text);
    expect(refusedText).toContain('No order 1002 was found');
    // Neither the reply nor what the model was given holds anything of the order.
    const toolResult = JSON.stringify(sim.requests[1]!.messages.at(-1));
    expect(toolResult).toContain('tool_result');
    for (const detail of revealing) {
      expect(refusedText).not.toContain(detail);
      expect(toolResult).not.toContain(detail);
    }
    // The business's API was told who asked, by the agent, not by the model.
    expect(orders.requests).toEqual([
      {
        path: '/orders/1002',
        status: 404,
        headers: {
          'x-business-id': 'local',
          'x-customer-channel': 'instagram',
          'x-customer-account-id': '17841',
          'x-customer-id': SAMPLE_TEST_CUSTOMER.customerId,
          'authorization-present': 'yes',
        },
      },
    ]);

    const own = await answerConversation(await says('mid.2', '2026-11-21T11:51:00.000Z', 'ok, and my order 1004?'), deps);
    if (own.outcome !== 'replied') throw new Error('no reply');
    const ownText = String((await reply(own.outboundId)).text);
    expect(ownText).toContain('Wool blanket');
    expect(ownText).toContain('"status":"shipped"');
  });

  it('offers no order look-up for a business that has no tools secret', async () => {
    await registerAccount(tableName, 'shop-without-tools');
    deps = { ...deps, assistant: assistantFor(tableName) };
    const result = await answerConversation(await says('mid.1', '2026-11-21T11:50:00.000Z', 'where is my order 1004?'), deps);

    expect(result).toMatchObject({ outcome: 'replied', assistant: 'answered' });
    if (result.outcome !== 'replied') throw new Error('no reply');
    expect(sim.requests[0]!.tools?.map((t) => t.name)).not.toContain('lookup_order');
    expect(String((await reply(result.outboundId)).text)).not.toContain('Wool blanket');
    expect(orders.requests).toEqual([]);
  });
});
