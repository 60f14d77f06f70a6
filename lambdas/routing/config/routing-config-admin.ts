import type {
  AgentInput,
  Macro,
  MacroInput,
  QueueInput,
  RoutingAgent,
  RoutingChannel,
  RoutingQueue,
  RoutingRules,
  RoutingRulesInput,
} from '#lambdas/routing/routing-model';
import type { RoutingConfigReader } from '#lambdas/routing/routing-ports';

/**
 * What admins do with a business's routing configuration (agents, queues, rules, macros, contact
 * tags), on top of what the engine reads. Implemented by the DynamoDB store
 * (`routing-config-store.ts`) and, for use-case tests, by `test/helpers/in-memory-routing-config.ts`;
 * both pass the same contract test.
 *
 * Inputs are validated by the store with the schemas of `routing-model.ts` (a bad one throws
 * `RoutingConfigError('invalid')` naming the field), so every caller gets the same checks.
 */
export interface RoutingConfigAdmin extends RoutingConfigReader {
  getAgent(businessId: string, agentId: string): Promise<RoutingAgent | undefined>;
  listAgents(businessId: string, page?: PageRequest): Promise<Page<RoutingAgent>>;
  /** Creates or changes the admin's settings of an agent; never touches presence or load. */
  putAgent(businessId: string, input: AgentInput | unknown, options: WriteOptions): Promise<RoutingAgent>;
  /** Refused with `agent_busy` while conversations are offered to or assigned to the agent. */
  deleteAgent(businessId: string, agentId: string): Promise<void>;

  getQueue(businessId: string, queueId: string): Promise<RoutingQueue | undefined>;
  listQueues(businessId: string, page?: PageRequest): Promise<Page<RoutingQueue>>;
  /** The overflow queue must exist (`unknown_queue`). */
  putQueue(businessId: string, input: QueueInput | unknown, options: WriteOptions): Promise<RoutingQueue>;
  /** Refused with `queue_in_use` while a rule, the default or another queue's overflow names it. */
  deleteQueue(businessId: string, queueId: string): Promise<void>;

  getRules(businessId: string): Promise<RoutingRules | undefined>;
  /** Every queue the rules name must exist (`unknown_queue`); a stale `expectedVersion` is a `version_conflict`. */
  putRules(businessId: string, input: RoutingRulesInput | unknown, options: WriteOptions): Promise<RoutingRules>;

  listMacrosPage(businessId: string, page?: PageRequest): Promise<Page<Macro>>;
  putMacro(businessId: string, input: MacroInput | unknown, options: WriteOptions): Promise<Macro>;
  deleteMacro(businessId: string, macroId: string): Promise<void>;

  /** Replaces the customer's tags (none: the customer has no tags); answers them, sorted. */
  putContactTags(businessId: string, contact: ContactRef, tags: readonly string[] | unknown, options: WriteOptions): Promise<string[]>;
  getContactTags(businessId: string, contact: ContactRef): Promise<string[]>;
}

export interface ContactRef {
  channel: RoutingChannel | string;
  customerId: string;
}

export interface PageRequest {
  /** 1–100; default 50. */
  limit?: number;
  /** From the previous page's `cursor`. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** More items follow: pass it back as `cursor`. */
  cursor?: string;
}

export interface WriteOptions {
  /** Who changes it (the operator's actor), kept on the item. */
  actor: string;
  /**
   * The version the change was made from (0: it does not exist yet). Absent: on top of whatever is
   * stored, still never losing a change saved meanwhile.
   */
  expectedVersion?: number;
  now?: Date;
}

export type RoutingConfigErrorCode = 'invalid' | 'not_found' | 'agent_busy' | 'queue_in_use' | 'unknown_queue' | 'version_conflict';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
/** Rules are one item: kept well under DynamoDB's 400 KB item limit. */
export const MAX_RULES_BYTES = 300_000;
/** A rules save checks every queue it names in the same transaction (100 actions at most). */
export const MAX_QUEUES_NAMED_BY_RULES = 99;
const MAX_ACTOR_CHARS = 200;

export const pageSize = (page?: PageRequest): number => Math.min(Math.max(Math.trunc(page?.limit ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
export const actorOf = (options: WriteOptions): string => options.actor.slice(0, MAX_ACTOR_CHARS);
