/**
 * Routes of the contact-centre APIs, shared by the Lambdas, the CDK constructs and the console.
 * Fixed paths; the target is named in the query or the body (conversation keys hold `:`).
 * Every list takes `limit` and `cursor` and answers `{ items, cursor? }`.
 */

/** On the human-agent API (scope `omnichannel/agent`); roles decide (agent ⊂ supervisor ⊂ admin). */
export const AGENT_WORKSPACE_ROUTES = {
  /** → { agent: RoutingAgent view, load, capacity } (404 agent_not_found if the caller is not a routing agent) */
  me: { method: 'GET', path: '/agent/me' },
  /** { presence: online|away|offline } → the agent view */
  presence: { method: 'POST', path: '/agent/presence' },
  /** → { offers: [...], assigned: [...] } conversation summaries (key, channel, customer name, language, queue, priority, tags, waiting since, SLA due/state, last message time, window closes at) */
  inbox: { method: 'GET', path: '/agent/inbox' },
  /** { conversationKey } */
  acceptOffer: { method: 'POST', path: '/agent/offer/accept' },
  /** { conversationKey, reason? } */
  declineOffer: { method: 'POST', path: '/agent/offer/decline' },
  /** { conversationKey, text } → the note */
  note: { method: 'POST', path: '/agent/conversation/note' },
  /** { conversationKey, add?: string[], remove?: string[] } → { tags } */
  tags: { method: 'POST', path: '/agent/conversation/tags' },
  /** { conversationKey, toQueueId? | toAgentId?, note? } */
  transfer: { method: 'POST', path: '/agent/conversation/transfer' },
  /** ?key= → { windowOpen, windowClosesAt?, templates: approved templates of the account with their variables } */
  templates: { method: 'GET', path: '/agent/conversation/templates' },
  /** { conversationKey, templateName, language, parameters: string[], requestId? } */
  sendTemplate: { method: 'POST', path: '/agent/conversation/template' },
  /** ?language= → { items: Macro[] } */
  macros: { method: 'GET', path: '/agent/macros' },
  /** ?key=&messageId= → { url, expiresAt, contentType } a short-lived signed URL of the stored media */
  media: { method: 'GET', path: '/agent/media' },
  /** ?cursor= → { items: PushEvent[], cursor } the same changes the WebSocket pushes, for clients that poll */
  updates: { method: 'GET', path: '/agent/updates' },
} as const;

/** Supervisors (and admins, platform) on the human-agent API. */
export const SUPERVISOR_ROUTES = {
  /** → { items: [{ queue, waiting, oldestWaitingSince, slaWarning, slaBreached, open, nextOpenAt, entries: [...first 50] }] } */
  queues: { method: 'GET', path: '/supervisor/queues' },
  /** → { items: [{ agent, presence, load, capacity, conversations: [...] }] } */
  agents: { method: 'GET', path: '/supervisor/agents' },
  /** { conversationKey, toAgentId? | toQueueId? } */
  reassign: { method: 'POST', path: '/supervisor/reassign' },
  /** ?date=YYYY-MM-DD (business time zone; default today) → { queues: [...figures], agents: [...figures] } FRT, TMO, FCR, CSAT, SLA met */
  stats: { method: 'GET', path: '/supervisor/stats' },
} as const;

/** On the admin API (scope `omnichannel/admin`). GET: supervisors may read; writes: admins. */
export const ROUTING_ADMIN_ROUTES = {
  listAgents: { method: 'GET', path: '/admin/routing/agents' },
  putAgent: { method: 'PUT', path: '/admin/routing/agents' },
  deleteAgent: { method: 'POST', path: '/admin/routing/agents/delete' },
  listQueues: { method: 'GET', path: '/admin/routing/queues' },
  putQueue: { method: 'PUT', path: '/admin/routing/queues' },
  deleteQueue: { method: 'POST', path: '/admin/routing/queues/delete' },
  getRules: { method: 'GET', path: '/admin/routing/rules' },
  putRules: { method: 'PUT', path: '/admin/routing/rules' },
  listMacros: { method: 'GET', path: '/admin/routing/macros' },
  putMacro: { method: 'PUT', path: '/admin/routing/macros' },
  deleteMacro: { method: 'POST', path: '/admin/routing/macros/delete' },
  /** { channel, customerId, tags: string[] } → the contact's tags (e.g. vip) */
  putContactTags: { method: 'PUT', path: '/admin/routing/contact-tags' },
  getContactTags: { method: 'GET', path: '/admin/routing/contact-tags' },
} as const;
