import { beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import { listConversations, readConversation } from '#lambdas/human-agent/conversation-views';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import { closeConversation, handBackToBot, replyAsHuman, type HumanAgentDeps } from '#lambdas/human-agent/human-agent-actions';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';
import { InMemoryHumanAgentStore } from '#test/helpers/fakes/human-agent-store-fake';

/** The human agent's use cases on the in-memory stores: what they decide, write and announce. */
const KEY = 'wa:100:5511999';
const INBOUND_AT = '2026-11-21T11:59:00.000Z';
let store: InMemoryHumanAgentStore;
let published: DomainEvent[];
let deps: HumanAgentDeps;
let clock: Date;

beforeEach(() => {
  store = new InMemoryHumanAgentStore();
  published = [];
  clock = new Date('2026-11-21T12:00:00.000Z');
  deps = {
    humanActions: store,
    views: store,
    publisher: { publish: async (events) => void published.push(...events) },
    botSettings: fixedBotSettings(demoBotSettings()),
    now: () => clock,
  };
});

function conversation(state: string, extra: Record<string, unknown> = {}) {
  store.putConversation({
    conversationKey: KEY,
    channel: 'whatsapp',
    accountId: '100',
    customerId: '5511999',
    state,
    version: 2,
    lastInboundAt: INBOUND_AT,
    lastInboundMessageId: 'wamid.in1',
    ...extra,
  });
  store.putMessage(KEY, 'wamid.in1', INBOUND_AT, 'inbound');
}

async function refusal(work: Promise<unknown>): Promise<{ status: number; code: string }> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HumanAgentRequestError);
  const { status, code } = err as HumanAgentRequestError;
  return { status, code };
}

describe('a human agent’s reply', () => {
  it('takes the conversation over from the bot, writes the message once and asks for its send', async () => {
    conversation('bot');
    const first = await replyAsHuman(KEY, { text: 'Hola', requestId: 'r1', agentId: 'agent-1' }, deps);
    expect(first).toMatchObject({ repeated: false, tookOver: true });
    expect(store.message(KEY, first.outboundId)).toMatchObject({
      origin: 'human_agent',
      type: 'text',
      text: 'Hola',
      replyKind: 'human_reply',
      agentId: 'agent-1',
      recipientId: '5511999',
      replyToMessageIds: ['wamid.in1'],
      status: 'pending',
    });
    expect(await store.conversation(KEY)).toMatchObject({ state: 'human', assignedAgentId: 'agent-1', handoffReason: 'agent_takeover', version: 3 });
    expect(published.map((e) => e.detailType)).toEqual([DETAIL_TYPE.replyRequested, DETAIL_TYPE.conversationHandoffRequested]);

    // The same request again names the same message: its send is asked for again, nothing else.
    published = [];
    const again = await replyAsHuman(KEY, { text: 'Hola', requestId: 'r1', agentId: 'agent-1' }, deps);
    expect(again).toEqual({ outboundId: first.outboundId, repeated: true, tookOver: false });
    expect(published.map((e) => e.detailType)).toEqual([DETAIL_TYPE.replyRequested]);
    expect((await store.conversation(KEY))?.version).toBe(3);
  });

  it('refuses a closed conversation, a closed window, an unknown conversation and a change meanwhile', async () => {
    expect(await refusal(replyAsHuman(KEY, { text: 'x', requestId: 'r', agentId: 'a' }, deps))).toEqual({ status: 404, code: 'conversation_not_found' });
    conversation('closed');
    expect(await refusal(replyAsHuman(KEY, { text: 'x', requestId: 'r', agentId: 'a' }, deps))).toEqual({ status: 409, code: 'conversation_closed' });
    conversation('human');
    clock = new Date('2026-11-23T12:00:00.000Z');
    expect(await refusal(replyAsHuman(KEY, { text: 'x', requestId: 'r', agentId: 'a' }, deps))).toEqual({ status: 409, code: 'window_closed' });
    clock = new Date('2026-11-21T12:00:00.000Z');
    // The reply is decided on a read that says `bot`; the conversation is `human` by the time it is written.
    const staleRead = { conversation: async () => ({ ...(await store.conversation(KEY)), state: 'bot' }) };
    const stale = { ...deps, views: staleRead as unknown as InMemoryHumanAgentStore };
    expect(await refusal(replyAsHuman(KEY, { text: 'x', requestId: 'r2', agentId: 'a' }, stale))).toEqual({ status: 409, code: 'conversation_changed' });
    expect(published).toEqual([]);
  });
});

