import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { isBusinessId } from '#lambdas/bot-settings/bot-settings-store';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { isPlatform, requireAction, requireActsFor } from '#lambdas/identity/operator-permissions';
import type { AuditContext } from '#lambdas/identity/operator-request';
import type { PageRequest, RoutingConfigAdmin } from '#lambdas/routing/config/routing-config-admin';
import { ROUTING_ADMIN_ROUTES } from '#lambdas/routing/routing-api-contract';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { jsonResponse } from '#lambdas/shared/http-json';
import { ROUTING_METRIC } from '#lambdas/shared/metric-names';
import { logger, metrics } from '#lambdas/shared/powertools';
import { operatorJsonObjectBody, parseOperatorInput } from '#lambdas/identity/operator-request-input';
import { RoutingConfigError } from '#lambdas/routing/errors';

export interface RoutingAdminDeps {
  routing: RoutingConfigAdmin;
  publisher: EventPublisher;
}

/** What a `routing.changed` event says changed. */
export type RoutingChange = 'agent' | 'queue' | 'rules' | 'macro' | 'contact_tags';

const json = jsonResponse;
const ROUTE_PREFIX = '/admin/routing/';
const PATHS: ReadonlySet<string> = new Set(Object.values(ROUTING_ADMIN_ROUTES).map((r) => r.path));

export const isRoutingAdminRoute = (event: APIGatewayProxyEventV2): boolean => event.rawPath.startsWith(ROUTE_PREFIX);

const businessId = z.string().refine(isBusinessId, 'a business id (letters, digits, . _ -; at most 100)');
const limit = z
  .string()
  .regex(/^[1-9]\d{0,2}$/, 'a number from 1 to 100')
  .transform(Number)
  .refine((n) => n <= 100, 'a number from 1 to 100');
const cursor = z.string().min(1).max(600);
const id = z.string().min(1).max(128);
const listQuery = (idField: string) =>
  z.strictObject({ businessId: businessId.optional(), limit: limit.optional(), cursor: cursor.optional(), [idField]: id.optional() });
const businessQuery = z.strictObject({ businessId: businessId.optional() });
const contactQuery = z.strictObject({ businessId: businessId.optional(), channel: z.string().max(32), customerId: z.string().max(200) });
/** What every write body may carry besides the item itself. */
const envelope = z.object({
  businessId: businessId.optional(),
  /** 0: it does not exist yet. */
  expectedVersion: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});
const deleteBody = (idField: string) => z.strictObject({ businessId: businessId.optional(), [idField]: id });
const contactTagsBody = z.strictObject({
  businessId: businessId.optional(),
  channel: z.string().max(32),
  customerId: z.string().max(200),
  tags: z.array(z.unknown()).max(100),
});

/** The body without the envelope: the item as the store validates it. */
function itemOf(body: Record<string, unknown>): { envelope: z.infer<typeof envelope>; item: Record<string, unknown> } {
  const { businessId: b, expectedVersion: v, ...item } = body;
  return { envelope: parseOperatorInput(envelope, { businessId: b, expectedVersion: v }, '(body)'), item };
}

/**
 * The admin API's routing configuration routes (`ROUTING_ADMIN_ROUTES`): agents, queues, rules,
 * macros and contact tags of the caller's business. Reading needs `routing.read` (supervisor),
 * changing `routing.write` (admin). A `platform` operator names the business (`businessId` in the
 * query or body); anyone else acts on their own business and may name only that one.
 *
 * `GET …/agents|queues|macros` list a page (`limit`, `cursor` → `{ items, cursor? }`), or with
 * `agentId` / `queueId` / `macroId` answer that one item (404 when the business has none). Every
 * successful change is announced as `routing.changed` so the engine looks at waiting conversations
 * again.
 */
