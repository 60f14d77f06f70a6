import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';
import type { ConnectionRegistry } from '#lambdas/push/connection-lifecycle';
import type { ConnectionStore } from '#lambdas/push/push-change';
import { CONNECTION_OWNER_SK, CONNECTION_TTL_SECONDS, connectionOwnerPk, connectionsPk } from '#lambdas/push/push-keys';
import type { AgentConnection, ConversationPeople } from '#lambdas/push/recipients';
import type { OperatorRole } from '#lambdas/identity/operator-identity';
import type { RoutingStatus } from '#lambdas/routing/routing-model';

/** Connections listed per push, at most: a business has far fewer people signed in at once. */
export const MAX_CONNECTIONS_PER_BUSINESS = 2000;

/** The agents' WebSocket connections in the single table (see push-keys.ts). */
export function dynamoConnectionStore(db: DynamoDBDocumentClient, tableName: string): ConnectionStore & ConnectionRegistry {
  return {
    async add(connection: AgentConnection): Promise<void> {
      const expiresAt = Math.floor(Date.parse(connection.connectedAt) / 1000) + CONNECTION_TTL_SECONDS;
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: {
                  pk: connectionsPk(connection.businessId),
                  sk: connection.connectionId,
                  entity: 'AgentConnection',
                  businessId: connection.businessId,
                  connectionId: connection.connectionId,
                  agentId: connection.agentId,
                  roles: connection.roles,
                  connectedAt: connection.connectedAt,
                  expiresAt,
                },
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  pk: connectionOwnerPk(connection.connectionId),
                  sk: CONNECTION_OWNER_SK,
                  entity: 'AgentConnectionOwner',
                  businessId: connection.businessId,
                  expiresAt,
                },
              },
            },
          ],
        }),
      );
    },

    async businessOf(connectionId: string): Promise<string | undefined> {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: { pk: connectionOwnerPk(connectionId), sk: CONNECTION_OWNER_SK } }));
      const businessId = out.Item?.businessId;
      return typeof businessId === 'string' ? businessId : undefined;
    },

    async remove(businessId: string, connectionId: string): Promise<void> {
      // Two single deletes rather than a transaction: either may already be gone, and each is idempotent.
      await db.send(new DeleteCommand({ TableName: tableName, Key: { pk: connectionsPk(businessId), sk: connectionId } }));
      await db.send(new DeleteCommand({ TableName: tableName, Key: { pk: connectionOwnerPk(connectionId), sk: CONNECTION_OWNER_SK } }));
    },

    async listByBusiness(businessId: string): Promise<AgentConnection[]> {
      const connections: AgentConnection[] = [];
      const nowSeconds = Math.floor(Date.now() / 1000);
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': connectionsPk(businessId) },
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of out.Items ?? []) {
          // TTL deletes lag; an expired connection is one API Gateway already closed.
          if (typeof item.expiresAt === 'number' && item.expiresAt <= nowSeconds) continue;
          if (typeof item.connectionId !== 'string' || typeof item.agentId !== 'string') continue;
          connections.push({
            businessId,
            connectionId: item.connectionId,
            agentId: item.agentId,
            roles: Array.isArray(item.roles) ? (item.roles as OperatorRole[]) : [],
            connectedAt: String(item.connectedAt ?? ''),
          });
        }
        startKey = out.LastEvaluatedKey;
      } while (startKey && connections.length < MAX_CONNECTIONS_PER_BUSINESS);
      return connections.slice(0, MAX_CONNECTIONS_PER_BUSINESS);
    },
  };
}

/** Who works a conversation now: the routing attributes of its Conversation item. */
export function dynamoConversationPeople(db: DynamoDBDocumentClient, tableName: string): (conversationKey: string) => Promise<ConversationPeople | undefined> {
  return async (conversationKey) => {
    const out = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK },
        ProjectionExpression: '#state, routingStatus, offeredAgentId, assignedAgentId, accountId',
        ExpressionAttributeNames: { '#state': 'state' },
      }),
    );
    const item = out.Item;
    if (!item) return undefined;
    const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
    const people: ConversationPeople = {};
    if (text(item.state)) people.state = item.state as string;
    if (text(item.routingStatus)) people.routingStatus = item.routingStatus as RoutingStatus;
    if (text(item.offeredAgentId)) people.offeredAgentId = item.offeredAgentId as string;
    if (text(item.assignedAgentId)) people.assignedAgentId = item.assignedAgentId as string;
    if (text(item.accountId)) people.accountId = item.accountId as string;
    return people;
  };
}
