import { AGENT_WORKSPACE_ROUTES, SUPERVISOR_ROUTES } from '#lambdas/routing/routing-api-contract';

/** The routing routes the human-agent API serves (route-workspace-request.ts, route-supervisor-request.ts). */
export const ROUTING_WORKSPACE_ROUTES = [
  AGENT_WORKSPACE_ROUTES.me,
  AGENT_WORKSPACE_ROUTES.presence,
  AGENT_WORKSPACE_ROUTES.inbox,
  AGENT_WORKSPACE_ROUTES.acceptOffer,
  AGENT_WORKSPACE_ROUTES.declineOffer,
  AGENT_WORKSPACE_ROUTES.transfer,
  SUPERVISOR_ROUTES.queues,
  SUPERVISOR_ROUTES.agents,
  SUPERVISOR_ROUTES.reassign,
] as const;
