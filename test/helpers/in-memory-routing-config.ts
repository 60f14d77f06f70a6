import {
  pageSize,
  type ContactRef,
  type Page,
  type PageRequest,
  type RoutingConfigAdmin,
  type WriteOptions,
} from '#lambdas/routing/config/routing-config-admin';
import {
  parseAgent,
  parseContact,
  parseContactTags,
  parseMacro,
  parseQueue,
  parseRules,
  queuesNamedBy,
  requireBusiness,
  requireExpectedVersion,
  requireId,
  rulesUse,
} from '#lambdas/routing/config/routing-config-validation';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import { contactRoutingTags } from '#lambdas/contacts/routing-contact-tags';
import type { Macro, Presence, RoutingAgent, RoutingQueue, RoutingRules } from '#lambdas/routing/routing-model';
import type { RoutingConfig } from '#lambdas/routing/routing-ports';
import { RoutingConfigError } from '#lambdas/routing/errors';

/** What the routing engine keeps on an agent item (presence and load). */
export interface AgentEngineState {
  presence?: Presence;
  presenceChangedAt?: string;
  activeConversationKeys?: string[];
  lastActivityAt?: string;
}

export interface InMemoryRoutingConfig extends RoutingConfigAdmin {
  /** Plays the engine's side of an agent item (presence, load); the agent must exist. */
  setAgentState(businessId: string, agentId: string, state: AgentEngineState): void;
  /** Conversations waiting in a queue (the DynamoDB store asks the waiting index). */
  waitingIn: (businessId: string, queueId: string) => number;
}

/**
 * An in-memory routing configuration for use-case tests: the same validation, versions, references
 * and refusals as the DynamoDB store (`test/integration/routing-config-store.test.ts` runs one
 * contract against both). Values handed out are copies. Given a contact store, a customer's tags
 * include their contact's, as the DynamoDB store's do.
 */
