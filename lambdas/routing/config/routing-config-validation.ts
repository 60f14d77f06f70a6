import type * as z from 'zod';
import { isBusinessId } from '#lambdas/bot-settings/bot-settings-store';
import {
  agentInputSchema,
  macroInputSchema,
  queueInputSchema,
  ROUTING_CHANNELS,
  routingId,
  routingRulesInputSchema,
  routingTagSchema,
  type AgentInput,
  type MacroInput,
  type QueueInput,
  type RoutingChannel,
  type RoutingRulesInput,
} from '#lambdas/routing/routing-model';
import { describeIssues } from '#lambdas/shared/http-json';
import { MAX_QUEUES_NAMED_BY_RULES, MAX_RULES_BYTES, type ContactRef } from '#lambdas/routing/config/routing-config-admin';
import { RoutingConfigError } from '#lambdas/routing/errors';

/**
 * The checks every routing configuration store makes before it writes, so the DynamoDB store and
 * the in-memory one refuse the same things with the same messages.
 */

function parsed<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new RoutingConfigError('invalid', describeIssues(result.error.issues, '(value)'));
  return result.data;
}

export function requireBusiness(businessId: string): void {
  if (!isBusinessId(businessId)) throw new RoutingConfigError('invalid', 'businessId: a business id (letters, digits, . _ -; at most 100)');
}

/** An id used in a key: the same rule as the schemas' ids. */
export function requireId(id: unknown, field: string): string {
  const result = routingId.safeParse(id);
  if (!result.success) throw new RoutingConfigError('invalid', `${field}: ${result.error.issues[0]?.message ?? 'not an id'}`);
  return result.data;
}

export const parseAgent = (input: unknown): AgentInput => parsed(agentInputSchema, input);
export const parseMacro = (input: unknown): MacroInput => parsed(macroInputSchema, input);

export function parseQueue(input: unknown): QueueInput {
  const queue = parsed(queueInputSchema, input);
  if (queue.overflowQueueId === queue.queueId) throw new RoutingConfigError('invalid', 'overflowQueueId: a queue cannot overflow into itself');
  return queue;
}

export function parseRules(input: unknown): RoutingRulesInput {
  const rules = parsed(routingRulesInputSchema, input);
  const seen = new Set<string>();
  rules.rules.forEach((r, i) => {
    if (seen.has(r.ruleId)) throw new RoutingConfigError('invalid', `rules.${i}.ruleId: ${r.ruleId} is used by an earlier rule`);
    seen.add(r.ruleId);
  });
  if (Buffer.byteLength(JSON.stringify(rules), 'utf8') > MAX_RULES_BYTES) {
    throw new RoutingConfigError('invalid', `rules: at most ${MAX_RULES_BYTES / 1000} KB of rules`);
  }
  if (queuesNamedBy(rules).size > MAX_QUEUES_NAMED_BY_RULES) {
    throw new RoutingConfigError('invalid', `rules: at most ${MAX_QUEUES_NAMED_BY_RULES} different queues`);
  }
  return rules;
}

/** Each queue the rules name, with the first field that names it (for the refusal's message). */
export function queuesNamedBy(rules: RoutingRulesInput): Map<string, string> {
  const named = new Map<string, string>();
  rules.rules.forEach((r, i) => {
    if (!named.has(r.then.queueId)) named.set(r.then.queueId, `rules.${i}.then.queueId`);
  });
  if (!named.has(rules.defaultQueueId)) named.set(rules.defaultQueueId, 'defaultQueueId');
  return named;
}

/** Why a queue may not be deleted because of the rules, or undefined. */
export function rulesUse(rules: RoutingRulesInput | undefined, queueId: string): string | undefined {
  if (!rules) return undefined;
  if (rules.defaultQueueId === queueId) return `it is the default queue of the routing rules`;
  const rule = rules.rules.find((r) => r.then.queueId === queueId);
  return rule ? `routing rule ${rule.ruleId} sends handoffs to it` : undefined;
}

const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$/;

export function parseContact(contact: ContactRef): { channel: RoutingChannel; customerId: string } {
  if (!(ROUTING_CHANNELS as readonly string[]).includes(contact.channel)) {
    throw new RoutingConfigError('invalid', `channel: one of ${ROUTING_CHANNELS.join(', ')}`);
  }
  if (typeof contact.customerId !== 'string' || !CUSTOMER_ID.test(contact.customerId)) {
    throw new RoutingConfigError('invalid', 'customerId: the customer id on the channel (letters, digits and . _ : @ + -, at most 128)');
  }
  return { channel: contact.channel as RoutingChannel, customerId: contact.customerId };
}

export const MAX_CONTACT_TAGS = 20;

/** Tags lower-cased, without repeats, sorted. */
export function parseContactTags(tags: unknown): string[] {
  if (!Array.isArray(tags)) throw new RoutingConfigError('invalid', 'tags: a list of tags');
  if (tags.length > MAX_CONTACT_TAGS * 5) throw new RoutingConfigError('invalid', `tags: at most ${MAX_CONTACT_TAGS} tags`);
  const out = new Set<string>();
  tags.forEach((t, i) => {
    const result = routingTagSchema.safeParse(t);
    if (!result.success) throw new RoutingConfigError('invalid', `tags.${i}: ${result.error.issues[0]?.message ?? 'not a tag'}`);
    out.add(result.data);
  });
  if (out.size > MAX_CONTACT_TAGS) throw new RoutingConfigError('invalid', `tags: at most ${MAX_CONTACT_TAGS} tags`);
  return [...out].sort();
}

export function requireExpectedVersion(version: number | undefined): void {
  if (version !== undefined && (!Number.isSafeInteger(version) || version < 0)) {
    throw new RoutingConfigError('invalid', 'expectedVersion: a whole number, 0 or more');
  }
}
