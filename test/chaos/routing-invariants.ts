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
  routingVersion?: number;
}

/** What a violation breaks: the issue's checks (capacity, assigned twice, load, lost from its queue). */
export type ViolationKind = 'over_capacity' | 'held_twice' | 'load_mismatch' | 'lost';

export interface Violation {
  kind: ViolationKind;
  detail: string;
}

export interface RoutingSnapshot {
  businessId: string;
  agents: AgentSnapshot[];
  conversations: ConversationSnapshot[];
}

const HOLDING = new Set(['offered', 'assigned']);
const IN_ROUTING = new Set(['queued', 'offered', 'assigned']);

const strings = (value: unknown): string[] => (value instanceof Set ? [...value].map(String) : Array.isArray(value) ? value.map(String) : []);

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
    ...(item?.routingVersion !== undefined ? { routingVersion: Number(item.routingVersion) } : {}),
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
 * The agents and conversations, each read of the agents and up to 100 items in all in one
 * transaction: a serializable snapshot, so the cross checks hold at any moment of a run, not only
 * once it settled. More conversations are read in several such parts (`parts`), each whole.
 */
export async function readRoutingSnapshot(
  db: DynamoDBDocumentClient,
  tableName: string,
  businessId: string,
  agents: readonly string[],
  conversationKeys: readonly string[],
): Promise<RoutingSnapshot & { atomic: boolean; parts: RoutingSnapshot[] }> {
  const perPart = Math.max(1, 100 - agents.length);
  const parts: RoutingSnapshot[] = [];
  for (let i = 0; i === 0 || i < conversationKeys.length; i += perPart) {
    const chunk = conversationKeys.slice(i, i + perPart);
    const keys = [
      ...agents.map((id) => ({ pk: routingPk(businessId), sk: agentSk(id) })),
      ...chunk.map((key) => ({ pk: conversationPk(key), sk: CONVERSATION_SK })),
    ];
    const out = await db.send(new TransactGetCommand({ TransactItems: keys.map((Key) => ({ Get: { TableName: tableName, Key } })) }));
    const items = (out.Responses ?? []).map((r) => r.Item);
    parts.push({
      businessId,
      agents: items.slice(0, agents.length).flatMap((item) => (item ? [agentOf(item)] : [])),
      conversations: chunk.map((key, j) => conversationOf(key, items[agents.length + j])),
    });
  }
  return {
    businessId,
    atomic: parts.length === 1,
    parts,
    // The agents as the last part saw them; the conversations of every part.
    agents: parts[parts.length - 1]!.agents,
    conversations: parts.flatMap((p) => p.conversations),
  };
}

/**
 * What is wrong with a snapshot that must hold at every moment (each transition writes the
 * conversation and the agents' sets in one transaction): one line per violation, empty when sound.
 */
