import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { requireAction } from '#lambdas/identity/operator-permissions';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { SUPERVISOR_ROUTES } from '#lambdas/routing/routing-api-contract';
import { queuesWithDefault } from '#lambdas/routing/engine/match-routing-rule';
import {
  agentView,
  answerOf,
  bodyOf,
  listedBusiness,
  ownConversation,
  pageOf,
  pageQuery,
  parse,
  queueView,
  type RoutingApiDeps,
} from '#lambdas/routing/api/routing-api-support';
import { transferBody } from '#lambdas/routing/api/route-workspace-request';
import { keepHandoverNote } from '#lambdas/routing/api/handover-note';
import { jsonResponse } from '#lambdas/shared/http-json';

/** Entries of each queue shown in the live view (the rest are counted). */
const QUEUE_ENTRIES = 50;

const is = (event: APIGatewayProxyEventV2, route: { method: string; path: string }) =>
  event.requestContext.http.method.toUpperCase() === route.method && event.rawPath === route.path;

/**
 * The supervisors' routing routes (routing-api-contract.ts): live queues (waiting, oldest, SLA
 * states, open or when it opens), agents (presence, load, their conversations) and reassigning a
 * conversation to another agent or queue. Lists are of the caller's business, paginated by id.
 * `undefined`: not one of these routes.
 */
export async function routeSupervisorRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  audit: AuditContext,
  deps: RoutingApiDeps,
): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  const now = (deps.now ?? (() => new Date()))();
  const query = event.queryStringParameters ?? {};
  if (is(event, SUPERVISOR_ROUTES.queues)) {
    requireAction(identity, 'queues.monitor');
    const q = parse(pageQuery, { limit: query['limit'], cursor: query['cursor'] });
    const businessId = listedBusiness(identity, query, audit);
    audit.target = 'queues';
    const config = await deps.config.loadConfig(businessId);
    // Handoffs no rule places wait in `default`, configured or not.
    const page = pageOf(queuesWithDefault(businessId, config.queues), (queue) => queue.queueId, q);
    const items = [];
    for (const queue of page.items) {
      const waiting = await deps.views.queueWaiting(businessId, queue.queueId, { entries: QUEUE_ENTRIES });
      const open = deps.openState(queue.hours, now);
      items.push({
        queue: queueView(queue),
        waiting: waiting.waiting,
        ...(waiting.truncated ? { waitingTruncated: true } : {}),
        ...(waiting.oldestWaitingSince ? { oldestWaitingSince: waiting.oldestWaitingSince } : {}),
        slaWarning: waiting.slaWarning,
        slaBreached: waiting.slaBreached,
        open: open.open,
        ...(open.nextOpenAt ? { nextOpenAt: open.nextOpenAt } : {}),
        entries: waiting.entries,
      });
    }
    return jsonResponse(200, { items, ...(page.cursor ? { cursor: page.cursor } : {}) });
  }
  if (is(event, SUPERVISOR_ROUTES.agents)) {
    requireAction(identity, 'queues.monitor');
    const q = parse(pageQuery, { limit: query['limit'], cursor: query['cursor'] });
    const businessId = listedBusiness(identity, query, audit);
    audit.target = 'agents';
    const config = await deps.config.loadConfig(businessId);
    const page = pageOf(config.agents, (agent) => agent.agentId, q);
    const summaries = await deps.views.summaries(page.items.flatMap((a) => a.activeConversationKeys));
    const byKey = new Map(summaries.map((s) => [s.conversationKey, s]));
    const items = page.items.map((agent) => ({
      agent: agentView(agent),
      presence: agent.presence,
      load: agent.activeConversationKeys.length,
      capacity: agent.maxConcurrent,
      conversations: agent.activeConversationKeys.map((k) => byKey.get(k)).filter((s) => s !== undefined),
    }));
    return jsonResponse(200, { items, ...(page.cursor ? { cursor: page.cursor } : {}) });
  }
  if (is(event, SUPERVISOR_ROUTES.reassign)) {
    requireAction(identity, 'conversations.reassign');
    const b = parse(transferBody, bodyOf(event));
    const businessId = await ownConversation(b.conversationKey, identity, audit, deps.accounts);
    const to = b.toQueueId !== undefined ? { queueId: b.toQueueId } : { agentId: b.toAgentId! };
    const result = await deps.engine.transfer(businessId, b.conversationKey, to, { id: identity.actor, kind: 'supervisor' });
    const noteSaved = result.ok
      ? await keepHandoverNote({ businessId, conversationKey: b.conversationKey, note: b.note, authorId: identity.actor }, deps)
      : undefined;
    return answerOf(result, (routing) => ({ routing, ...(noteSaved !== undefined ? { noteSaved } : {}) }));
  }
  return undefined;
}
