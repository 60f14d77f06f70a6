import { beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { graphErrorFromResponse, type GraphRequest } from '#lambdas/adapters/graph-api-client';
import { sendReply, type SendReplyDeps } from '#lambdas/outbound/send-reply';
import { readConformanceJson } from '#test/helpers/conformance';
import { fakeReplyStore, type FakeReplyStore } from '#test/helpers/fakes/reply-store-fake';
import { fakeSendContextStore } from '#test/helpers/fakes/send-context-store-fake';
import { fakeSendingAccountStore, type FakeSendingAccountStore } from '#test/helpers/fakes/sending-account-store-fake';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { MissingAccessTokenError } from '#lambdas/outbound/errors';

// The send state machine against in-memory stores; the stores' own conditions and items are tested
// against DynamoDB Local (test/integration/reply-store.test.ts).
let replies: FakeReplyStore;
let accounts: FakeSendingAccountStore;
let published: DomainEvent[];
let graphCalls: Array<{ request: GraphRequest; token: string }>;
let graphAnswer: () => Promise<unknown>;
let deps: SendReplyDeps;

const KEY = 'wa:100:5511999';
const REF = { conversationKey: KEY, outboundId: 'out_1' };
const request = { v: 1, conversationKey: KEY, outboundId: 'out_1', channel: 'whatsapp', accountId: '100' };
const item = (overrides: Record<string, unknown> = {}) => ({
  pk: `CONV#${KEY}`,
  sk: 'MSG#out_1',
  entity: 'Message',
  messageId: 'out_1',
  conversationKey: KEY,
  channel: 'whatsapp',
  accountId: '100',
  customerId: '5511999',
  recipientId: '5511999',
  direction: 'outbound',
  origin: 'agent',
  type: 'text',
  text: 'Thanks!',
  status: 'pending',
  expiresAt: 1_900_000_000,
  ...overrides,
});

/** The transitions the sender asked the store for (reads left out). */
const writes = () => replies.calls.filter((c) => c !== 'loadReply');

beforeEach(() => {
  replies = fakeReplyStore();
  accounts = fakeSendingAccountStore();
  published = [];
  graphCalls = [];
  graphAnswer = async () => readConformanceJson('graph-api', 'bindambc-send-message-response.json');
  deps = {
    replies,
    // The conversation as the sender reads it: the customer wrote an hour ago, so the window is open.
    sendContext: fakeSendContextStore({ conversation: { pk: `CONV#${KEY}`, sk: 'CONV', lastInboundAt: '2026-11-21T11:00:00.000Z' } }),
    sendingAccounts: accounts,
    publisher: { publish: async (events) => void published.push(...events) },
    graph: {
      post: async (req, token) => {
        graphCalls.push({ request: req, token });
        return graphAnswer();
      },
    },
    accessTokenFor: async (accountId) => `token-${accountId}`,
    graphConfig: { baseUrl: 'http://graph.local', version: GRAPH_API_VERSION },
    now: () => new Date('2026-11-21T12:00:00.000Z'),
  };
});

describe('sendReply', () => {
  it('claims the message, sends it once and records it sent with its provider id pointer', async () => {
    replies.put(REF, item());

    const result = await sendReply(request, deps);

    expect(result).toEqual({ outcome: 'sent', providerMessageId: 'wamid.gBGGSFcCNEOPAgkO_KJ55r4w_ww' });
    expect(graphCalls).toHaveLength(1);
    expect(graphCalls[0]!.token).toBe('token-100');
    expect(graphCalls[0]!.request.url).toBe(`http://graph.local/${GRAPH_API_VERSION}/100/messages`);
    // Claimed from pending (counting the attempt), then the pointer first and the message second
    // (no transaction): a receipt in between waits for the provider id.
    expect(writes()).toEqual(['claimReply', 'pointProviderId', 'recordSent']);
    expect(replies.get(REF)).toMatchObject({
      status: 'sent',
      statusRank: 1,
      attempts: 1,
      sendingAt: '2026-11-21T12:00:00.000Z',
      providerMessageId: 'wamid.gBGGSFcCNEOPAgkO_KJ55r4w_ww',
      // The response's wa_id has a trailing space; the stored one does not.
      recipientWaId: '48XXXXXXXXX',
    });
    expect(replies.pointers.get('wamid.gBGGSFcCNEOPAgkO_KJ55r4w_ww')).toEqual({
      providerMessageId: 'wamid.gBGGSFcCNEOPAgkO_KJ55r4w_ww',
      conversationKey: KEY,
      messageSk: 'MSG#out_1',
      expiresAt: 1_900_000_000,
    });
  });

  it.each(['sent', 'delivered', 'read'])('does nothing for a message already %s', async (status) => {
    replies.put(REF, item({ status }));
    expect(await sendReply(request, deps)).toEqual({ outcome: 'already_done', status });
    expect(graphCalls).toHaveLength(0);
    expect(writes()).toEqual([]);
  });

  it('never sends a message that is already sending', async () => {
    replies.put(REF, item({ status: 'sending' }));
    expect(await sendReply(request, deps)).toEqual({ outcome: 'outcome_unknown', reason: 'in_flight_or_interrupted' });
    expect(graphCalls).toHaveLength(0);
  });

  it('does not send when another attempt claimed it between the read and the claim', async () => {
    replies.put(REF, item());
    const claim = replies.claimReply;
    replies.claimReply = async (ref, at) => {
      // Another delivery claims it first.
      await claim(ref, at);
      return claim(ref, at);
    };
    expect(await sendReply(request, deps)).toEqual({ outcome: 'outcome_unknown', reason: 'in_flight_or_interrupted' });
    expect(graphCalls).toHaveLength(0);
  });

  it('moves the message back to pending and throws on a retryable error', async () => {
    replies.put(REF, item());
    graphAnswer = async () => {
      throw graphErrorFromResponse(400, readConformanceJson('graph-api', 'kapso-error-130429-throughput.json'));
    };

    await expect(sendReply(request, deps)).rejects.toMatchObject({ name: 'GraphApiError', code: 130429 });

    expect(writes()).toEqual(['claimReply', 'releaseForRetry']);
    expect(replies.get(REF)).toMatchObject({ status: 'pending', lastErrorCode: 130429, lastErrorAt: '2026-11-21T12:00:00.000Z' });
    expect(replies.get(REF)!.retryNotBeforeMs).toBeGreaterThan(Date.parse('2026-11-21T12:00:00.000Z'));
    expect(replies.pointers.size).toBe(0);
    expect(published).toEqual([]);
  });

  it('marks the message failed and announces it on a permanent error', async () => {
    replies.put(REF, item());
    graphAnswer = async () => {
      throw graphErrorFromResponse(400, readConformanceJson('graph-api', 'kapso-error-131047-reengagement.json'));
    };

    expect(await sendReply(request, deps)).toEqual({ outcome: 'failed', classification: 'permanent', errorCode: 131047 });

    expect(replies.get(REF)).toMatchObject({
      status: 'failed',
      statusRank: 5,
      errorCode: 131047,
      errorTitle: '(#131047) Re-engagement message',
      errorDetails: 'Customer outside 24 hour window',
      errorClassification: 'permanent',
    });
    expect(published).toEqual([
      {
        source: 'io.omnichannel.outbound',
        detailType: 'message.failed',
        detail: {
          v: 1,
          conversationKey: KEY,
          messageId: 'out_1',
          channel: 'whatsapp',
          accountId: '100',
          status: 'failed',
          occurredAt: '2026-11-21T12:00:00.000Z',
          errorCode: 131047,
        },
      },
    ]);
    // Marked announced once published.
    expect(writes()).toEqual(['claimReply', 'markFailed', 'markFailureAnnounced']);
    expect(replies.get(REF)!.failureAnnouncedAt).toBe('2026-11-21T12:00:00.000Z');
    expect(accounts.accounts.size).toBe(0);
  });

  it('treats an invalid token like a permanent failure, classified auth, and marks the account for re-authorisation', async () => {
    replies.put(REF, item());
    graphAnswer = async () => {
      throw graphErrorFromResponse(401, readConformanceJson('graph-api', 'messenger4j-error-190-invalid-token.json'));
    };
    expect(await sendReply(request, deps)).toEqual({ outcome: 'failed', classification: 'auth', errorCode: 190 });
    expect(published.map((e) => e.detailType)).toEqual(['message.failed']);
    expect(accounts.accounts.get('100')).toMatchObject({
      needsReauthorisation: true,
      reauthorisationRequiredAt: '2026-11-21T12:00:00.000Z',
      lastAuthErrorCode: 190,
    });
  });

  it("sends an Instagram Login account's reply to the Instagram host it is registered for, with its own token", async () => {
    const igRequest = { ...request, channel: 'instagram', accountId: '17842000000001' };
    replies.put(REF, item({ channel: 'instagram', accountId: '17842000000001', customerId: 'IGSID', recipientId: 'IGSID' }));
    graphAnswer = async () => ({ recipient_id: 'IGSID', message_id: 'aWdfZAG1' });
    const asked: string[] = [];
    const withApi = {
      ...deps,
      graphConfig: { ...deps.graphConfig, instagramBaseUrl: 'http://instagram.local' },
      instagramApiFor: async (id: string) => {
        asked.push(id);
        return 'instagram_login' as const;
      },
    };

    expect(await sendReply(igRequest, withApi)).toEqual({ outcome: 'sent', providerMessageId: 'aWdfZAG1' });
    expect(asked).toEqual(['17842000000001']);
    expect(graphCalls.map((c) => [c.request.url, c.token])).toEqual([
      [`http://instagram.local/${GRAPH_API_VERSION}/17842000000001/messages`, 'token-17842000000001'],
    ]);
  });

  it("leaves the reply pending, unclaimed, when the account's API cannot be read", async () => {
    replies.put(REF, item({ channel: 'instagram', accountId: '17842000000001', customerId: 'IGSID', recipientId: 'IGSID' }));
    const failing = {
      ...deps,
      instagramApiFor: async () => {
        throw new Error('registry unavailable');
      },
    };
    await expect(sendReply({ ...request, channel: 'instagram', accountId: '17842000000001' }, failing)).rejects.toThrow('registry unavailable');
    expect(writes()).toEqual([]);
    expect(graphCalls).toHaveLength(0);
  });

  it('announces a failure that was stored but never announced', async () => {
    replies.put(REF, item({ status: 'failed', errorCode: 131047, failedAt: '2026-11-21T11:00:00.000Z' }));
    expect(await sendReply(request, deps)).toEqual({ outcome: 'already_done', status: 'failed' });
    expect(published[0]).toMatchObject({ detail: { errorCode: 131047, occurredAt: '2026-11-21T11:00:00.000Z' } });
    expect(replies.get(REF)!.failureAnnouncedAt).toBe('2026-11-21T11:00:00.000Z');
    expect(graphCalls).toHaveLength(0);

    published = [];
    replies.put(REF, item({ status: 'failed', failureAnnouncedAt: '2026-11-21T11:00:01.000Z' }));
    expect(await sendReply(request, deps)).toEqual({ outcome: 'already_done', status: 'failed' });
    expect(published).toEqual([]);
  });

  it('leaves the message sending when Meta answers success without a message id', async () => {
    replies.put(REF, item());
    graphAnswer = async () => ({ success: true });
    expect(await sendReply(request, deps)).toEqual({ outcome: 'outcome_unknown', reason: 'unexpected_response' });
    expect(replies.pointers.size).toBe(0);
    expect(replies.get(REF)).toMatchObject({ status: 'sending', sendOutcomeUnknownAt: '2026-11-21T12:00:00.000Z' });
  });

  it('leaves the message pending when no token is configured', async () => {
    replies.put(REF, item());
    deps.accessTokenFor = async (accountId) => {
      throw new MissingAccessTokenError(accountId);
    };
    await expect(sendReply(request, deps)).rejects.toBeInstanceOf(MissingAccessTokenError);
    expect(writes()).toEqual([]);
    expect(replies.get(REF)!.status).toBe('pending');
  });

  it('treats bad requests and missing messages as poison', async () => {
    expect(await sendReply({ v: 1, conversationKey: KEY }, deps)).toMatchObject({ outcome: 'invalid' });
    expect(await sendReply(request, deps)).toEqual({ outcome: 'missing_message' });
    replies.put(REF, item({ text: '' }));
    expect(await sendReply(request, deps)).toMatchObject({ outcome: 'invalid', issues: ['item.text: too_small'] });
    expect(graphCalls).toHaveLength(0);
  });

  it('lets an unexpected error from the client through without marking anything', async () => {
    replies.put(REF, item());
    graphAnswer = async () => {
      throw new TypeError('boom');
    };
    await expect(sendReply(request, deps)).rejects.toThrow('boom');
    // Only the claim: the message stays `sending`, never sent again.
    expect(writes()).toEqual(['claimReply']);
    expect(replies.get(REF)!.status).toBe('sending');
  });

  it('refuses a marketing template without consent: failed straight from pending, with the rule as reason', async () => {
    replies.put(REF, item({ type: 'template', origin: 'campaign', text: undefined, template: { name: 'promo', language: 'en', category: 'marketing' } }));
    const result = await sendReply(request, deps);
    expect(result).toEqual({ outcome: 'refused', reason: 'marketing_opt_in_missing' });
    expect(writes()).toEqual(['refuseReply', 'markFailureAnnounced']);
    expect(replies.get(REF)).toMatchObject({ status: 'failed', statusRank: 5, failureReason: 'marketing_opt_in_missing', errorClassification: 'rule' });
    expect(graphCalls).toHaveLength(0);
  });
});

describe('sendReply near the end of its invocation', () => {
  it('does not claim a send it could not finish before the invocation is cut off', async () => {
    replies.put(REF, item());
    // 2 s of pacing + 10 s for the Graph call + 3 s to record the answer do not fit in 14 s.
    await expect(sendReply(request, { ...deps, remainingMs: () => 14_000 })).rejects.toMatchObject({ name: 'SendDeferredError', cause_: 'deadline' });
    expect(graphCalls).toHaveLength(0);
    expect(writes()).toEqual([]);
  });

  it('hands the claim back, untouched at Meta, when the pacing wait used up the time the send needs', async () => {
    replies.put(REF, item());
    let left = 20_000;
    const pacedDeps: SendReplyDeps = {
      ...deps,
      remainingMs: () => left,
      pacer: {
        reserve: async () => {
          left = 9_000;
          return { go: true as const, sendAtMs: 0 };
        },
        holdRecipient: async () => {},
      },
    };
    await expect(sendReply(request, pacedDeps)).rejects.toMatchObject({ name: 'SendDeferredError', cause_: 'deadline' });
    expect(graphCalls).toHaveLength(0);
    // The claim and then its release back to pending, which does not count as an attempt.
    expect(writes()).toEqual(['claimReply', 'unclaimReply']);
    expect(replies.get(REF)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('sends as usual with time to spare, skipping only the read receipt when it would not fit', async () => {
    replies.put(REF, item({ markReadMessageId: 'wamid.customer' }));
    const readReceipts = () => graphCalls.filter((c) => (c.request.body as { status?: string }).status === 'read').length;
    // With time enough, the read receipt goes first.
    expect((await sendReply(request, { ...deps, remainingMs: () => 30_000, maxWaitMs: 0 })).outcome).toBe('sent');
    expect(readReceipts()).toBe(1);
    graphCalls = [];
    replies.put(REF, item({ markReadMessageId: 'wamid.customer' }));
    // Enough for the send (10 s + 3 s) but not for a read receipt first (20 s + 3 s).
    const result = await sendReply(request, { ...deps, remainingMs: () => 16_000, maxWaitMs: 0 });
    expect(result.outcome).toBe('sent');
    expect(readReceipts()).toBe(0);
    expect(graphCalls).toHaveLength(1);
  });
});
