import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { answerConversation, type AgentDeps } from '#lambdas/agent/answer-conversation';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { MessageEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';

/** The flows-and-FAQ bot on DynamoDB Local: language, captured order numbers, small talk, consent by intent. */
let table: TestTable & { newTable(): Promise<string> };
let deps: AgentDeps;
let tableName: string;
let published: DomainEvent[];

// A Brazilian WhatsApp number: its country code is a prior for Portuguese.
const WA_ID = '5511987654321';
const KEY = `wa:100:${WA_ID}`;
// Saturday 09:00 in São Paulo: the demo business is open.
const NOW = new Date('2026-11-21T12:00:00.000Z');
let clock = Date.parse('2026-11-21T11:50:00.000Z');

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  published = [];
  clock = Date.parse('2026-11-21T11:50:00.000Z');
  tableName = await table.newTable();
  deps = {
    ...dynamoConversationStores(table.db, tableName),
    publisher: { publish: async (e) => void published.push(...e) },
    retentionDays: 30,
    now: () => NOW,
    replyQuietMs: 0,
    botSettings: fixedBotSettings(demoBotSettings()),
  };
});

let seq = 0;
function customerMessage(overrides: Partial<MessageEvent>): MessageEvent {
  const id = `wamid.u${++seq}`;
  clock += 20_000;
  return {
    kind: 'message',
    channel: 'whatsapp',
    conversationKey: KEY,
    accountId: '100',
    businessAccountId: '200',
    occurredAt: new Date(clock).toISOString(),
    eventId: `wa:msg:${id}`,
    direction: 'inbound',
    origin: 'customer',
    providerMessageId: id,
    customer: { id: WA_ID, waId: WA_ID, name: 'Bia' },
    type: 'text',
    ...overrides,
  };
}

/** Records a customer message as the normalizer does and lets the agent answer it. */
async function say(text: string | undefined, overrides: Partial<MessageEvent> = {}) {
  const event = customerMessage({ ...(text === undefined ? {} : { text }), ...overrides });
  await recordNormalizedEvent(event, { receivedAt: event.occurredAt }, { ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });
  const result = await answerConversation(domainEventFor(event).detail, deps);
  return { event, result };
}

async function conversation() {
  const out = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${KEY}`, sk: 'CONV' } }));
  return out.Item!;
}

async function replies() {
  const out = await table.db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'byTime',
      Select: 'ALL_ATTRIBUTES',
      KeyConditionExpression: 'pk = :pk AND begins_with(lsi1sk, :m)',
      FilterExpression: 'direction = :out',
      ExpressionAttributeValues: { ':pk': `CONV#${KEY}`, ':m': 'MSG#', ':out': 'outbound' },
    }),
  );
  return out.Items ?? [];
}

async function consentRecords() {
  const out = await table.db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
      ExpressionAttributeValues: { ':pk': `CONV#${KEY}`, ':c': 'CONSENT#' },
    }),
  );
  return out.Items ?? [];
}

