import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { describeIssues, jsonResponse, readJsonBody } from '#lambdas/shared/http-json';
import { listConversations, readConversation } from '#lambdas/human-agent/conversation-views';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import { HUMAN_AGENT_ROUTES } from '#lambdas/human-agent/human-agent-contract';
import { closeConversation, handBackToBot, replyAsHuman, type HumanAgentDeps } from '#lambdas/human-agent/human-agent-actions';
import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import { routeContactsRequest } from '#lambdas/contacts/api/route-contacts-request';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { requireAction, requireOwnTarget } from '#lambdas/identity/operator-permissions';
import { ownerOfAccount, ownerOfConversation } from '#lambdas/identity/resolve-target';
import type { RoutingApiDeps } from '#lambdas/routing/api/routing-api-support';
import { routeSupervisorRequest } from '#lambdas/routing/api/route-supervisor-request';
import { routeWorkspaceRequest } from '#lambdas/routing/api/route-workspace-request';
import { routeConversationWorkspaceRequest } from '#lambdas/workspace/route-conversation-workspace-request';
import type { WorkspaceParts } from '#lambdas/workspace/workspace-deps';

/** `routing`: the contact-centre routes (agent workspace, supervisors); without it they are not served. */
export type HumanAgentApiDeps = HumanAgentDeps & {
  accounts: AccountReader;
  routing?: RoutingApiDeps;
  /** The conversation workspace (notes, tags, macros, templates, media links, updates, stats); it also answers read, reply and close. */
  workspace?: WorkspaceParts;
  /** The contacts routes (lambdas/contacts/api/); without a store they are not served. */
  contacts?: ContactStore;
};

/** Meta's ids and our keys are far shorter; anything longer is refused before any read. */
const accountIdSchema = z.string().min(1).max(200);
const conversationKeySchema = z.string().min(1).max(1000);
/** A cursor this API handed out: base64url of a small JSON key. */
const cursorSchema = z.string().regex(/^[A-Za-z0-9_-]{1,2000}$/, 'a cursor from a previous page');

const listQuery = z.object({
  accountId: accountIdSchema,
  state: z.enum(['human', 'bot', 'closed']).default('human'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursorSchema.optional(),
});
const readQuery = z.object({ key: conversationKeySchema, limit: z.coerce.number().int().min(1).max(200).default(50) });
const keyBody = z.object({ conversationKey: conversationKeySchema });
const replyBody = keyBody.extend({
  /** 4096 characters: WhatsApp's text limit, the tightest of the three channels' free text. */
  text: z.string().trim().min(1).max(4096),
  /** Idempotency key of the caller; a repeat with the same id names the same message. */
  requestId: z.string().min(1).max(200).optional(),
});

const json = jsonResponse;

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HumanAgentRequestError(400, 'invalid_request', describeIssues(parsed.error.issues));
  return parsed.data;
}

function bodyOf(event: APIGatewayProxyEventV2): unknown {
  const body = readJsonBody(event);
  if (!body.ok) throw new HumanAgentRequestError(400, 'invalid_json', 'The body is not JSON');
  return body.value;
}

/**
 * One request of a signed-in operator → its JSON response. Every route resolves its conversation
 * or account to a business through the registry before anything else is read: another business's
 * target is answered as not found, and roles decide what may be done.
 */
export async function routeRequest(
  event: APIGatewayProxyEventV2,
  identity: OperatorIdentity,
  audit: AuditContext,
  deps: HumanAgentApiDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath;
  const query = event.queryStringParameters ?? {};
  const agentId = identity.actor;
  const ownConversation = async (key: string) => {
    audit.target = key;
    const owner = await ownerOfConversation(key, deps.accounts);
    audit.targetBusinessId = owner?.businessId;
    requireOwnTarget(identity, owner?.businessId, 'conversation');
  };
  try {
    if (deps.contacts) {
      const answered = await routeContactsRequest(event, identity, audit, { ...deps, contacts: deps.contacts });
      if (answered) return answered;
    }
    if (deps.workspace) {
      const answered = await routeConversationWorkspaceRequest(event, identity, audit, { ...deps, ...deps.workspace });
      if (answered) return answered;
    }
    if (method === 'GET' && path === HUMAN_AGENT_ROUTES.list.path) {
      requireAction(identity, 'conversations.read');
      const q = parse(listQuery, query);
      audit.target = `account ${q.accountId}`;
      const owner = await ownerOfAccount(q.accountId, deps.accounts);
      audit.targetBusinessId = owner?.businessId;
      requireOwnTarget(identity, owner?.businessId, 'account');
      return json(200, await listConversations(q.accountId, q.state, q.limit, q.cursor, deps));
    }
    if (method === 'GET' && path === HUMAN_AGENT_ROUTES.read.path) {
      requireAction(identity, 'conversations.read');
      const q = parse(readQuery, query);
      await ownConversation(q.key);
      const found = await readConversation(q.key, q.limit, deps);
      return found ? json(200, found) : json(404, { error: 'conversation_not_found' });
    }
    if (method === 'POST' && path === HUMAN_AGENT_ROUTES.reply.path) {
      requireAction(identity, 'conversations.act');
      const b = parse(replyBody, bodyOf(event));
      await ownConversation(b.conversationKey);
      const result = await replyAsHuman(b.conversationKey, { text: b.text, requestId: b.requestId ?? randomUUID(), agentId }, deps);
      return json(result.repeated ? 200 : 202, result);
    }
    if (method === 'POST' && path === HUMAN_AGENT_ROUTES.handBack.path) {
      requireAction(identity, 'conversations.act');
      const b = parse(keyBody, bodyOf(event));
      await ownConversation(b.conversationKey);
      return json(200, await handBackToBot(b.conversationKey, agentId, deps));
    }
    if (method === 'POST' && path === HUMAN_AGENT_ROUTES.close.path) {
      requireAction(identity, 'conversations.act');
      const b = parse(keyBody, bodyOf(event));
      await ownConversation(b.conversationKey);
      return json(200, await closeConversation(b.conversationKey, agentId, deps));
    }
    if (deps.routing) {
      const routed =
        (await routeWorkspaceRequest(event, identity, audit, deps.routing)) ?? (await routeSupervisorRequest(event, identity, audit, deps.routing));
      if (routed) return routed;
    }
    return json(404, { error: 'route_not_found' });
  } catch (err) {
    if (err instanceof HumanAgentRequestError) return json(err.status, { error: err.code, message: err.message });
    throw err;
  }
}
