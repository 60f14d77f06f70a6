import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { answerConversation, type AgentDeps } from '#lambdas/agent/answer-conversation';
import { anthropicClient, claudeAssistant, DEFAULT_CLAUDE_SETTINGS } from '#lambdas/agent/assistant/claude-assistant';
import { modelProfile } from '#lambdas/agent/assistant/claude-model-profiles';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { MessageEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { startAnthropicSimulator, type AnthropicSimulator } from '#lib/local-cloud/anthropic-simulator/index';
import { startSampleOrderApi } from '#lib/local-cloud/anthropic-simulator/sample-order-api';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

let table: TestTable & { newTable(): Promise<string> };
let sim: AnthropicSimulator;
let orders: { url: string; close(): Promise<void> };
let deps: AgentDeps;
let published: DomainEvent[];
let clock = new Date('2026-11-21T12:00:00.000Z');

const KEY = 'ig:17841:IGSID9';

beforeAll(async () => {
  [table, sim, orders] = await Promise.all([startTestTable(), startAnthropicSimulator({ apiKey: 'sk-local' }), startSampleOrderApi()]);
});
afterAll(async () => {
  await Promise.all([table?.stop(), sim?.close(), orders?.close()]);
});
beforeEach(async () => {
  published = [];
  sim.requests.length = 0;
  deps = {
    db: table.db,
    tableName: await table.newTable(),
    publisher: { publish: async (e) => void published.push(...e) },
    retentionDays: 30,
    now: () => clock,
    assistant: claudeAssistant(anthropicClient('sk-local', { baseURL: sim.url, timeoutMs: 500 }), {
      ...DEFAULT_CLAUDE_SETTINGS,
      orderApiUrl: orders.url,
    }),
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
    customer: { id: 'IGSID9' },
    type: 'text',
    text,
  };
}

async function says(id: string, at: string, text: string) {
  clock = new Date(Date.parse(at) + 5_000);
  const event = customerMessage(id, at, text);
  await recordNormalizedEvent(event, { receivedAt: at }, { db: table.db, tableName: deps.tableName, retentionDays: 30 });
  return domainEventFor(event).detail;
}

const conversation = async () =>
  (await table.db.send(new GetCommand({ TableName: deps.tableName, Key: { pk: `CONV#${KEY}`, sk: 'CONV' } }))).Item!;
const reply = async (outboundId: string) =>
  (await table.db.send(new GetCommand({ TableName: deps.tableName, Key: { pk: `CONV#${KEY}`, sk: `MSG#${outboundId}` } }))).Item!;

describe('the agent with Claude (Messages API simulator) on DynamoDB Local', () => {
  it('leaves greetings and FAQ hits to the flows and gives open questions to Claude, with history', async () => {
    const hello = await answerConversation(await says('mid.1', '2026-11-21T11:50:00.000Z', 'hola'), deps);
    expect(hello).toMatchObject({ kind: 'menu' });
    expect(sim.requests).toHaveLength(0);

    const result = await answerConversation(await says('mid.2', '2026-11-21T11:51:00.000Z', 'mi pedido 1002 todavía no aparece'), deps);

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
    deps = { ...deps, assistant: claudeAssistant(anthropicClient('sk-local', { baseURL: sim.url, timeoutMs: 500 }), { ...DEFAULT_CLAUDE_SETTINGS, model: 'claude-sonnet-5-5', orderApiUrl: orders.url }) };
    const result = await answerConversation(await says('mid.1', '2026-11-21T11:51:00.000Z', 'mi pedido 1002 todavía no aparece'), deps);

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

  it("hands off when Claude decides to, and the redelivered wake-up doesn't ask again", async () => {
    const wakeUp = await says('mid.1', '2026-11-21T11:50:00.000Z', 'esto es una vergüenza, quiero hablar con el gerente');
    expect(await answerConversation(wakeUp, deps)).toMatchObject({ kind: 'handoff_ack', handoff: true, assistant: 'handoff' });
    expect(await answerConversation(wakeUp, deps)).toEqual({ outcome: 'skipped', reason: 'not_bot' });
    expect(sim.requests).toHaveLength(1);
    expect(await conversation()).toMatchObject({ state: 'human', handoffReason: 'assistant_decision' });
  });
});
