import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { agentSk, queueSk, routingPk } from '#lambdas/routing/routing-keys';
import type { CloseOutcome, RoutingLanguage, SlaState } from '#lambdas/routing/routing-model';
import type { SeedLanguage } from '#lib/analytics/seed/seed-plan';

/**
 * The contact-centre side of the seed: the queues and agents of the seed business, which queue and
 * agent each handed-off conversation went to, and the routing facts (routing-model.ts,
 * `ConversationRouting`) written on its Conversation item once it has been moved in time, so the
 * per-queue and per-agent analytics have a realistic, repeatable story: several queues, VIP
 * customers served first, transfers, SLA breaches, customers who leave.
 *
 * The conversations themselves are played live (the person's replies and the close go through the
 * human-agent API); the routing facts come from the plan and the conversation's own times, so the
 * same seed always gives the same figures.
 */
export interface SeedQueue {
  queueId: string;
  name: string;
  languages: RoutingLanguage[];
  priority: number;
  firstResponseSeconds: number;
  resolutionSeconds: number;
}

export interface SeedAgent {
  agentId: string;
  name: string;
  languages: RoutingLanguage[];
  skills: string[];
  /** How often the agent is the one who takes a conversation they could take. */
  weight: number;
}

export const SEED_QUEUES: readonly SeedQueue[] = [
  { queueId: 'vip', name: 'VIP', languages: [], priority: 90, firstResponseSeconds: 300, resolutionSeconds: 4 * 3600 },
  { queueId: 'soporte-es', name: 'Soporte (español)', languages: ['es'], priority: 50, firstResponseSeconds: 600, resolutionSeconds: 8 * 3600 },
  { queueId: 'suporte-pt', name: 'Suporte (português)', languages: ['pt'], priority: 50, firstResponseSeconds: 900, resolutionSeconds: 8 * 3600 },
  { queueId: 'support-en', name: 'Support (English)', languages: ['en'], priority: 40, firstResponseSeconds: 900, resolutionSeconds: 8 * 3600 },
];

export const SEED_AGENTS: readonly SeedAgent[] = [
  { agentId: 'valentina', name: 'Valentina Ruiz', languages: ['es', 'pt', 'en'], skills: ['vip'], weight: 3 },
  { agentId: 'marta', name: 'Marta Díaz', languages: ['es', 'en'], skills: [], weight: 3 },
  { agentId: 'lucia', name: 'Lucía Romero', languages: ['es'], skills: [], weight: 2 },
  { agentId: 'ana', name: 'Ana Souza', languages: ['pt', 'es'], skills: [], weight: 3 },
  { agentId: 'joao', name: 'João Lima', languages: ['pt'], skills: [], weight: 2 },
  { agentId: 'sam', name: 'Sam Carter', languages: ['en', 'es'], skills: [], weight: 2 },
];

/** How a handoff ends for the contact centre. */
export type SeedOutcome = 'resolved' | 'unresolved' | 'no_response' | 'abandoned';

export interface RoutingPlan {
  vip: boolean;
  queueId: string;
  /** Who took it (the last agent, after any transfer); none when the customer left the queue. */
  agentId?: string;
  transfers: number;
  outcome: SeedOutcome;
  /** Of the person's wait: seconds the agent took to answer after accepting, and to accept the offer. */
  answerAfterAcceptMs: number;
  acceptAfterOfferMs: number;
}

