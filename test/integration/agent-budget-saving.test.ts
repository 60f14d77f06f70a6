import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerConversation, type AgentDeps } from '#lambdas/agent/answer-conversation';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { budgetMessageSaving } from '#lambdas/agent/message-saving';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { MessageEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { cachedBudgetGate } from '#lambdas/pricing/budget-gate';
import type { BudgetGate, BudgetStanding } from '#lambdas/pricing/budget-ports';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';

/**
 * The agent on DynamoDB Local with a budget gate that says what the test wants: the same customer
 * turns cost fewer messages once the business has spent 80% of its Meta budget, and the standing
 * is read once per business a minute, not once per turn.
 */
let table: TestTable & { newTable(): Promise<string> };
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

const BRAZILIAN = '5511987654321';
const KEY = `wa:100:${BRAZILIAN}`;

function customerMessage(id: string, at: string, text: string): MessageEvent {
  return {
    kind: 'message',
    channel: 'whatsapp',
    conversationKey: KEY,
    accountId: '100',
    businessAccountId: '200',
    occurredAt: at,
    eventId: `wa:msg:${id}`,
    direction: 'inbound',
    origin: 'customer',
    providerMessageId: id,
    customer: { id: BRAZILIAN, waId: BRAZILIAN, name: 'Ana' },
    type: 'text',
    text,
  };
}

/** A customer greets, asks for the hours, thanks the bot and sends a thumbs up, 15 s apart; returns the replies written. */
async function play(standing: BudgetStanding) {
  const tableName = await table.newTable();
  let reads = 0;
  const gate: BudgetGate = {
    async standing() {
      reads++;
      return standing;
    },
  };
  let now = new Date('2026-11-21T12:00:00.000Z');
  const deps: AgentDeps = {
    ...dynamoConversationStores(table.db, tableName),
    publisher: { publish: async () => {} },
    retentionDays: 30,
    now: () => now,
    replyQuietMs: 0,
    botSettings: fixedBotSettings(demoBotSettings()),
    saving: budgetMessageSaving({ gate: cachedBudgetGate(gate, { nowMs: () => now.getTime() }), businessOfAccount: async () => 'acme' }),
  };
  const outcomes = [];
  for (const [i, text] of ['hola', '¿cuál es el horario de atención?', 'muchas gracias!', '👍'].entries()) {
    const at = new Date(Date.parse('2026-11-21T12:00:00.000Z') + i * 15_000).toISOString();
    now = new Date(Date.parse(at) + 1_000);
    const event = customerMessage(`wamid.${i}`, at, text);
    await recordNormalizedEvent(event, { receivedAt: at }, { ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });
    outcomes.push(await answerConversation(domainEventFor(event).detail, deps));
  }
  const out = await table.db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      FilterExpression: 'direction = :out',
      ExpressionAttributeValues: { ':pk': `CONV#${KEY}`, ':m': 'MSG#', ':out': 'outbound' },
    }),
  );
  return { replies: (out.Items ?? []).sort((a, b) => String(a.occurredAt).localeCompare(String(b.occurredAt))), outcomes, reads };
}

describe('the agent while its business saves messages', () => {
  it('sends fewer replies to the same conversation from 80% of the budget, reading the standing once a minute', async () => {
    const usual = await play({ budgetMicros: 100_000_000, spentMicros: 10_000_000, share: 0.1 });
    const saving = await play({ budgetMicros: 100_000_000, spentMicros: 85_000_000, share: 0.85 });
    expect(usual.replies.map((r) => r.replyKind)).toEqual(['menu', 'faq_answer', 'small_talk']);
    expect(saving.replies.map((r) => r.replyKind)).toEqual(['menu', 'faq_answer']);
    // No language offer rode on the greeting (a tap on it would cost a reply).
    expect(usual.replies[0]!.replyOptions.some((o: { id: string }) => o.id.startsWith('lang:'))).toBe(true);
    expect(saving.replies[0]!.replyOptions.some((o: { id: string }) => o.id.startsWith('lang:'))).toBe(false);
    expect(saving.outcomes.map((o) => o.outcome)).toEqual(['replied', 'replied', 'skipped', 'skipped']);
    expect(saving.outcomes[0]).toMatchObject({ saving: true });
    expect(saving.outcomes[2]).toMatchObject({ reason: 'nothing_to_say', saving: true });
    // Four turns within a minute: one read of the standing.
    expect(saving.reads).toBe(1);
  });
});