describe('handing back and closing', () => {
  it('hands a human conversation back to the bot, marking the customer’s messages answered', async () => {
    conversation('human');
    expect(await handBackToBot(KEY, 'agent-1', deps)).toEqual({ state: 'bot' });
    expect(await store.conversation(KEY)).toMatchObject({ state: 'bot', handedBackBy: 'agent-1', answeredThroughSk: expect.stringContaining('wamid.in1') });
    expect(published.map((e) => e.detailType)).toEqual([DETAIL_TYPE.conversationHandedBack]);
    expect(await refusal(handBackToBot(KEY, 'agent-1', deps))).toEqual({ status: 409, code: 'not_human' });
  });

  it('closes with the CSAT question inside the window, once', async () => {
    conversation('human', { handoffReason: 'customer_request', language: 'es' });
    const closed = await closeConversation(KEY, 'agent-1', deps);
    expect(closed).toMatchObject({ state: 'closed', closeOutcome: 'resolved', csatOutboundId: expect.stringMatching(/^out_csat_/) });
    expect(store.message(KEY, closed.csatOutboundId!)).toMatchObject({ replyKind: 'csat_question', type: 'interactive', language: 'es', agentId: 'agent-1' });
    expect(await store.conversation(KEY)).toMatchObject({ state: 'closed', closedBy: 'agent-1', csatOutboundId: closed.csatOutboundId, version: 3 });
    const closedEvent = published.find((e) => e.detailType === DETAIL_TYPE.conversationClosed);
    expect(closedEvent?.detail).toMatchObject({ conversationKey: KEY, outcome: 'resolved', closedBy: 'agent-1', csatAsked: true });
    expect(await refusal(closeConversation(KEY, 'agent-1', deps))).toEqual({ status: 409, code: 'conversation_closed' });
  });

  it('closes a conversation straight from the bot without a question once the window has closed', async () => {
    conversation('bot');
    clock = new Date('2026-11-23T12:00:00.000Z');
    const closed = await closeConversation(KEY, 'agent-1', deps, 'unresolved');
    expect(closed).toEqual({ state: 'closed', closeOutcome: 'unresolved' });
    expect(await store.conversation(KEY)).toMatchObject({ closeReason: 'no_handoff', closeOutcome: 'unresolved' });
    expect(published.map((e) => e.detailType)).toEqual([DETAIL_TYPE.conversationClosed]);
  });
});

describe('the operator’s views', () => {
  it('lists an account’s conversations in a state and reads one with its latest messages', async () => {
    conversation('human', { stateChangedAt: '2026-11-21T11:00:00.000Z', customerName: 'Ana' });
    const list = await listConversations('100', 'human', 10, undefined, deps);
    expect(list.conversations).toEqual([expect.objectContaining({ conversationKey: KEY, customerName: 'Ana', state: 'human' })]);
    expect(list.nextCursor).toBeUndefined();
    const read = await readConversation(KEY, 10, deps);
    expect(read?.messages).toHaveLength(1);
    expect(await readConversation('wa:100:none', 10, deps)).toBeUndefined();
  });

  it('refuses a cursor it did not hand out', async () => {
    const foreign = Buffer.from(JSON.stringify({ gsi1pk: 'ACCT#200#STATE#human', gsi1sk: 'x', pk: 'p', sk: 's' })).toString('base64url');
    expect(await refusal(listConversations('100', 'human', 10, foreign, deps))).toEqual({ status: 400, code: 'invalid_cursor' });
  });
});
