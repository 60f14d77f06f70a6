import { QueryCommand, TransactGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CONVERSATION_SK, conversationPk, TABLE_KEYS } from '#lambdas/conversation/table-keys';
import { agentSk, routingPk, waitingPk } from '#lambdas/routing/routing-keys';

/**
 * The contact centre's invariants, checked on the table itself (not through the APIs that could
 * share a bug with the engine): no agent above capacity, no conversation held by two agents, every
 * agent's load equal to what is offered or assigned to them, and every handed-off conversation
 * queued (on the waiting index), offered, assigned or closed — none lost from its queue.
 */
export interface AgentSnapshot {
  agentId: string;
  maxConcurrent: number;
  presence: string;
  activeConversationKeys: string[];
}

export interface ConversationSnapshot {
  conversationKey: string;
  /** The conversation's own state: bot, human, closed. */
  state?: string;
  routingStatus?: string;
  queueId?: string;
  offeredAgentId?: string;
  assignedAgentId?: string;
  gsi2pk?: string;
}

export interface RoutingSnapshot {
  businessId: string;
  agents: AgentSnapshot[];
  conversations: ConversationSnapshot[];
}

const HOLDING = new Set(['offered', 'assigned']);
const IN_ROUTING = new Set(['queued', 'offered', 'assigned']);

const strings = (value: unknown): string[] =>
  value instanceof Set ? [...value].map(String) : Array.isArray(value) ? value.map(String) : [];

function agentOf(item: Record<string, unknown>): AgentSnapshot {
  return {
    agentId: String(item.agentId ?? String(item.sk ?? '').replace(/^AGENT#/, '')),
    maxConcurrent: Number(item.maxConcurrent ?? 0),
    presence: String(item.presence ?? 'offline'),
    activeConversationKeys: strings(item.activeConversationKeys).sort(),
  };
}

function conversationOf(conversationKey: string, item: Record<string, unknown> | undefined): ConversationSnapshot {
  const pick = (field: string) => (item?.[field] === undefined ? {} : { [field]: String(item[field]) });
  return {
    conversationKey,
    ...pick('state'),
    ...pick('routingStatus'),
    ...pick('queueId'),
    ...pick('offeredAgentId'),
    ...pick('assignedAgentId'),
    ...pick('gsi2pk'),
  };
}

/** The agents of a business (their ids), read with a consistent Query. */
export async function agentIds(db: DynamoDBDocumentClient, tableName: string, businessId: string): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :agent)',
        ExpressionAttributeValues: { ':pk': routingPk(businessId), ':agent': 'AGENT#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) ids.push(agentOf(item).agentId);
    start = out.LastEvaluatedKey;
  } while (start);
  return ids;
}

/**
 * The agents and conversations read in one transaction when they fit in one (100 items): a
 * serializable snapshot, so the cross checks hold at any moment of a run, not only once it settled.
 * More items are read in several transactions; compare those only once the run is quiet.
 */
export async function readRoutingSnapshot(
  db: DynamoDBDocumentClient,
  tableName: string,
  businessId: string,
  agents: readonly string[],
  conversationKeys: readonly string[],
): Promise<RoutingSnapshot & { atomic: boolean }> {
  const keys = [
    ...agents.map((id) => ({ pk: routingPk(businessId), sk: agentSk(id) })),
    ...conversationKeys.map((key) => ({ pk: conversationPk(key), sk: CONVERSATION_SK })),
  ];
  const items: Array<Record<string, unknown> | undefined> = [];
  for (let i = 0; i < keys.length; i += 100) {
    const chunk = keys.slice(i, i + 100);
    const out = await db.send(new TransactGetCommand({ TransactItems: chunk.map((Key) => ({ Get: { TableName: tableName, Key } })) }));
    items.push(...(out.Responses ?? []).map((r) => r.Item));
  }
  return {
    businessId,
    atomic: keys.length <= 100,
    agents: items.slice(0, agents.length).flatMap((item) => (item ? [agentOf(item)] : [])),
    conversations: conversationKeys.map((key, i) => conversationOf(key, items[agents.length + i])),
  };
}

/**
 * What is wrong with a snapshot that must hold at every moment (each transition writes the
 * conversation and the agents' sets in one transaction): one line per violation, empty when sound.
 */