function pick<T>(random: () => number, weighted: ReadonlyArray<readonly [T, number]>): T {
  const total = weighted.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

const languageQueue = (language: SeedLanguage) => SEED_QUEUES.find((q) => q.languages.includes(language))!.queueId;

/** Where one handoff goes and how it ends, drawn from the seed's own random source. */
export function planRouting(random: () => number, language: SeedLanguage): RoutingPlan {
  const vip = random() < 0.14;
  const outcome = pick<SeedOutcome>(random, [
    ['resolved', 76],
    ['unresolved', 9],
    ['no_response', 6],
    ['abandoned', 9],
  ]);
  // A transfer: to VIP when the agent sees who the customer is, else to another language's queue.
  const transfers =
    outcome === 'abandoned'
      ? 0
      : pick(random, [
          [0, 88],
          [1, 10],
          [2, 2],
        ] as const);
  const queueId = vip ? 'vip' : transfers > 0 && random() < 0.3 ? 'vip' : languageQueue(language);
  const eligible = SEED_AGENTS.filter((a) => a.languages.includes(language) && (queueId !== 'vip' || a.skills.includes('vip') || random() < 0.4));
  const agentId =
    outcome === 'abandoned'
      ? undefined
      : pick(
          random,
          (eligible.length > 0 ? eligible : SEED_AGENTS).map((a) => [a.agentId, a.weight] as const),
        );
  return {
    vip: queueId === 'vip' && vip,
    queueId,
    ...(agentId ? { agentId } : {}),
    transfers,
    outcome,
    answerAfterAcceptMs: Math.round((20 + random() * 100) * 1000),
    acceptAfterOfferMs: Math.round((3 + random() * 25) * 1000),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface ConversationTimes {
  /** The handoff (queued) time, as moved by the seed. */
  queuedMs: number;
  /** The person's first reply after the handoff; none when nobody answered. */
  firstHumanResponseMs?: number;
  closedMs?: number;
}

/** The routing attributes of routing-model.ts a conversation ends up with, from its times and its plan. */
export function routingAttributes(plan: RoutingPlan, times: ConversationTimes, businessId: string): Record<string, unknown> {
  const queue = SEED_QUEUES.find((q) => q.queueId === plan.queueId);
  if (!queue) throw new Error(`no seed queue ${plan.queueId}`);
  const { queuedMs, firstHumanResponseMs, closedMs } = times;
  const dueMs = queuedMs + queue.firstResponseSeconds * 1000;
  const warnMs = queuedMs + queue.firstResponseSeconds * 800;
  const answered = plan.agentId !== undefined && firstHumanResponseMs !== undefined && firstHumanResponseMs >= queuedMs;
  // The agent accepted a little before answering, and was offered it a little before that.
  const assignedMs = answered
    ? Math.max(queuedMs, firstHumanResponseMs - Math.min(plan.answerAfterAcceptMs, 0.6 * (firstHumanResponseMs - queuedMs)))
    : undefined;
  const offeredMs = assignedMs !== undefined ? Math.max(queuedMs, assignedMs - plan.acceptAfterOfferMs) : undefined;
  const measured = answered ? firstHumanResponseMs : closedMs;
  const slaState: SlaState = measured === undefined ? 'ok' : measured > dueMs ? 'breached' : measured > warnMs ? 'warning' : 'ok';
  const closeOutcome: CloseOutcome | undefined = plan.outcome === 'abandoned' ? undefined : plan.outcome;
  return {
    businessId,
    routingStatus: closedMs !== undefined ? 'closed' : answered ? 'assigned' : 'queued',
    queueId: queue.queueId,
    routingPriority: plan.vip ? 90 : queue.priority,
    ...(plan.vip ? { tags: new Set(['vip']) } : {}),
    queuedAt: iso(queuedMs),
    ...(offeredMs !== undefined && assignedMs !== undefined
      ? {
          offeredAt: iso(offeredMs),
          offeredAgentId: plan.agentId,
          assignedAgentId: plan.agentId,
          assignedAt: iso(assignedMs),
          firstHumanResponseAt: iso(firstHumanResponseMs!),
        }
      : {}),
    ...(closedMs !== undefined && closeOutcome ? { closeOutcome } : {}),
    slaFirstResponseDueAt: iso(dueMs),
    slaResolutionDueAt: iso(queuedMs + queue.resolutionSeconds * 1000),
    slaState,
    transfers: plan.transfers,
    declinedBy: [],
    routingVersion: 1 + (answered ? 2 : 0) + 2 * plan.transfers + (closedMs !== undefined ? 1 : 0),
  };
}

/** The seed business's queues and agents, unless the business already has an item of that id. */
export async function putSeedRoutingConfig(db: DynamoDBDocumentClient, tableName: string, businessId: string, now: Date): Promise<number> {
  const at = now.toISOString();
  const items = [
    ...SEED_QUEUES.map((q) => ({
      pk: routingPk(businessId),
      sk: queueSk(q.queueId),
      entity: 'RoutingQueue',
      businessId,
      queueId: q.queueId,
      name: q.name,
      requiredSkills: q.queueId === 'vip' ? ['vip'] : [],
      languages: q.languages,
      channels: [],
      priority: q.priority,
      sla: { firstResponseSeconds: q.firstResponseSeconds, resolutionSeconds: q.resolutionSeconds, warnAtShare: 0.8 },
      offerTimeoutSeconds: 60,
      version: 1,
      updatedAt: at,
    })),
    ...SEED_AGENTS.map((a) => ({
      pk: routingPk(businessId),
      sk: agentSk(a.agentId),
      entity: 'RoutingAgent',
      businessId,
      agentId: a.agentId,
      name: a.name,
      skills: a.skills,
      languages: a.languages,
      channels: ['whatsapp', 'instagram', 'messenger'],
      maxConcurrent: 3,
      presence: 'offline',
      presenceChangedAt: at,
      activeConversationKeys: [],
      version: 1,
      updatedAt: at,
    })),
  ];
  let written = 0;
  for (const Item of items) {
    try {
      await db.send(new PutCommand({ TableName: tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' }));
      written++;
    } catch (err) {
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
    }
  }
  return written;
}

/** The handoff, the person's first reply after it (not the satisfaction question) and the close of one conversation. */
export async function readConversationTimes(db: DynamoDBDocumentClient, tableName: string, conversationKey: string): Promise<ConversationTimes | undefined> {
  const pk = `CONV#${conversationKey}`;
  const conversation = (await db.send(new GetCommand({ TableName: tableName, Key: { pk, sk: 'CONV' }, ConsistentRead: true }))).Item;
  const queuedMs = typeof conversation?.handoffRequestedAt === 'string' ? Date.parse(conversation.handoffRequestedAt) : Number.NaN;
  if (!conversation || Number.isNaN(queuedMs)) return undefined;
  let firstHumanResponseMs: number | undefined;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :msg)',
        ExpressionAttributeValues: { ':pk': pk, ':msg': 'MSG#' },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const m of out.Items ?? []) {
      if (m.direction !== 'outbound' || m.origin !== 'human_agent' || m.replyKind === 'csat_question' || typeof m.occurredAt !== 'string') continue;
      const ms = Date.parse(m.occurredAt);
      if (ms >= queuedMs && (firstHumanResponseMs === undefined || ms < firstHumanResponseMs)) firstHumanResponseMs = ms;
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  const closedMs = typeof conversation.closedAt === 'string' ? Date.parse(conversation.closedAt) : undefined;
  return {
    queuedMs,
    ...(firstHumanResponseMs !== undefined ? { firstHumanResponseMs } : {}),
    ...(closedMs !== undefined && closedMs >= queuedMs ? { closedMs } : {}),
  };
}

/** Writes the routing facts on one played, time-moved conversation; false when it has no handoff. */
export async function stampRouting(
  db: DynamoDBDocumentClient,
  tableName: string,
  conversationKey: string,
  plan: RoutingPlan,
  businessId: string,
): Promise<boolean> {
  const times = await readConversationTimes(db, tableName, conversationKey);
  if (!times) return false;
  const attributes = routingAttributes(plan, times, businessId);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(attributes).map(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:v${i}`] = value;
    return `#a${i} = :v${i}`;
  });
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { pk: `CONV#${conversationKey}`, sk: 'CONV' },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
  return true;
}
