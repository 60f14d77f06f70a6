import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import { CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';
import type { AgentChange, AgentState, RoutingStateStore, StoredRouting, TransitionOutcome } from '#lambdas/routing/engine/routing-state-store';
import { agentSk, routingPk, waitingPk, waitingSk } from '#lambdas/routing/routing-keys';
import type { Presence } from '#lambdas/routing/routing-model';
import { TABLE_KEYS } from '#lambdas/conversation/table-keys';

export interface RoutingStateStoreDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  sleep?: (ms: number) => Promise<void>;
}

/** Routing attributes a transition writes (scalars and maps); `tags` and `declinedBy` are string sets. */
export const SCALAR_FIELDS = [
  'businessId',
  'routingStatus',
  'queueId',
  'routingPriority',
  'queuedAt',
  'offeredAgentId',
  'offeredAt',
  'offerExpiresAt',
  'offerId',
  'assignedAgentId',
  'assignedAt',
  'firstHumanResponseAt',
  'closedAt',
  'closeOutcome',
  'slaFirstResponseDueAt',
  'slaResolutionDueAt',
  'slaState',
  'slaFirstResponseState',
  'slaResolutionState',
  'transfers',
  'handoffContext',
  'routingHandoffAt',
  'routingHandoffVersion',
] as const satisfies ReadonlyArray<keyof StoredRouting>;
export const SET_FIELDS = ['tags', 'declinedBy'] as const satisfies ReadonlyArray<keyof StoredRouting>;
const FACT_FIELDS = ['conversationKey', 'channel', 'accountId', 'customerId', 'language', 'routingVersion'] as const;

const AGENT_PREFIX = 'AGENT#';
const CONFLICT_ATTEMPTS = 5;