export function holdingViolations(snapshot: RoutingSnapshot): Violation[] {
  const problems: Violation[] = [];
  const problem = (kind: ViolationKind, detail: string) => problems.push({ kind, detail });
  const holders = new Map<string, string[]>();
  for (const agent of snapshot.agents) {
    if (agent.activeConversationKeys.length > agent.maxConcurrent) {
      problem('over_capacity', `agent ${agent.agentId} holds ${agent.activeConversationKeys.length} conversations, capacity ${agent.maxConcurrent}`);
    }
    for (const key of agent.activeConversationKeys) holders.set(key, [...(holders.get(key) ?? []), agent.agentId]);
  }
  for (const [key, agents] of holders) {
    if (agents.length > 1) problem('held_twice', `${key} held by ${agents.length} agents: ${agents.join(', ')}`);
  }
  const byKey = new Map(snapshot.conversations.map((c) => [c.conversationKey, c]));
  for (const agent of snapshot.agents) {
    for (const key of agent.activeConversationKeys) {
      const c = byKey.get(key);
      if (!c) continue; // a conversation outside the snapshot
      const mine =
        (c.routingStatus === 'offered' && c.offeredAgentId === agent.agentId) || (c.routingStatus === 'assigned' && c.assignedAgentId === agent.agentId);
      if (!mine)
        problem(
          'held_twice',
          `agent ${agent.agentId} counts ${key}, which is ${c.routingStatus ?? 'not in routing'}${c.offeredAgentId ? ` offered to ${c.offeredAgentId}` : ''}${c.assignedAgentId ? ` assigned to ${c.assignedAgentId}` : ''}`,
        );
    }
  }
  const agentById = new Map(snapshot.agents.map((a) => [a.agentId, a]));
  for (const c of snapshot.conversations) {
    if (c.routingStatus && HOLDING.has(c.routingStatus)) {
      const agentId = c.routingStatus === 'offered' ? c.offeredAgentId : c.assignedAgentId;
      const agent = agentId ? agentById.get(agentId) : undefined;
      if (!agent) problem('load_mismatch', `${c.conversationKey} is ${c.routingStatus} to ${agentId ?? 'nobody'}, no such agent`);
      else if (!agent.activeConversationKeys.includes(c.conversationKey))
        problem('load_mismatch', `${c.conversationKey} is ${c.routingStatus} to ${agentId}, whose load does not count it`);
    }
    if (c.routingStatus === 'queued') {
      if (!c.queueId || c.gsi2pk !== waitingPk(snapshot.businessId, c.queueId))
        problem('lost', `${c.conversationKey} is queued in ${c.queueId ?? 'no queue'} but not on that queue's waiting index`);
    } else if (c.gsi2pk !== undefined) problem('lost', `${c.conversationKey} is ${c.routingStatus ?? 'not in routing'} but still on a waiting index`);
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
): Promise<Violation[]> {
  const problems = holdingViolations(snapshot);
  const problem = (kind: ViolationKind, detail: string) => problems.push({ kind, detail });
  for (const c of snapshot.conversations) {
    const routed = c.routingStatus !== undefined && (IN_ROUTING.has(c.routingStatus) || c.routingStatus === 'closed');
    if (handedOff.has(c.conversationKey) && !routed)
      problem('lost', `${c.conversationKey} was handed off but is ${c.routingStatus ?? 'not in routing'} (state ${c.state ?? 'none'})`);
    if (c.state === 'closed' && c.routingStatus && HOLDING.has(c.routingStatus)) {
      problem(
        'load_mismatch',
        `${c.conversationKey} is closed but still ${c.routingStatus} to ${c.offeredAgentId ?? c.assignedAgentId}: a place held for nobody`,
      );
    }
    if (c.state === 'human' && !(c.routingStatus && IN_ROUTING.has(c.routingStatus))) {
      problem('lost', `${c.conversationKey} is with the people but ${c.routingStatus ?? 'not in routing'}: lost from its queue`);
    }
  }
  for (const c of snapshot.conversations) {
    if (c.routingStatus !== 'queued') continue;
    if (!(await waitingList(db, tableName, snapshot.businessId, c.queueId!)).has(c.conversationKey)) {
      problem('lost', `${c.conversationKey} is queued in ${c.queueId} but missing from its waiting list`);
    }
  }
  return problems;
}

/** The conversations a queue's waiting index lists (gsi2), read now. */
export async function waitingList(db: DynamoDBDocumentClient, tableName: string, businessId: string, queueId: string): Promise<Set<string>> {
  const listed = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE_KEYS.gsi2.name,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': waitingPk(businessId, queueId) },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) listed.add(String(item.conversationKey));
    start = out.LastEvaluatedKey;
  } while (start);
  return listed;
}

/**
 * While a run goes on: the conversations queued, unchanged (same routing version), in a snapshot
 * taken before and one taken after reading the waiting lists must be on their queue's list.
 */
export async function waitingIndexViolations(
  db: DynamoDBDocumentClient,
  tableName: string,
  readSnapshot: () => Promise<RoutingSnapshot>,
): Promise<{ checked: number; violations: Violation[] }> {
  const before = await readSnapshot();
  const queues = [...new Set(before.conversations.filter((c) => c.routingStatus === 'queued').map((c) => c.queueId!))];
  const lists = new Map<string, Set<string>>();
  for (const queueId of queues) lists.set(queueId, await waitingList(db, tableName, before.businessId, queueId));
  const after = new Map((await readSnapshot()).conversations.map((c) => [c.conversationKey, c]));
  const violations: Violation[] = [];
  let checked = 0;
  for (const c of before.conversations) {
    const later = after.get(c.conversationKey);
    if (c.routingStatus !== 'queued' || later?.routingStatus !== 'queued' || later.routingVersion !== c.routingVersion) continue;
    checked++;
    if (!lists.get(c.queueId!)?.has(c.conversationKey))
      violations.push({ kind: 'lost', detail: `${c.conversationKey} waits in ${c.queueId} but its waiting list does not show it` });
  }
  return { checked, violations };
}

/** Violations counted by kind, every kind present (0 when none). */
export function countViolations(violations: readonly Violation[]): Record<ViolationKind, number> {
  const counts: Record<ViolationKind, number> = { over_capacity: 0, held_twice: 0, load_mismatch: 0, lost: 0 };
  for (const v of violations) counts[v.kind]++;
  return counts;
}
