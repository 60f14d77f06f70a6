/**
 * The human-agent API's routes and settings, shared by its Lambda and the CDK construct. Fixed
 * paths with the conversation named in the query or body: conversation keys hold `:` and the
 * local HTTP API matches whole paths only.
 */
export const HUMAN_AGENT_ROUTES = {
  list: { method: 'GET', path: '/agent/conversations' },
  read: { method: 'GET', path: '/agent/conversation' },
  reply: { method: 'POST', path: '/agent/conversation/reply' },
  handBack: { method: 'POST', path: '/agent/conversation/hand-back' },
  close: { method: 'POST', path: '/agent/conversation/close' },
} as const;
