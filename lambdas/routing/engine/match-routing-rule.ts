import { PRIORITY, type RoutingQueue, type RoutingRules } from '#lambdas/routing/routing-model';

/** What the rules look at on a handoff. */
export interface HandoffFacts {
  channel: string;
  accountId: string;
  reason: string;
  language?: string;
  intent?: string;
  /** Contact tags and conversation tags together. */
  tags: readonly string[];
}

export interface RouteDecision {
  queueId: string;
  priority: number;
  /** Tags the matching rule adds to the conversation. */
  addTags: string[];
  ruleId?: string;
}

/** The queue handoffs wait in when the business has no rules. */
export const DEFAULT_QUEUE_ID = 'default';
export const VIP_TAG = 'vip';

/**
 * The first rule (in order) whose every given condition holds decides the queue; none: the rules'
 * default queue. Without rules: the `default` queue. The priority is the rule's when it sets one,
 * else VIP (a `vip` tag) or normal.
 */
export function matchRoutingRule(rules: RoutingRules | undefined, facts: HandoffFacts): RouteDecision {
  const baseline = facts.tags.includes(VIP_TAG) ? PRIORITY.vip : PRIORITY.normal;
  if (!rules) return { queueId: DEFAULT_QUEUE_ID, priority: baseline, addTags: [] };
  for (const rule of rules.rules) {
    if (!holds(rule.when, facts)) continue;
    return { queueId: rule.then.queueId, priority: rule.then.priority ?? baseline, addTags: [...(rule.then.addTags ?? [])], ruleId: rule.ruleId };
  }
  return { queueId: rules.defaultQueueId, priority: baseline, addTags: [] };
}

function holds(when: RoutingRules['rules'][number]['when'], facts: HandoffFacts): boolean {
  const within = (allowed: readonly string[] | undefined, value: string | undefined) =>
    allowed === undefined || (value !== undefined && allowed.includes(value));
  return (
    within(when.channels, facts.channel) &&
    within(when.languages, facts.language) &&
    within(when.reasons, facts.reason) &&
    within(when.intents, facts.intent) &&
    within(when.accountIds, facts.accountId) &&
    (when.tags === undefined || when.tags.some((tag) => facts.tags.includes(tag)))
  );
}

/**
 * The implicit `default` queue of a business that has not configured one: open all the time, any
 * language and channel, a first response within 15 minutes.
 */
export function implicitDefaultQueue(businessId: string): RoutingQueue {
  return {
    businessId,
    queueId: DEFAULT_QUEUE_ID,
    name: 'Default',
    requiredSkills: [],
    languages: [],
    channels: [],
    priority: 50,
    sla: { firstResponseSeconds: 900, warnAtShare: 0.8 },
    offerTimeoutSeconds: 60,
    version: 0,
    updatedAt: '1970-01-01T00:00:00.000Z',
  };
}

/** The business's queues, with the implicit `default` queue when it has none by that id. */
export function queuesWithDefault(businessId: string, queues: readonly RoutingQueue[]): RoutingQueue[] {
  return queues.some((q) => q.queueId === DEFAULT_QUEUE_ID) ? [...queues] : [...queues, implicitDefaultQueue(businessId)];
}