/** The routing state on the single table (see routing-keys.ts and routing-model.ts). */
export function dynamoRoutingStateStore(deps: RoutingStateStoreDeps): RoutingStateStore {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const names = Object.fromEntries([...SCALAR_FIELDS, ...SET_FIELDS, ...FACT_FIELDS].map((f) => [`#${f}`, f]));

  return {
    async getRouting(conversationKey) {
      const out = await deps.db.send(
        new GetCommand({
          TableName: deps.tableName,
          Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK },
          ConsistentRead: true,
          ProjectionExpression: Object.keys(names).join(', '),
          ExpressionAttributeNames: names,
        }),
      );
      return out.Item ? routingOf(conversationKey, out.Item) : undefined;
    },

    async transition(current, next, agents, at) {
      const write = conversationUpdate(current, next, deps.tableName);
      let pending = [...agents];
      for (let attempt = 1; ; attempt++) {
        try {
          if (pending.length === 0) await deps.db.send(new UpdateCommand(write));
          else {
            await deps.db.send(
              new TransactWriteCommand({
                TransactItems: [
                  { Update: write },
                  ...pending.map((change) => ({ Update: agentUpdate(next.businessId, current.conversationKey, change, at, deps.tableName) })),
                ],
              }),
            );
          }
          return { ok: true, routing: { ...next, routingVersion: current.routingVersion + 1 } };
        } catch (err) {
          if (isConditionalCheckFailed(err)) return { ok: false, failed: 'conversation_changed' };
          const e = err as { name?: string };
          if (e.name !== 'TransactionCanceledException') throw err;
          const codes = cancellationCodes(err);
          if (codes[0] === 'ConditionalCheckFailed') return { ok: false, failed: 'conversation_changed' };
          const refused = pending.find((_, i) => codes[i + 1] === 'ConditionalCheckFailed');
          if (refused && 'take' in refused) return { ok: false, failed: 'agent_unavailable', agentId: refused.agentId } satisfies TransitionOutcome;
          if (refused) {
            // An agent releasing the conversation no longer exists: nothing of theirs to free.
            pending = pending.filter((change) => change !== refused);
            continue;
          }
          if (!codes.some((c) => c === 'TransactionConflict') || attempt >= CONFLICT_ATTEMPTS) {
            if (codes.some((c) => c === 'TransactionConflict')) return { ok: false, failed: 'conversation_changed' };
            throw err;
          }
          await sleep(10 * 2 ** attempt + Math.floor(Math.random() * 20));
        }
      }
    },

    async waiting(businessId, queueId, limit, cursor) {
      const out = await deps.db.send(
        new QueryCommand({
          TableName: deps.tableName,
          IndexName: TABLE_KEYS.gsi2.name,
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': waitingPk(businessId, queueId) },
          Limit: Math.max(1, Math.min(100, limit)),
          ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor) } : {}),
        }),
      );
      return {
        entries: (out.Items ?? [])
          .map((item) => ({
            conversationKey: String(item.conversationKey ?? ''),
            priority: Number(item.routingPriority ?? 0),
            queuedAt: String(item.queuedAt ?? ''),
          }))
          .filter((e) => e.conversationKey !== ''),
        ...(out.LastEvaluatedKey ? { cursor: Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url') } : {}),
      };
    },

    async agentStates(businessId) {
      const states: AgentState[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await deps.db.send(
          new QueryCommand({
            TableName: deps.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :agent)',
            ExpressionAttributeValues: { ':pk': routingPk(businessId), ':agent': AGENT_PREFIX },
            ProjectionExpression: 'sk, agentId, presence, presenceChangedAt, activeConversationKeys, lastActivityAt',
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of out.Items ?? []) states.push(agentStateOf(item));
        start = out.LastEvaluatedKey;
      } while (start);
      return states;
    },

    async setPresence(businessId, agentId, presence, at) {
      const Key = { pk: routingPk(businessId), sk: agentSk(agentId) };
      const found = await deps.db.send(new GetCommand({ TableName: deps.tableName, Key, ConsistentRead: true }));
      if (!found.Item) return undefined;
      const before = agentStateOf(found.Item);
      if (before.presence === presence) return { before: before.presence, after: before };
      try {
        const out = await deps.db.send(
          new UpdateCommand({
            TableName: deps.tableName,
            Key,
            UpdateExpression: 'SET presence = :presence, presenceChangedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(presence) OR presence <> :presence)',
            ExpressionAttributeValues: { ':presence': presence, ':at': at },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { before: before.presence, after: agentStateOf(out.Attributes ?? {}) };
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        // Set meanwhile (or the agent was removed): report what is there now.
        const now = await deps.db.send(new GetCommand({ TableName: deps.tableName, Key, ConsistentRead: true }));
        return now.Item ? { before: presence, after: agentStateOf(now.Item) } : undefined;
      }
    },
  };
}

function conversationUpdate(current: StoredRouting, next: StoredRouting, tableName: string) {
  const set: string[] = ['#routingVersion = :nextVersion'];
  const remove: string[] = [];
  const add: string[] = [];
  const names: Record<string, string> = { '#routingVersion': 'routingVersion' };
  const values: Record<string, unknown> = { ':nextVersion': current.routingVersion + 1 };
  for (const field of SCALAR_FIELDS) {
    const before = current[field];
    const after = next[field];
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    names[`#${field}`] = field;
    if (after === undefined) remove.push(`#${field}`);
    else {
      set.push(`#${field} = :${field}`);
      values[`:${field}`] = after;
    }
  }
  for (const field of SET_FIELDS) {
    const before = new Set(current[field]);
    const after = new Set(next[field]);
    const added = [...after].filter((v) => !before.has(v));
    const dropped = [...before].filter((v) => !after.has(v));
    if (dropped.length > 0 && after.size > 0) throw new Error(`A transition cannot remove part of ${field}`);
    if (added.length === 0 && dropped.length === 0) continue;
    names[`#${field}`] = field;
    if (after.size === 0) remove.push(`#${field}`);
    else {
      add.push(`#${field} :${field}`);
      values[`:${field}`] = new Set(added);
    }
  }
  if (next.routingStatus === 'queued') {
    if (!next.queueId || next.routingPriority === undefined || !next.queuedAt) throw new Error('A queued conversation needs its queue, priority and time');
    set.push('gsi2pk = :gsi2pk', 'gsi2sk = :gsi2sk');
    values[':gsi2pk'] = waitingPk(next.businessId, next.queueId);
    values[':gsi2sk'] = waitingSk(next.routingPriority, next.queuedAt, next.conversationKey);
  } else remove.push('gsi2pk', 'gsi2sk');
  const versionHolds =
    current.routingVersion === 0 ? '(attribute_not_exists(#routingVersion) OR #routingVersion = :seenVersion)' : '#routingVersion = :seenVersion';
  values[':seenVersion'] = current.routingVersion;
  return {
    TableName: tableName,
    Key: { pk: conversationPk(current.conversationKey), sk: CONVERSATION_SK },
    UpdateExpression: [`SET ${set.join(', ')}`, remove.length ? `REMOVE ${remove.join(', ')}` : '', add.length ? `ADD ${add.join(', ')}` : '']
      .filter(Boolean)
      .join(' '),
    ConditionExpression: `attribute_exists(pk) AND ${versionHolds}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function agentUpdate(businessId: string, conversationKey: string, change: AgentChange, at: string, tableName: string) {
  const Key = { pk: routingPk(businessId), sk: agentSk(change.agentId) };
  if ('take' in change) {
    return {
      TableName: tableName,
      Key,
      UpdateExpression: 'ADD activeConversationKeys :keys SET lastActivityAt = :at',
      ConditionExpression:
        'presence = :online AND (attribute_not_exists(activeConversationKeys) OR size(activeConversationKeys) < :max) AND NOT contains(activeConversationKeys, :key)',
      ExpressionAttributeValues: {
        ':keys': new Set([conversationKey]),
        ':at': at,
        ':online': 'online',
        ':max': change.take.maxConcurrent,
        ':key': conversationKey,
      },
    };
  }
  return {
    TableName: tableName,
    Key,
    UpdateExpression: 'DELETE activeConversationKeys :keys SET lastActivityAt = :at',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':keys': new Set([conversationKey]), ':at': at },
  };
}

const list = (value: unknown): string[] => (value instanceof Set ? [...value].map(String) : Array.isArray(value) ? value.map(String) : []).sort();

function routingOf(conversationKey: string, item: Record<string, unknown>): StoredRouting {
  const routing: Record<string, unknown> = {
    conversationKey,
    businessId: '',
    channel: item.channel,
    accountId: item.accountId,
    customerId: item.customerId,
    ...(item.language !== undefined ? { language: item.language } : {}),
    routingVersion: Number(item.routingVersion ?? 0),
    transfers: 0,
  };
  for (const field of SCALAR_FIELDS) if (item[field] !== undefined) routing[field] = item[field];
  for (const field of SET_FIELDS) routing[field] = list(item[field]);
  routing.transfers = Number(routing.transfers ?? 0);
  if (routing.routingPriority !== undefined) routing.routingPriority = Number(routing.routingPriority);
  if (routing.routingHandoffVersion !== undefined) routing.routingHandoffVersion = Number(routing.routingHandoffVersion);
  return routing as unknown as StoredRouting;
}

function agentStateOf(item: Record<string, unknown>): AgentState {
  const sk = String(item.sk ?? '');
  return {
    agentId: String(item.agentId ?? sk.slice(AGENT_PREFIX.length)),
    presence: (item.presence as Presence | undefined) ?? 'offline',
    ...(item.presenceChangedAt ? { presenceChangedAt: String(item.presenceChangedAt) } : {}),
    activeConversationKeys: list(item.activeConversationKeys),
    ...(item.lastActivityAt ? { lastActivityAt: String(item.lastActivityAt) } : {}),
  };
}

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object') return key as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new Error('Invalid waiting-list cursor');
}
