import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectionOwnerPk, connectionsPk, CONNECTION_OWNER_SK } from '#lambdas/push/push-keys';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { LOCAL_CREDENTIALS } from '#lib/local-cloud/dynamodb-local';
import { LOCAL_WHATSAPP_PHONE_NUMBER_ID } from '#lib/local-cloud/graph-simulator/accounts';
import { LOCAL_BUSINESS_ID } from '#lib/operations/operator-token';
import { eventually, LocalCloudHarness, settle } from '#test/e2e/local-cloud-harness';

/**
 * The agents' WebSocket API through the local cloud: the template's authoriser Lambda verifying
 * local tokens with aws-jwt-verify, the connections function keeping connections in DynamoDB Local,
 * and the push consumer fed from the bus posting through the emulated management API.
 */
const KEY = `wa:${LOCAL_WHATSAPP_PHONE_NUMBER_ID}:5511900000777`;

const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);
const open: WebSocket[] = [];

beforeAll(async () => {
  await harness.start();
}, 300_000);
afterAll(async () => {
  for (const ws of open) ws.terminate();
  await harness.stop();
}, 60_000);

interface Client {
  ws: WebSocket;
  frames: any[];
}

/** Opens a connection; resolves with the client, or rejects with the handshake's HTTP status. */
function connect(token: string | undefined): Promise<Client> {
  const url = `${harness.cloud.webSocketUrl}${token !== undefined ? `?token=${encodeURIComponent(token)}` : ''}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: any[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    ws.once('open', () => {
      open.push(ws);
      resolve({ ws, frames });
    });
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

async function refusal(token: string | undefined): Promise<number | undefined> {
  try {
    const client = await connect(token);
    client.ws.terminate();
    return 200;
  } catch (err) {
    return (err as { status?: number }).status;
  }
}

async function publish(detailType: string, source: string, detail: Record<string, unknown>): Promise<void> {
  const events = new EventBridgeClient({ endpoint: harness.cloud.awsEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  const out = await events.send(
    new PutEventsCommand({
      Entries: [{ EventBusName: harness.cloud.topology.buses[0]!.name, Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }],
    }),
  );
  expect(out.FailedEntryCount ?? 0).toBe(0);
}

async function connectionItems(businessId: string): Promise<string[]> {
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const out = await harness.db.send(
    new QueryCommand({
      TableName: harness.cloud.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': connectionsPk(businessId) },
    }),
  );
  return (out.Items ?? []).map((i) => String(i.sk));
}

describe('agent pushes over the WebSocket API', () => {
  it('refuses a connection without a token, with an expired one, one signed by another key (401) and one without the agent scope (403)', async () => {
    const identity = harness.cloud.identity!;
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(undefined)).toBe(401);
    expect(await refusal('not-a-token')).toBe(401);
    expect(
      await refusal(
        (await identity.issueToken({ businessId: LOCAL_BUSINESS_ID, subject: 'ana', roles: ['agent'], issuedAt: now - 7200, expiresIn: 600 })).accessToken,
      ),
    ).toBe(401);
    expect(await refusal(await harness.operatorTokenSignedByAnotherKey({ roles: ['agent'], subject: 'ana' }))).toBe(401);
    expect(
      await refusal(
        (await identity.issueToken({ businessId: LOCAL_BUSINESS_ID, subject: 'ana', roles: ['agent'], scopes: ['omnichannel/templates'] })).accessToken,
      ),
    ).toBe(403);
    expect(harness.cloud.webSocketApi!.connectionIds()).toEqual([]);
    expect(await connectionItems(LOCAL_BUSINESS_ID)).toEqual([]);
  }, 60_000);

  it("pushes a customer message of a conversation assigned to an agent to that agent and the business's supervisor, never to another business; answers pings", async () => {
    const ana = await connect(await harness.operatorToken({ roles: ['agent'], subject: 'ana' }));
    const bruno = await connect(await harness.operatorToken({ roles: ['agent'], subject: 'bruno' }));
    const supervisor = await connect(await harness.operatorToken({ roles: ['supervisor'], subject: 'sofia' }));
    const otherBusiness = await connect(await harness.operatorToken({ roles: ['supervisor'], subject: 'ana', businessId: 'globex' }));
    await eventually(async () => (await connectionItems(LOCAL_BUSINESS_ID)).length === 3, 'three connections of the local business kept');
    expect(await connectionItems('globex')).toHaveLength(1);

    ana.ws.send(JSON.stringify({ action: 'ping' }));
    await eventually(async () => ana.frames.find((f) => f.type === 'pong'), 'a pong');

    await harness.db.send(
      new PutCommand({
        TableName: harness.cloud.tableName,
        Item: {
          pk: `CONV#${KEY}`,
          sk: 'CONV',
          entity: 'Conversation',
          conversationKey: KEY,
          channel: 'whatsapp',
          accountId: LOCAL_WHATSAPP_PHONE_NUMBER_ID,
          state: 'human',
          routingStatus: 'assigned',
          assignedAgentId: 'ana',
          queueId: 'general',
          version: 3,
        },
      }),
    );
    await publish(DETAIL_TYPE.messageReceived, EVENT_SOURCE.normalizer, {
      v: 1,
      conversationKey: KEY,
      channel: 'whatsapp',
      accountId: LOCAL_WHATSAPP_PHONE_NUMBER_ID,
      providerMessageId: 'wamid.PUSH1',
      occurredAt: new Date().toISOString(),
    });
    const pushed = await eventually(async () => ana.frames.find((f) => f.type === 'message.received'), 'the push to the assigned agent', 30_000);
    expect(pushed).toEqual({ type: 'message.received', conversationKey: KEY, messageId: 'wamid.PUSH1', at: expect.any(String) });
    await eventually(async () => supervisor.frames.find((f) => f.type === 'message.received'), 'the push to the supervisor');
    await settle(1500);
    expect(bruno.frames.filter((f) => f.type !== 'pong')).toEqual([]);
    expect(otherBusiness.frames).toEqual([]);

    // An offer reaches the offered agent alone.
    await publish(DETAIL_TYPE.conversationOffered, EVENT_SOURCE.routing, {
      v: 1,
      businessId: LOCAL_BUSINESS_ID,
      conversationKey: KEY,
      agentId: 'bruno',
      queueId: 'general',
      offerId: 'o-1',
    });
    await eventually(async () => bruno.frames.find((f) => f.type === 'conversation.offered'), 'the offer to bruno');
    await settle(1000);
    expect(ana.frames.some((f) => f.type === 'conversation.offered')).toBe(false);
    expect(supervisor.frames.some((f) => f.type === 'conversation.offered')).toBe(false);
    expect(otherBusiness.frames).toEqual([]);
  }, 120_000);

  it("deletes a closed connection's items, and a gone connection's items on the next push", async () => {
    const carla = await connect(await harness.operatorToken({ roles: ['agent'], subject: 'carla' }));
    await eventually(
      async () => harness.cloud.webSocketApi!.connectionIds().length > 0 && (await connectionItems(LOCAL_BUSINESS_ID)).length >= 1,
      'carla connected',
    );
    const before = await connectionItems(LOCAL_BUSINESS_ID);
    carla.ws.close();
    await eventually(async () => (await connectionItems(LOCAL_BUSINESS_ID)).length === before.length - 1, 'the closed connection deleted');

    // A connection API Gateway no longer has (its $disconnect never ran): the next push to it deletes it.
    const ghost = 'R2hvc3RDb25uMQ=';
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    await harness.db.send(
      new PutCommand({
        TableName: harness.cloud.tableName,
        Item: {
          pk: connectionsPk(LOCAL_BUSINESS_ID),
          sk: ghost,
          entity: 'AgentConnection',
          businessId: LOCAL_BUSINESS_ID,
          connectionId: ghost,
          agentId: 'ana',
          roles: ['agent'],
          connectedAt: new Date().toISOString(),
          expiresAt,
        },
      }),
    );
    await harness.db.send(
      new PutCommand({
        TableName: harness.cloud.tableName,
        Item: { pk: connectionOwnerPk(ghost), sk: CONNECTION_OWNER_SK, entity: 'AgentConnectionOwner', businessId: LOCAL_BUSINESS_ID, expiresAt },
      }),
    );
    await publish(DETAIL_TYPE.conversationAssigned, EVENT_SOURCE.routing, { v: 1, businessId: LOCAL_BUSINESS_ID, conversationKey: KEY, agentId: 'ana' });
    await eventually(async () => !(await connectionItems(LOCAL_BUSINESS_ID)).includes(ghost), 'the gone connection deleted', 30_000);
    expect(await harness.item(connectionOwnerPk(ghost), CONNECTION_OWNER_SK)).toBeUndefined();
  }, 90_000);
});