export async function routeRoutingAdminRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  deps: RoutingAdminDeps,
  audit: AuditContext = {},
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.length > 1 ? event.rawPath.replace(/\/$/, '') : event.rawPath;
  const is = (route: { method: string; path: string }) => path === route.path && method === route.method;
  const query = event.queryStringParameters ?? {};

  /** The business acted on, recorded for the audit trail before it is authorised. */
  const businessFor = (named: string | undefined, target: string): string => {
    if (named === undefined && isPlatform(identity)) {
      throw new OperatorRequestError(400, 'invalid_request', 'businessId: a platform operator names the business it acts on');
    }
    const business = named ?? identity.businessId;
    audit.target = `routing ${target} ${business}`.slice(0, 256);
    audit.targetBusinessId = business;
    requireActsFor(identity, business);
    return business;
  };

  const changed = async (business: string, what: RoutingChange, changedId: string) => {
    try {
      await deps.publisher.publish([
        { source: EVENT_SOURCE.routing, detailType: DETAIL_TYPE.routingChanged, detail: { v: 1, businessId: business, what, id: changedId } },
      ]);
    } catch (err) {
      // The change is saved; the engine also looks again on its next handoff or presence change.
      metrics.addMetric(ROUTING_METRIC.changedNotPublished, MetricUnit.Count, 1);
      logger.error('routing.changed not published', { what, error: (err as Error).name });
    }
  };

  try {
    // Lists, or one item by id.
    for (const [route, idField, what, get, list] of [
      [ROUTING_ADMIN_ROUTES.listAgents, 'agentId', 'agent', (b, i) => deps.routing.getAgent(b, i), (b, p) => deps.routing.listAgents(b, p)],
      [ROUTING_ADMIN_ROUTES.listQueues, 'queueId', 'queue', (b, i) => deps.routing.getQueue(b, i), (b, p) => deps.routing.listQueues(b, p)],
      [ROUTING_ADMIN_ROUTES.listMacros, 'macroId', 'macro', (b, i) => deps.routing.getMacro(b, i), (b, p) => deps.routing.listMacrosPage(b, p)],
    ] as const satisfies ReadonlyArray<
      readonly [unknown, string, string, (b: string, i: string) => Promise<unknown>, (b: string, p: PageRequest) => Promise<unknown>]
    >) {
      if (!is(route)) continue;
      requireAction(identity, 'routing.read');
      const q = parseOperatorInput(listQuery(idField), query, '(query)') as { businessId?: string; limit?: number; cursor?: string } & Record<string, unknown>;
      const wanted = typeof q[idField] === 'string' ? (q[idField] as string) : undefined;
      const business = businessFor(q.businessId, wanted ? `${what} ${wanted}` : `${what}s`);
      if (wanted) {
        const found = await get(business, wanted);
        return found ? json(200, found) : json(404, { error: `${what}_not_found`, message: `No ${what} ${wanted} in this business` });
      }
      return json(200, await list(business, { ...(q.limit ? { limit: q.limit } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) }));
    }

    if (is(ROUTING_ADMIN_ROUTES.putAgent)) {
      requireAction(identity, 'routing.write');
      const { envelope: e, item } = itemOf(operatorJsonObjectBody(event));
      const business = businessFor(e.businessId, `agent ${String(item.agentId)}`);
      const saved = await deps.routing.putAgent(business, item, writeOptions(identity, e));
      await changed(business, 'agent', saved.agentId);
      return json(200, saved);
    }
    if (is(ROUTING_ADMIN_ROUTES.putQueue)) {
      requireAction(identity, 'routing.write');
      const { envelope: e, item } = itemOf(operatorJsonObjectBody(event));
      const business = businessFor(e.businessId, `queue ${String(item.queueId)}`);
      const saved = await deps.routing.putQueue(business, item, writeOptions(identity, e));
      await changed(business, 'queue', saved.queueId);
      return json(200, saved);
    }
    if (is(ROUTING_ADMIN_ROUTES.putMacro)) {
      requireAction(identity, 'routing.write');
      const { envelope: e, item } = itemOf(operatorJsonObjectBody(event));
      const business = businessFor(e.businessId, `macro ${String(item.macroId)}`);
      const saved = await deps.routing.putMacro(business, item, writeOptions(identity, e));
      await changed(business, 'macro', saved.macroId);
      return json(200, saved);
    }

    for (const [route, idField, what, remove] of [
      [ROUTING_ADMIN_ROUTES.deleteAgent, 'agentId', 'agent', (b: string, i: string) => deps.routing.deleteAgent(b, i)],
      [ROUTING_ADMIN_ROUTES.deleteQueue, 'queueId', 'queue', (b: string, i: string) => deps.routing.deleteQueue(b, i)],
      [ROUTING_ADMIN_ROUTES.deleteMacro, 'macroId', 'macro', (b: string, i: string) => deps.routing.deleteMacro(b, i)],
    ] as const) {
      if (!is(route)) continue;
      requireAction(identity, 'routing.write');
      const body = parseOperatorInput(deleteBody(idField), operatorJsonObjectBody(event), '(body)') as { businessId?: string } & Record<string, string>;
      const target = body[idField]!;
      const business = businessFor(body.businessId, `${what} ${target}`);
      try {
        await remove(business, target);
      } catch (err) {
        if (err instanceof RoutingConfigError && err.code === 'not_found') return json(404, { error: `${what}_not_found`, message: err.message });
        throw err;
      }
      await changed(business, what, target);
      return json(200, { deleted: true, [idField]: target });
    }

    if (is(ROUTING_ADMIN_ROUTES.getRules)) {
      requireAction(identity, 'routing.read');
      const q = parseOperatorInput(businessQuery, query, '(query)');
      const business = businessFor(q.businessId, 'rules');
      const rules = await deps.routing.getRules(business);
      return rules
        ? json(200, rules)
        : json(404, { error: 'rules_not_found', message: 'The business has no routing rules yet: handoffs wait in the default queue' });
    }
    if (is(ROUTING_ADMIN_ROUTES.putRules)) {
      requireAction(identity, 'routing.write');
      const { envelope: e, item } = itemOf(operatorJsonObjectBody(event));
      const business = businessFor(e.businessId, 'rules');
      const saved = await deps.routing.putRules(business, item, writeOptions(identity, e));
      await changed(business, 'rules', `v${saved.version}`);
      return json(200, saved);
    }

    if (is(ROUTING_ADMIN_ROUTES.getContactTags)) {
      requireAction(identity, 'routing.read');
      const q = parseOperatorInput(contactQuery, query, '(query)');
      const business = businessFor(q.businessId, `contact-tags ${q.channel}`);
      const tags = await deps.routing.getContactTags(business, { channel: q.channel, customerId: q.customerId });
      return json(200, { channel: q.channel, customerId: q.customerId, tags });
    }
    if (is(ROUTING_ADMIN_ROUTES.putContactTags)) {
      requireAction(identity, 'routing.write');
      const body = parseOperatorInput(contactTagsBody, operatorJsonObjectBody(event), '(body)');
      const business = businessFor(body.businessId, `contact-tags ${body.channel}`);
      const tags = await deps.routing.putContactTags(business, { channel: body.channel, customerId: body.customerId }, body.tags, { actor: identity.actor });
      await changed(business, 'contact_tags', `${body.channel}:${body.customerId}`);
      return json(200, { channel: body.channel, customerId: body.customerId, tags });
    }

    return PATHS.has(path) ? json(405, { error: 'method_not_allowed' }) : json(404, { error: 'route_not_found' });
  } catch (err) {
    if (err instanceof OperatorRequestError) return json(err.status, { error: err.code, message: err.message });
    if (err instanceof RoutingConfigError) return refusal(err);
    throw err;
  }
}

function writeOptions(identity: OperatorIdentity, e: z.infer<typeof envelope>): { actor: string; expectedVersion?: number } {
  return { actor: identity.actor, ...(e.expectedVersion !== undefined ? { expectedVersion: e.expectedVersion } : {}) };
}

function refusal(err: RoutingConfigError): APIGatewayProxyStructuredResultV2 {
  switch (err.code) {
    case 'invalid':
      return json(400, { error: 'invalid_request', message: err.message });
    case 'unknown_queue':
      return json(400, { error: 'unknown_queue', message: err.message });
    case 'not_found':
      return json(404, { error: 'not_found', message: err.message });
    case 'version_conflict':
      return json(409, { error: 'version_conflict', message: err.message, currentVersion: err.details.currentVersion });
    case 'agent_busy':
    case 'queue_in_use':
      return json(409, { error: err.code, message: err.message });
  }
}
