import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '#lambdas/adapters/dynamodb';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { graphErrorFromResponse, type GraphRequest } from '#lambdas/adapters/graph-api-client';
import { MissingAccessTokenError } from '#lambdas/outbound/access-tokens';
import { sendReply, type SendReplyDeps } from '#lambdas/outbound/send-reply';
import { readConformanceJson } from '#test/helpers/conformance';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';

const ddb = mockClient(DynamoDBDocumentClient);
let published: DomainEvent[];
let graphCalls: Array<{ request: GraphRequest; token: string }>;
let graphAnswer: () => Promise<unknown>;
let deps: SendReplyDeps;

const KEY = 'wa:100:5511999';
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

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/** The conversation as the sender reads it: the customer wrote an hour ago, so the window is open. */
const openWindow = () =>
  ddb.on(BatchGetCommand).resolves({ Responses: { table: [{ pk: `CONV#${KEY}`, sk: 'CONV', lastInboundAt: '2026-11-21T11:00:00.000Z' }] } });

beforeEach(() => {
  ddb.reset();
  openWindow();
  published = [];
  graphCalls = [];
  graphAnswer = async () => readConformanceJson('graph-api', 'bindambc-send-message-response.json');
  deps = {
    db: documentClient(new DynamoDBClient({ region: 'us-east-1' })),
    tableName: 'table',
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
    ddb.on(GetCommand).resolves({ Item: item() });
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});

    const result = await sendReply(request, deps);

    expect(result).toEqual({ outcome: 'sent', providerMessageId: 'wamid.gBGGSFcCNEOPAgkO_KJ55r4w_ww' });
    expect(graphCalls).toHaveLength(1);
    expect(graphCalls[0]!.token).toBe('token-100');
    expect(graphCalls[0]!.request.url).toBe(`http://graph.local/${GRAPH_API_VERSION}/100/messages`);
    const claim = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(claim.ConditionExpression).toBe('#status = :pending');
    expect(claim.UpdateExpression).toContain('ADD attempts :one');
    // The pointer first, then the message (no transaction): a receipt in between waits for the provider id.
    const pointer = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    const update = ddb.commandCalls(UpdateCommand)[1]!.args[0].input;
    expect(ddb.commandCalls(PutCommand)[0]!.calledBefore(ddb.commandCalls(UpdateCommand)[1]!)).toBe(true);
    expect(update.ConditionExpression).toBe('#status = :sending');
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':sent': 'sent',
      ':rank': 1,
      ':pmid': 'wamid.gBGGSFcCNEOPAgkO_KJ55r4w_ww',
      // The response's wa_id has a trailing space; the stored one does not.
      ':waId': '48XXXXXXXXX',
    });
    expect(pointer.Item).toEqual({
      pk: 'PMID#wamid.gBGGSFcCNEOPAgkO_KJ55r4w_ww',
      sk: 'PMID',
      entity: 'ProviderMessageId',
      conversationKey: KEY,
      messageSk: 'MSG#out_1',
      expiresAt: 1_900_000_000,
    });
  });

  it.each(['sent', 'delivered', 'read'])('does nothing for a message already %s', async (status) => {
    ddb.on(GetCommand).resolves({ Item: item({ status }) });
    expect(await sendReply(request, deps)).toEqual({ outcome: 'already_done', status });
    expect(graphCalls).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('never sends a message that is already sending', async () => {
    ddb.on(GetCommand).resolves({ Item: item({ status: 'sending' }) });
    expect(await sendReply(request, deps)).toEqual({ outcome: 'outcome_unknown', reason: 'in_flight_or_interrupted' });
    expect(graphCalls).toHaveLength(0);
  });

  it('does not send when another attempt claimed it between the read and the claim', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: item() })
      .resolves({ Item: item({ status: 'sending' }) });
    ddb.on(UpdateCommand).rejects(conditionFailed());
    expect(await sendReply(request, deps)).toEqual({ outcome: 'outcome_unknown', reason: 'in_flight_or_interrupted' });
    expect(graphCalls).toHaveLength(0);
  });

  it('moves the message back to pending and throws on a retryable error', async () => {
    ddb.on(GetCommand).resolves({ Item: item() });
    ddb.on(UpdateCommand).resolves({});
    graphAnswer = async () => {
      throw graphErrorFromResponse(400, readConformanceJson('graph-api', 'kapso-error-130429-throughput.json'));
    };

    await expect(sendReply(request, deps)).rejects.toMatchObject({ name: 'GraphApiError', code: 130429 });

    const release = ddb.commandCalls(UpdateCommand)[1]!.args[0].input;
    expect(release.ConditionExpression).toBe('#status = :sending');
    expect(release.ExpressionAttributeValues).toMatchObject({ ':pending': 'pending', ':code': 130429 });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(published).toEqual([]);
  });

  it('marks the message failed and announces it on a permanent error', async () => {
    ddb.on(GetCommand).resolves({ Item: item() });
    ddb.on(UpdateCommand).resolves({});
    graphAnswer = async () => {
      throw graphErrorFromResponse(400, readConformanceJson('graph-api', 'kapso-error-131047-reengagement.json'));
    };

    expect(await sendReply(request, deps)).toEqual({ outcome: 'failed', classification: 'permanent', errorCode: 131047 });

    const failed = ddb.commandCalls(UpdateCommand)[1]!.args[0].input;
    expect(failed.ExpressionAttributeValues).toMatchObject({
      ':failed': 'failed',
      ':rank': 5,
      ':code': 131047,
      ':title': '(#131047) Re-engagement message',
      ':details': 'Customer outside 24 hour window',
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
    expect(ddb.commandCalls(UpdateCommand)[2]!.args[0].input.UpdateExpression).toBe('SET failureAnnouncedAt = :at');
  });

  it('treats an invalid token like a permanent failure, classified auth', async () => {
    ddb.on(GetCommand).resolves({ Item: item() });
    ddb.on(UpdateCommand).resolves({});
    graphAnswer = async () => {
      throw graphErrorFromResponse(401, readConformanceJson('graph-api', 'messenger4j-error-190-invalid-token.json'));
    };
    expect(await sendReply(request, deps)).toEqual({ outcome: 'failed', classification: 'auth', errorCode: 190 });
    expect(published.map((e) => e.detailType)).toEqual(['message.failed']);
  });

  it("sends an Instagram Login account's reply to the Instagram host it is registered for, with its own token", async () => {
    const igRequest = { ...request, channel: 'instagram', accountId: '17842000000001' };
    ddb.on(GetCommand).resolves({ Item: item({ channel: 'instagram', accountId: '17842000000001', customerId: 'IGSID', recipientId: 'IGSID' }) });
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});
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
    ddb.on(GetCommand).resolves({ Item: item({ channel: 'instagram', accountId: '17842000000001', customerId: 'IGSID', recipientId: 'IGSID' }) });
    const failing = {
      ...deps,
      instagramApiFor: async () => {
        throw new Error('registry unavailable');
      },
    };
    await expect(sendReply({ ...request, channel: 'instagram', accountId: '17842000000001' }, failing)).rejects.toThrow('registry unavailable');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(graphCalls).toHaveLength(0);
  });

  it('announces a failure that was stored but never announced', async () => {
    ddb.on(GetCommand).resolves({ Item: item({ status: 'failed', errorCode: 131047, failedAt: '2026-11-21T11:00:00.000Z' }) });
    ddb.on(UpdateCommand).resolves({});
    expect(await sendReply(request, deps)).toEqual({ outcome: 'already_done', status: 'failed' });
    expect(published[0]).toMatchObject({ detail: { errorCode: 131047, occurredAt: '2026-11-21T11:00:00.000Z' } });
    expect(graphCalls).toHaveLength(0);

    published = [];
    ddb.on(GetCommand).resolves({ Item: item({ status: 'failed', failureAnnouncedAt: '2026-11-21T11:00:01.000Z' }) });
    expect(await sendReply(request, deps)).toEqual({ outcome: 'already_done', status: 'failed' });
    expect(published).toEqual([]);
  });

  it('leaves the message sending when Meta answers success without a message id', async () => {
    ddb.on(GetCommand).resolves({ Item: item() });
    ddb.on(UpdateCommand).resolves({});
    graphAnswer = async () => ({ success: true });
    expect(await sendReply(request, deps)).toEqual({ outcome: 'outcome_unknown', reason: 'unexpected_response' });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('leaves the message pending when no token is configured', async () => {
    ddb.on(GetCommand).resolves({ Item: item() });
    deps.accessTokenFor = async (accountId) => {
      throw new MissingAccessTokenError(accountId);
    };
    await expect(sendReply(request, deps)).rejects.toBeInstanceOf(MissingAccessTokenError);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('treats bad requests and missing messages as poison', async () => {
    expect(await sendReply({ v: 1, conversationKey: KEY }, deps)).toMatchObject({ outcome: 'invalid' });
    ddb.on(GetCommand).resolves({});
    expect(await sendReply(request, deps)).toEqual({ outcome: 'missing_message' });
    ddb.on(GetCommand).resolves({ Item: item({ text: '' }) });
    expect(await sendReply(request, deps)).toMatchObject({ outcome: 'invalid', issues: ['item.text: too_small'] });
    expect(graphCalls).toHaveLength(0);
  });

  it('lets an unexpected error from the client through without marking anything', async () => {
    ddb.on(GetCommand).resolves({ Item: item() });
    ddb.on(UpdateCommand).resolves({});
    graphAnswer = async () => {
      throw new TypeError('boom');
    };
    await expect(sendReply(request, deps)).rejects.toThrow('boom');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });
});

describe('sendReply near the end of its invocation', () => {
  it('does not claim a send it could not finish before the invocation is cut off', async () => {
    ddb.on(GetCommand).resolves({ Item: item() });
    ddb.on(UpdateCommand).resolves({});
    // 2 s of pacing + 10 s for the Graph call + 3 s to record the answer do not fit in 14 s.
    await expect(sendReply(request, { ...deps, remainingMs: () => 14_000 })).rejects.toMatchObject({ name: 'SendDeferredError', cause_: 'deadline' });
    expect(graphCalls).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('hands the claim back, untouched at Meta, when the pacing wait used up the time the send needs', async () => {
    ddb.on(GetCommand).resolves({ Item: item() });
    ddb.on(UpdateCommand).resolves({});
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
      } as unknown as NonNullable<SendReplyDeps['pacer']>,
    };
    await expect(sendReply(request, pacedDeps)).rejects.toMatchObject({ name: 'SendDeferredError', cause_: 'deadline' });
    expect(graphCalls).toHaveLength(0);
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates[0]!.ConditionExpression).toBe('#status = :pending');
    // The claim and then its release back to pending.
    expect(updates).toHaveLength(2);
    expect(updates[1]!.ExpressionAttributeValues).toMatchObject({ ':pending': 'pending' });
  });

  it('sends as usual with time to spare, skipping only the read receipt when it would not fit', async () => {
    ddb.on(GetCommand).resolves({ Item: item({ markReadMessageId: 'wamid.customer' }) });
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    const readReceipts = () => graphCalls.filter((c) => (c.request.body as { status?: string }).status === 'read').length;
    // With time enough, the read receipt goes first.
    expect((await sendReply(request, { ...deps, remainingMs: () => 30_000, maxWaitMs: 0 })).outcome).toBe('sent');
    expect(readReceipts()).toBe(1);
    graphCalls = [];
    // Enough for the send (10 s + 3 s) but not for a read receipt first (20 s + 3 s).
    const result = await sendReply(request, { ...deps, remainingMs: () => 16_000, maxWaitMs: 0 });
    expect(result.outcome).toBe('sent');
    expect(readReceipts()).toBe(0);
    expect(graphCalls).toHaveLength(1);
  });
});