export function holdingViolations(snapshot: RoutingSnapshot): string[] {
  const problems: string[] = [];
  const holders = new Map<string, string[]>();
  for (const agent of snapshot.agents) {
    if (agent.activeConversationKeys.length > agent.maxConcurrent) {
      problems.push(`agent ${agent.agentId} holds ${agent.activeConversationKeys.length} conversations, capacity ${agent.maxConcurrent}`);
    }
    for (const key of agent.activeConversationKeys) holders.set(key, [...(holders.get(key) ?? []), agent.agentId]);
  }
  for (const [key, agents] of holders) {
    if (agents.length > 1) problems.push(`${key} held by ${agents.length} agents: ${agents.join(', ')}`);
  }
  const byKey = new Map(snapshot.conversations.map((c) => [c.conversationKey, c]));
  for (const agent of snapshot.agents) {
    for (const key of agent.activeConversationKeys) {
      const c = byKey.get(key);
      if (!c) continue; // a conversation outside the snapshot
      const mine = (c.routingStatus === 'offered' && c.offeredAgentId === agent.agentId) || (c.routingStatus === 'assigned' && c.assignedAgentId === agent.agentId);
      if (!mine) problems.push(`agent ${agent.agentId} counts ${key}, which is ${c.routingStatus ?? 'not in routing'}${c.offeredAgentId ? ` offered to ${c.offeredAgentId}` : ''}${c.assignedAgentId ? ` assigned to ${c.assignedAgentId}` : ''}`);
    }
  }
  const agentById = new Map(snapshot.agents.map((a) => [a.agentId, a]));
  for (const c of snapshot.conversations) {
    if (c.routingStatus && HOLDING.has(c.routingStatus)) {
      const agentId = c.routingStatus === 'offered' ? c.offeredAgentId : c.assignedAgentId;
      const agent = agentId ? agentById.get(agentId) : undefined;
      if (!agent) problems.push(`${c.conversationKey} is ${c.routingStatus} to ${agentId ?? 'nobody'}, no such agent`);
      else if (!agent.activeConversationKeys.includes(c.conversationKey)) problems.push(`${c.conversationKey} is ${c.routingStatus} to ${agentId}, whose load does not count it`);
    }
    if (c.routingStatus === 'queued') {
      if (!c.queueId || c.gsi2pk !== waitingPk(snapshot.businessId, c.queueId)) problems.push(`${c.conversationKey} is queued in ${c.queueId ?? 'no queue'} but not on that queue's waiting index`);
    } else if (c.gsi2pk !== undefined) problems.push(`${c.conversationKey} is ${c.routingStatus ?? 'not in routing'} but still on a waiting index`);
  }
  return problems;
}

/**
 * What is wrong once a run is quiet: the holding checks, plus every handed-off conversation in
 * routing or closed (none lost between the bot and the queues, none with the people without a
 * queue or an agent), and every queued one found on its queue's waiting index.
 */
export async function settledViolations(
  db: DynamoDBDocumentClient,
  tableName: string,
  snapshot: RoutingSnapshot,
  handedOff: ReadonlySet<string>,
): Promise<string[]> {
  const problems = holdingViolations(snapshot);
  for (const c of snapshot.conversations) {
    const routed = c.routingStatus !== undefined && (IN_ROUTING.has(c.routingStatus) || c.routingStatus === 'closed');
    if (handedOff.has(c.conversationKey) && !routed) problems.push(`${c.conversationKey} was handed off but is ${c.routingStatus ?? 'not in routing'} (state ${c.state ?? 'none'})`);
    if (c.state === 'human' && !(c.routingStatus && IN_ROUTING.has(c.routingStatus))) {
      problems.push(`${c.conversationKey} is with the people but ${c.routingStatus ?? 'not in routing'}: lost from its queue`);
    }
  }
  const queues = new Set(snapshot.conversations.filter((c) => c.routingStatus === 'queued').map((c) => c.queueId!));
  for (const queueId of queues) {
    const listed = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE_KEYS.gsi2.name,
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': waitingPk(snapshot.businessId, queueId) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) listed.add(String(item.conversationKey));
      start = out.LastEvaluatedKey;
    } while (start);
    for (const c of snapshot.conversations) {
      if (c.routingStatus === 'queued' && c.queueId === queueId && !listed.has(c.conversationKey)) problems.push(`${c.conversationKey} is queued in ${queueId} but missing from its waiting list`);
    }
  }
  return problems;
}
