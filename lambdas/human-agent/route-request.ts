import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { describeIssues, jsonResponse, readJsonBody } from '#lambdas/shared/http-json';
import { listConversations, readConversation } from '#lambdas/human-agent/conversation-views';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import { HUMAN_AGENT_ROUTES } from '#lambdas/human-agent/human-agent-contract';
import { closeConversation, handBackToBot, replyAsHuman, type HumanAgentDeps } from '#lambdas/human-agent/human-agent-actions';

const listQuery = z.object({
  accountId: z.string().min(1),
  state: z.enum(['human', 'bot', 'closed']).default('human'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().optional(),
});
const readQuery = z.object({ key: z.string().min(1), limit: z.coerce.number().int().min(1).max(200).default(50) });
const keyBody = z.object({ conversationKey: z.string().min(1) });
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

/** One API request of an already authorised human agent → its JSON response. */
export async function routeRequest(event: APIGatewayProxyEventV2, agentId: string, deps: HumanAgentDeps): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath;
  const query = event.queryStringParameters ?? {};
  try {
    if (method === 'GET' && path === HUMAN_AGENT_ROUTES.list.path) {
      const q = parse(listQuery, query);
      return json(200, await listConversations(q.accountId, q.state, q.limit, q.cursor, deps));
    }
    if (method === 'GET' && path === HUMAN_AGENT_ROUTES.read.path) {
      const q = parse(readQuery, query);
      const found = await readConversation(q.key, q.limit, deps);
      return found ? json(200, found) : json(404, { error: 'conversation_not_found' });
    }
    if (method === 'POST' && path === HUMAN_AGENT_ROUTES.reply.path) {
      const b = parse(replyBody, bodyOf(event));
      const result = await replyAsHuman(b.conversationKey, { text: b.text, requestId: b.requestId ?? randomUUID(), agentId }, deps);
      return json(result.repeated ? 200 : 202, result);
    }
    if (method === 'POST' && path === HUMAN_AGENT_ROUTES.handBack.path) {
      const b = parse(keyBody, bodyOf(event));
      return json(200, await handBackToBot(b.conversationKey, agentId, deps));
    }
    if (method === 'POST' && path === HUMAN_AGENT_ROUTES.close.path) {
      const b = parse(keyBody, bodyOf(event));
      return json(200, await closeConversation(b.conversationKey, agentId, deps));
    }
    return json(404, { error: 'route_not_found' });
  } catch (err) {
    if (err instanceof HumanAgentRequestError) return json(err.status, { error: err.code, message: err.message });
    throw err;
  }
}
