import { HUMAN_AGENT_ROUTES } from '#lambdas/human-agent/human-agent-contract';
import { AGENT_WORKSPACE_ROUTES, SUPERVISOR_ROUTES } from '#lambdas/routing/routing-api-contract';

/**
 * The routes the conversation workspace answers on the human-agent API (read, reply and close
 * included: it extends them), shared by its router and the CDK construct.
 */
export const CONVERSATION_WORKSPACE_ROUTES = [
  HUMAN_AGENT_ROUTES.read,
  HUMAN_AGENT_ROUTES.reply,
  HUMAN_AGENT_ROUTES.close,
  AGENT_WORKSPACE_ROUTES.note,
  AGENT_WORKSPACE_ROUTES.tags,
  AGENT_WORKSPACE_ROUTES.templates,
  AGENT_WORKSPACE_ROUTES.sendTemplate,
  AGENT_WORKSPACE_ROUTES.macros,
  AGENT_WORKSPACE_ROUTES.media,
  AGENT_WORKSPACE_ROUTES.updates,
  SUPERVISOR_ROUTES.stats,
] as const;
