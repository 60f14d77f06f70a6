import type { RoutingConfigAdmin } from '#lambdas/routing/config/routing-config-admin';
import type { AgentInput, MacroInput, QueueInput, RoutingRulesInput } from '#lambdas/routing/routing-model';
import { RoutingConfigError } from '#lambdas/routing/errors';

/**
 * The contact centre of the local demo business: two queues, three agents, a VIP rule, a
 * complaints rule, and a greeting and a closing macro in Spanish, Portuguese and English.
 *
 * Agent ids are what the local identity provider issues as `username` (the identity's `actor`)
 * for a subject: sign in as subject `ana` (`POST /_local/auth/token {businessId: 'local',
 * subject: 'ana', roles: ['agent']}`) to work as Ana. The queues are always open, so the demo and
 * the end-to-end tests behave the same at any hour; give a queue `hours` to try business hours.
 */
export const DEMO_QUEUES: readonly QueueInput[] = [
  {
    queueId: 'general',
    name: 'General',
    requiredSkills: [],
    languages: ['es', 'pt', 'en'],
    channels: [],
    priority: 50,
    sla: { firstResponseSeconds: 300, resolutionSeconds: 86_400, warnAtShare: 0.8 },
    offerTimeoutSeconds: 60,
  },
  {
    queueId: 'vip',
    name: 'VIP customers',
    requiredSkills: [],
    languages: [],
    channels: [],
    priority: 90,
    sla: { firstResponseSeconds: 120, warnAtShare: 0.8 },
    offerTimeoutSeconds: 60,
  },
];

export const DEMO_AGENTS: readonly AgentInput[] = [
  { agentId: 'ana', name: 'Ana Souza', skills: [], languages: ['es', 'pt'], channels: ['whatsapp', 'instagram', 'messenger'], maxConcurrent: 3 },
  { agentId: 'bruno', name: 'Bruno Lima', skills: [], languages: ['pt', 'en'], channels: ['whatsapp', 'instagram', 'messenger'], maxConcurrent: 3 },
  { agentId: 'carla', name: 'Carla Méndez', skills: [], languages: ['es', 'en'], channels: ['whatsapp', 'instagram', 'messenger'], maxConcurrent: 3 },
];

export const DEMO_RULES: RoutingRulesInput = {
  rules: [
    { ruleId: 'vip-customers', when: { tags: ['vip'] }, then: { queueId: 'vip', priority: 90 } },
    { ruleId: 'complaints', when: { reasons: ['complaint'] }, then: { queueId: 'general', priority: 80 } },
  ],
  defaultQueueId: 'general',
};

export const DEMO_MACROS: readonly MacroInput[] = [
  {
    macroId: 'greeting',
    name: 'Greeting',
    texts: {
      es: 'Hola {first_name}, soy {agent_name}. ¿En qué te puedo ayudar?',
      pt: 'Olá {first_name}, aqui é {agent_name}. Como posso ajudar?',
      en: "Hi {first_name}, I'm {agent_name}. How can I help?",
    },
    addTags: [],
  },
  {
    macroId: 'closing',
    name: 'Closing',
    texts: {
      es: 'Gracias por escribirnos, {first_name}. ¡Que tengas un buen día!',
      pt: 'Obrigado por falar com a gente, {first_name}. Tenha um ótimo dia!',
      en: 'Thanks for writing to us, {first_name}. Have a great day!',
    },
    addTags: [],
  },
];

/** Who the seeded items name as their author. */
export const DEMO_ROUTING_ACTOR = 'local-cloud-seed';

/**
 * Writes the demo configuration, each item only when the business does not have it yet: an
 * admin's edits (kept in a DynamoDB Local data path) survive a restart.
 */
export async function seedDemoRouting(store: RoutingConfigAdmin, businessId: string): Promise<void> {
  const options = { actor: DEMO_ROUTING_ACTOR, expectedVersion: 0 };
  const ifNew = async (write: Promise<unknown>) => {
    try {
      await write;
    } catch (err) {
      if (!(err instanceof RoutingConfigError && err.code === 'version_conflict')) throw err;
    }
  };
  for (const queue of DEMO_QUEUES) await ifNew(store.putQueue(businessId, queue, options));
  await ifNew(store.putRules(businessId, DEMO_RULES, options));
  for (const agent of DEMO_AGENTS) await ifNew(store.putAgent(businessId, agent, options));
  for (const macro of DEMO_MACROS) await ifNew(store.putMacro(businessId, macro, options));
}