describe('the flows-and-FAQ bot understands the customer', () => {
  it('keeps a Portuguese conversation in Portuguese through a word Spanish shares ("se")', async () => {
    await say('oi');
    const { result } = await say('e se eu quiser devolver?');
    expect(result).toMatchObject({ outcome: 'replied', kind: 'faq_answer' });
    const last = (await replies()).at(-1)!;
    expect(last).toMatchObject({ language: 'pt', faqId: 'returns', text: demoBotSettings().faq.find((f) => f.id === 'returns')!.answer.pt });
  });

  it('reads the message after "send us your order number" as the order number and hands it to a person', async () => {
    await say('cadê meu pedido?');
    expect(await conversation()).toMatchObject({ awaitingField: 'order_id', lastFaqId: 'order_tracking', language: 'pt' });

    const { result } = await say('1002');

    expect(result).toMatchObject({ outcome: 'replied', kind: 'handoff_ack', handoff: true });
    const last = (await replies()).at(-1)!;
    expect(last.text).toContain('1002');
    expect(last.language).toBe('pt');
    const conv = await conversation();
    expect(conv).toMatchObject({ state: 'human', handoffReason: 'order_followup', capturedOrderId: '1002' });
    expect(conv.awaitingField).toBeUndefined();
    expect(conv.handoffSummary).toContain('Order number given: 1002.');
    expect(published.map((e) => e.detailType)).toContain('conversation.handoff_requested');
  });

  it('answers thanks once and stays silent on the "👍" that follows, then answers the next question', async () => {
    await say('aceitam pix?');
    expect((await say('muito obrigado!')).result).toMatchObject({ outcome: 'replied', kind: 'small_talk' });
    const before = (await replies()).length;

    const thumbs = await say('👍');
    expect(thumbs.result).toEqual({ outcome: 'skipped', reason: 'nothing_to_say' });
    expect(await replies()).toHaveLength(before);
    expect((await conversation()).answeredThroughSk).toContain(thumbs.event.providerMessageId);

    expect((await say('qual o horário de atendimento?')).result).toMatchObject({ outcome: 'replied', kind: 'faq_answer' });
  });

  it('honours an opt-out phrase, recording the customer words as evidence', async () => {
    const { event, result } = await say('não quero mais receber mensagens de vocês');

    expect(result).toMatchObject({ outcome: 'replied', kind: 'opt_out_confirmed', optOut: true });
    expect(await consentRecords()).toEqual([
      expect.objectContaining({
        consent: 'opted_out',
        evidenceMessageId: event.providerMessageId,
        evidenceKind: 'phrase',
        evidenceText: 'não quero mais receber mensagens de vocês',
      }),
    ]);
    expect(await conversation()).toMatchObject({ consentStatus: 'opted_out' });
    expect(published.map((e) => e.detailType)).toEqual(['reply.requested', 'consent.withdrawn']);
  });

  it('asks before opting out on an ambiguous "chega", and records the tapped confirmation', async () => {
    const { result } = await say('chega');
    expect(result).toMatchObject({ outcome: 'replied', kind: 'opt_out_question' });
    const question = (await replies()).at(-1)!;
    expect(question.replyOptions.map((o: { id: string }) => o.id)).toEqual(['consent:opt_out', 'consent:keep']);
    expect(await consentRecords()).toEqual([]);

    const yes = question.replyOptions[0] as { id: string; title: string };
    const tap = await say(yes.title, { type: 'choice', choice: { id: yes.id, title: yes.title, source: 'button' } });

    expect(tap.result).toMatchObject({ kind: 'opt_out_confirmed', optOut: true });
    expect(await consentRecords()).toEqual([
      expect.objectContaining({ consent: 'opted_out', evidenceKind: 'confirmation', evidenceMessageId: tap.event.providerMessageId }),
    ]);
  });

  it('records an opt-in back', async () => {
    await say('sair da lista');
    const { event, result } = await say('quero voltar a receber promoções');
    expect(result).toMatchObject({ kind: 'opt_in_confirmed', optIn: true });
    expect(await conversation()).toMatchObject({ consentStatus: 'opted_in', consentEvidenceMessageId: event.providerMessageId });
    expect((await consentRecords()).map((c) => c.consent).sort()).toEqual(['opted_in', 'opted_out']);
  });

  it('acknowledges a voice note without the fallback and the menu, offering a person', async () => {
    const { result } = await say(undefined, { type: 'audio', media: [{ id: 'media-2', mimeType: 'audio/ogg', voice: true }] });
    expect(result).toMatchObject({ kind: 'attachment_ack' });
    const last = (await replies()).at(-1)!;
    expect(last).toMatchObject({ language: 'pt', replyOptions: [{ id: 'agent:person', title: 'Falar com atendente' }] });
  });

  it('hands a damaged item to a person with priority, from a photo caption', async () => {
    // As the WhatsApp normalizer records a photo: no text, the caption on the media.
    const { result } = await say(undefined, { type: 'image', media: [{ id: 'media-1', mimeType: 'image/jpeg', caption: 'chegou assim, quebrado 😢' }] });
    expect(result).toMatchObject({ kind: 'handoff_ack', handoff: true });
    expect(await conversation()).toMatchObject({ state: 'human', handoffReason: 'complaint', handoffPriority: true, language: 'pt' });
  });
});