export function inMemoryRoutingConfig(options: { now?: () => Date; contacts?: Pick<ContactStore, 'findByIdentity'> } = {}): InMemoryRoutingConfig {
  const agents = new Map<string, RoutingAgent>();
  const queues = new Map<string, RoutingQueue>();
  const rules = new Map<string, RoutingRules>();
  const macros = new Map<string, Macro>();
  const tags = new Map<string, string[]>();
  const key = (...parts: string[]) => parts.join('\u0000');
  const now = (o?: WriteOptions) => (o?.now ?? options.now?.() ?? new Date()).toISOString();
  const copy = <T>(value: T): T => structuredClone(value);

  const ofBusiness = <T>(map: Map<string, T>, businessId: string, idOf: (v: T) => string): T[] =>
    [...map.entries()]
      .filter(([k]) => k.startsWith(`${businessId}\u0000`))
      .map(([, v]) => v)
      .sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));

  function paged<T>(all: T[], idOf: (v: T) => string, page?: PageRequest): Page<T> {
    let start = 0;
    if (page?.cursor) {
      const after = /^[A-Za-z0-9_-]{1,600}$/.test(page.cursor) ? Buffer.from(page.cursor, 'base64url').toString('utf8') : '';
      if (!after.startsWith('mem:')) throw new RoutingConfigError('invalid', 'cursor: not one this API handed out');
      start = all.findIndex((v) => idOf(v) > after.slice(4));
      if (start < 0) start = all.length;
    }
    const items = all.slice(start, start + pageSize(page)).map(copy);
    const last = items.at(-1);
    return { items, ...(last && start + items.length < all.length ? { cursor: Buffer.from(`mem:${idOf(last)}`).toString('base64url') } : {}) };
  }

  function checkVersion(what: string, id: string, expected: number | undefined, current: number): void {
    requireExpectedVersion(expected);
    if (expected !== undefined && expected !== current) {
      const name = what === 'rules' ? 'The routing rules' : `The ${what} ${id}`;
      throw new RoutingConfigError(
        'version_conflict',
        `${name} changed meanwhile: at version ${current}, not ${expected}; reload and apply your change again`,
        {
          currentVersion: current,
        },
      );
    }
  }

  const store: InMemoryRoutingConfig = {
    waitingIn: () => 0,

    setAgentState(businessId, agentId, state) {
      const agent = agents.get(key(businessId, agentId));
      if (!agent) throw new Error(`no agent ${agentId} in ${businessId}`);
      Object.assign(agent, copy(state));
      agent.activeConversationKeys = [...agent.activeConversationKeys].sort();
    },

    async loadConfig(businessId): Promise<RoutingConfig> {
      requireBusiness(businessId);
      const r = rules.get(businessId);
      return {
        businessId,
        agents: ofBusiness(agents, businessId, (a) => a.agentId).map(copy),
        queues: ofBusiness(queues, businessId, (q) => q.queueId).map(copy),
        ...(r ? { rules: copy(r) } : {}),
      };
    },

    async contactTags(businessId, channel, customerId, accountId) {
      const ofContact = options.contacts ? await contactRoutingTags(options.contacts, businessId, channel, customerId, accountId) : [];
      return [...new Set([...ofContact, ...(await store.getContactTags(businessId, { channel, customerId }))])].sort();
    },

    async listMacros(businessId) {
      requireBusiness(businessId);
      return ofBusiness(macros, businessId, (m) => m.macroId).map(copy);
    },

    async getMacro(businessId, macroId) {
      requireBusiness(businessId);
      const m = macros.get(key(businessId, requireId(macroId, 'macroId')));
      return m ? copy(m) : undefined;
    },

    async getAgent(businessId, agentId) {
      requireBusiness(businessId);
      const a = agents.get(key(businessId, requireId(agentId, 'agentId')));
      return a ? copy(a) : undefined;
    },

    async listAgents(businessId, page) {
      requireBusiness(businessId);
      return paged(
        ofBusiness(agents, businessId, (a) => a.agentId),
        (a) => a.agentId,
        page,
      );
    },

    async putAgent(businessId, input, o) {
      requireBusiness(businessId);
      requireExpectedVersion(o.expectedVersion);
      const agent = parseAgent(input);
      const k = key(businessId, agent.agentId);
      const previous = agents.get(k);
      checkVersion('agent', agent.agentId, o.expectedVersion, previous?.version ?? 0);
      const at = now(o);
      const saved: RoutingAgent = {
        ...agent,
        businessId,
        presence: previous?.presence ?? 'offline',
        presenceChangedAt: previous?.presenceChangedAt ?? at,
        activeConversationKeys: previous?.activeConversationKeys ?? [],
        ...(previous?.lastActivityAt ? { lastActivityAt: previous.lastActivityAt } : {}),
        version: (previous?.version ?? 0) + 1,
        updatedAt: at,
      };
      agents.set(k, saved);
      return copy(saved);
    },

    async deleteAgent(businessId, agentId) {
      requireBusiness(businessId);
      const id = requireId(agentId, 'agentId');
      const agent = agents.get(key(businessId, id));
      if (!agent) throw new RoutingConfigError('not_found', `No agent ${id} in this business`);
      if (agent.activeConversationKeys.length > 0) {
        throw new RoutingConfigError(
          'agent_busy',
          `Agent ${id} has ${agent.activeConversationKeys.length} conversation(s) offered or assigned; transfer or close them first`,
        );
      }
      agents.delete(key(businessId, id));
    },

    async getQueue(businessId, queueId) {
      requireBusiness(businessId);
      const q = queues.get(key(businessId, requireId(queueId, 'queueId')));
      return q ? copy(q) : undefined;
    },

    async listQueues(businessId, page) {
      requireBusiness(businessId);
      return paged(
        ofBusiness(queues, businessId, (q) => q.queueId),
        (q) => q.queueId,
        page,
      );
    },

    async putQueue(businessId, input, o) {
      requireBusiness(businessId);
      requireExpectedVersion(o.expectedVersion);
      const queue = parseQueue(input);
      const previous = queues.get(key(businessId, queue.queueId));
      checkVersion('queue', queue.queueId, o.expectedVersion, previous?.version ?? 0);
      if (queue.overflowQueueId && !queues.has(key(businessId, queue.overflowQueueId))) {
        throw new RoutingConfigError('unknown_queue', `overflowQueueId: no queue ${queue.overflowQueueId} in this business`);
      }
      const saved: RoutingQueue = { ...queue, businessId, version: (previous?.version ?? 0) + 1, updatedAt: now(o) };
      queues.set(key(businessId, queue.queueId), saved);
      return copy(saved);
    },

    async deleteQueue(businessId, queueId) {
      requireBusiness(businessId);
      const id = requireId(queueId, 'queueId');
      if (!queues.has(key(businessId, id))) throw new RoutingConfigError('not_found', `No queue ${id} in this business`);
      const referrers = ofBusiness(queues, businessId, (q) => q.queueId)
        .filter((q) => q.overflowQueueId === id)
        .map((q) => q.queueId);
      if (referrers.length > 0) {
        throw new RoutingConfigError('queue_in_use', `Queue ${id} is in use: ${referrers.join(', ')} overflow into it; change their overflowQueueId first`);
      }
      const use = rulesUse(rules.get(businessId), id);
      if (use) throw new RoutingConfigError('queue_in_use', `Queue ${id} is in use: ${use}; change the rules first`);
      if (store.waitingIn(businessId, id) > 0) {
        throw new RoutingConfigError('queue_in_use', `Queue ${id} is in use: conversations are waiting in it; transfer them first`);
      }
      queues.delete(key(businessId, id));
    },

    async getRules(businessId) {
      requireBusiness(businessId);
      const r = rules.get(businessId);
      return r ? copy(r) : undefined;
    },

    async putRules(businessId, input, o) {
      requireBusiness(businessId);
      requireExpectedVersion(o.expectedVersion);
      const parsed = parseRules(input);
      const previous = rules.get(businessId);
      checkVersion('rules', 'rules', o.expectedVersion, previous?.version ?? 0);
      const missing = [...queuesNamedBy(parsed)].filter(([queueId]) => !queues.has(key(businessId, queueId)));
      if (missing.length > 0) {
        throw new RoutingConfigError('unknown_queue', missing.map(([queueId, field]) => `${field}: no queue ${queueId} in this business`).join('; '));
      }
      const saved: RoutingRules = { ...parsed, businessId, version: (previous?.version ?? 0) + 1, updatedAt: now(o) };
      rules.set(businessId, saved);
      return copy(saved);
    },

    async listMacrosPage(businessId, page) {
      requireBusiness(businessId);
      return paged(
        ofBusiness(macros, businessId, (m) => m.macroId),
        (m) => m.macroId,
        page,
      );
    },

    async putMacro(businessId, input, o) {
      requireBusiness(businessId);
      requireExpectedVersion(o.expectedVersion);
      const macro = parseMacro(input);
      const previous = macros.get(key(businessId, macro.macroId));
      checkVersion('macro', macro.macroId, o.expectedVersion, previous?.version ?? 0);
      const saved: Macro = { ...macro, businessId, version: (previous?.version ?? 0) + 1, updatedAt: now(o) };
      macros.set(key(businessId, macro.macroId), saved);
      return copy(saved);
    },

    async deleteMacro(businessId, macroId) {
      requireBusiness(businessId);
      const id = requireId(macroId, 'macroId');
      if (!macros.delete(key(businessId, id))) throw new RoutingConfigError('not_found', `No macro ${id} in this business`);
    },

    async putContactTags(businessId, contact: ContactRef, list) {
      requireBusiness(businessId);
      const { channel, customerId } = parseContact(contact);
      const parsed = parseContactTags(list);
      if (parsed.length === 0) tags.delete(key(businessId, channel, customerId));
      else tags.set(key(businessId, channel, customerId), parsed);
      return [...parsed];
    },

    async getContactTags(businessId, contact) {
      requireBusiness(businessId);
      const { channel, customerId } = parseContact(contact);
      return [...(tags.get(key(businessId, channel, customerId)) ?? [])];
    },
  };
  return store;
}
