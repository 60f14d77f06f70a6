import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { mayDo, requireAction } from '#lambdas/identity/operator-permissions';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { AGENT_WORKSPACE_ROUTES } from '#lambdas/routing/routing-api-contract';
import { PRESENCES, routingId, type RoutingAgent } from '#lambdas/routing/routing-model';
import {
  agentView,
  answerOf,
  bodyOf,
  conversationKeySchema,
  ownConversation,
  pageOf,
  pageQuery,
  parse,
  type RoutingApiDeps,
} from '#lambdas/routing/api/routing-api-support';
import { keepHandoverNote } from '#lambdas/routing/api/handover-note';
import { businessTimezone } from '#lambdas/workspace/business-timezone';
import { jsonResponse } from '#lambdas/shared/http-json';

const presenceBody = z.object({ presence: z.enum(PRESENCES) });
const offerBody = z.object({ conversationKey: conversationKeySchema, reason: z.string().trim().max(200).optional() });
/** To a queue or to an agent: exactly one; `note` is kept as an internal note for the next person. */
export const transferBody = z
  .object({
    conversationKey: conversationKeySchema,
    toQueueId: routingId.optional(),
    toAgentId: routingId.optional(),
    note: z.string().trim().min(1).max(1000).optional(),
  })
  .refine((b) => (b.toQueueId === undefined) !== (b.toAgentId === undefined), 'name exactly one of toQueueId and toAgentId');

const is = (event: APIGatewayProxyEventV2, route: { method: string; path: string }) =>
  event.requestContext.http.method.toUpperCase() === route.method && event.rawPath === route.path;

async function callerAgent(identity: OperatorIdentity, deps: RoutingApiDeps): Promise<RoutingAgent> {
  const config = await deps.config.loadConfig(identity.businessId);
  const agent = config.agents.find((a) => a.agentId === identity.actor);
  if (!agent) throw new OperatorRequestError(404, 'agent_not_found', 'You are not a routing agent of your business; an admin adds you');
  return agent;
}

/**
 * The agent workspace's routing routes (routing-api-contract.ts): who I am, my presence, my inbox
 * (offers and assigned conversations), accept or decline an offer, transfer a conversation of
 * mine. The agent is always the caller (`identity.actor`); a conversation is resolved to its
 * business through the registry first (another business's is 404). `undefined`: not one of these.
 */
export async function routeWorkspaceRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  audit: AuditContext,
  deps: RoutingApiDeps,
): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  const agentId = identity.actor;
  if (is(event, AGENT_WORKSPACE_ROUTES.me)) {
    requireAction(identity, 'workspace.use');
    audit.target = `agent ${agentId}`;
    audit.targetBusinessId = identity.businessId;
    const agent = await callerAgent(identity, deps);
    const accountIds = deps.accountIdsOf ? await deps.accountIdsOf(identity.businessId) : [];
    const timezone = await businessTimezone(identity.businessId, accountIds, { routingConfig: deps.config, botSettings: deps.botSettings });
    return jsonResponse(200, {
      agent: agentView(agent),
      displayName: agent.name,
      timezone,
      load: agent.activeConversationKeys.length,
      capacity: agent.maxConcurrent,
    });
  }
  if (is(event, AGENT_WORKSPACE_ROUTES.presence)) {
    requireAction(identity, 'workspace.use');
    const b = parse(presenceBody, bodyOf(event));
    audit.target = `agent ${agentId}`;
    audit.targetBusinessId = identity.businessId;
    const result = await deps.engine.setPresence(identity.businessId, agentId, b.presence);
    return answerOf(result, (agent) => ({ agent: agentView(agent), load: agent.activeConversationKeys.length, capacity: agent.maxConcurrent }));
  }
  if (is(event, AGENT_WORKSPACE_ROUTES.inbox)) {
    requireAction(identity, 'workspace.use');
    const q = parse(pageQuery, event.queryStringParameters ?? {});
    audit.target = `agent ${agentId}`;
    audit.targetBusinessId = identity.businessId;
    const agent = await callerAgent(identity, deps);
    const page = pageOf(agent.activeConversationKeys, (k) => k, q);
    const summaries = await deps.views.summaries(page.items);
    return jsonResponse(200, {
      offers: summaries.filter((s) => s.routingStatus === 'offered' && s.offeredAgentId === agentId),
      assigned: summaries.filter((s) => s.routingStatus === 'assigned' && s.assignedAgentId === agentId),
      load: agent.activeConversationKeys.length,
      capacity: agent.maxConcurrent,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
  }
  if (is(event, AGENT_WORKSPACE_ROUTES.acceptOffer)) {
    requireAction(identity, 'workspace.use');
    const b = parse(offerBody, bodyOf(event));
    const businessId = await ownConversation(b.conversationKey, identity, audit, deps.accounts);
    return answerOf(await deps.engine.acceptOffer(businessId, agentId, b.conversationKey), (routing) => ({ routing }));
  }
  if (is(event, AGENT_WORKSPACE_ROUTES.declineOffer)) {
    requireAction(identity, 'workspace.use');
    const b = parse(offerBody, bodyOf(event));
    const businessId = await ownConversation(b.conversationKey, identity, audit, deps.accounts);
    return answerOf(await deps.engine.declineOffer(businessId, agentId, b.conversationKey), (routing) => ({ routing }));
  }
  if (is(event, AGENT_WORKSPACE_ROUTES.transfer)) {
    requireAction(identity, 'workspace.use');
    const b = parse(transferBody, bodyOf(event));
    const businessId = await ownConversation(b.conversationKey, identity, audit, deps.accounts);
    const supervising = mayDo(identity, 'conversations.reassign');
    if (!supervising) {
      // An agent transfers only what is assigned to them; supervisors use this route or reassign.
      const current = await deps.views.summary(b.conversationKey);
      if (!current) return jsonResponse(404, { error: 'not_found', message: 'No such conversation' });
      if (current.routingStatus !== 'assigned' || current.assignedAgentId !== agentId) {
        return jsonResponse(409, { error: 'not_assigned_to_you', message: 'Only a conversation assigned to you can be transferred' });
      }
    }
    const to = b.toQueueId !== undefined ? { queueId: b.toQueueId } : { agentId: b.toAgentId! };
    const result = await deps.engine.transfer(businessId, b.conversationKey, to, { id: agentId, kind: supervising ? 'supervisor' : 'agent' });
    const noteSaved = result.ok ? await keepHandoverNote({ businessId, conversationKey: b.conversationKey, note: b.note, authorId: agentId }, deps) : undefined;
    return answerOf(result, (routing) => ({ routing, ...(noteSaved !== undefined ? { noteSaved } : {}) }));
  }
  return undefined;
}
