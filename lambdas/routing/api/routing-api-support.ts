import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { requireActsFor, requireOwnTarget, isPlatform } from '#lambdas/identity/operator-permissions';
import type { AuditContext } from '#lambdas/identity/operator-request';
import { ownerOfConversation } from '#lambdas/identity/resolve-target';
import type { QueueHours, RoutingAgent, RoutingQueue } from '#lambdas/routing/routing-model';
import type { RoutingConfigReader, RoutingEngine, RoutingResult } from '#lambdas/routing/routing-ports';
import type { RoutingViews } from '#lambdas/routing/wiring/routing-views-store';
import { describeIssues, jsonResponse, readJsonBody } from '#lambdas/shared/http-json';
import type { BotSettingsSource } from '#lambdas/bot-settings/account-bot-settings';
import type { InternalNoteStore } from '#lambdas/workspace/internal-note-store';

/** What the workspace and supervisor routes of the human-agent API need. */
export interface RoutingApiDeps {
  engine: RoutingEngine;
  config: RoutingConfigReader;
  views: RoutingViews;
  accounts: AccountReader;
  /** Whether a queue is open now, and when it opens next (the engine's queue calendar). */
  openState(hours: QueueHours | undefined, at: Date): { open: boolean; nextOpenAt?: string };
  now?: () => Date;
  /** Where a transfer's or reassignment's `note` is kept, as an internal note for the next person. */
  handoverNotes?: { notes: InternalNoteStore; publisher: EventPublisher };
  /** The business's bot settings (its time zone for `GET /agent/me`), found through one of its accounts. */
  botSettings?: BotSettingsSource;
  /** The business's channel account ids (the registry's by-business index). */
  accountIdsOf?: (businessId: string) => Promise<string[]>;
}

export const conversationKeySchema = z.string().min(3).max(1000);
const cursorSchema = z.string().regex(/^[A-Za-z0-9_-]{1,2000}$/, 'a cursor from a previous page');
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursorSchema.optional(),
});

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new OperatorRequestError(400, 'invalid_request', describeIssues(parsed.error.issues));
  return parsed.data;
}

export function bodyOf(event: APIGatewayProxyEventV2): unknown {
  const body = readJsonBody(event);
  if (!body.ok) throw new OperatorRequestError(400, 'invalid_json', 'The body is not JSON');
  return body.value;
}

/** A page of `items` sorted by `idOf`, after the cursor's id. */
export function pageOf<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  page: { limit: number; cursor?: string | undefined },
): { items: T[]; cursor?: string } {
  const after = page.cursor === undefined ? undefined : cursorId(page.cursor);
  const sorted = [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((item) => idOf(item) > after);
  const items_ = rest.slice(0, page.limit);
  const last = items_[items_.length - 1];
  return rest.length > page.limit && last !== undefined
    ? { items: items_, cursor: Buffer.from(JSON.stringify({ after: idOf(last) })).toString('base64url') }
    : { items: items_ };
}

function cursorId(cursor: string): string {
  try {
    const value = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown } | null)?.after;
    if (typeof value === 'string' && value.length <= 1000) return value;
  } catch {
    // answered below
  }
  throw new OperatorRequestError(400, 'invalid_request', 'cursor: not a cursor from a previous page');
}

/** Resolves the conversation to its business through the registry; another business's is 404. */
export async function ownConversation(key: string, identity: OperatorIdentity, audit: AuditContext, accounts: AccountReader): Promise<string> {
  audit.target = key;
  const owner = await ownerOfConversation(key, accounts);
  audit.targetBusinessId = owner?.businessId;
  requireOwnTarget(identity, owner?.businessId, 'conversation');
  return owner!.businessId;
}

/** The business a list is of: the caller's own; `platform` names one with `?businessId=`. */
export function listedBusiness(identity: OperatorIdentity, query: Record<string, string | undefined>, audit: AuditContext): string {
  const named = query['businessId'];
  const businessId =
    named !== undefined && isPlatform(identity) ? parse(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a business id'), named) : identity.businessId;
  requireActsFor(identity, businessId);
  audit.targetBusinessId = businessId;
  return businessId;
}

/** An engine refusal as the API answers it: 404 for not_found, else 409 with the refusal as the code. */
export function answerOf<T>(result: RoutingResult<T>, ok: (value: T) => unknown, status = 200): APIGatewayProxyStructuredResultV2 {
  if (result.ok) return jsonResponse(status, ok(result.value));
  return jsonResponse(result.refusal === 'not_found' ? 404 : 409, { error: result.refusal, message: result.message });
}

/** An agent as people see it (settings, presence, load). */
export function agentView(agent: RoutingAgent) {
  return {
    agentId: agent.agentId,
    name: agent.name,
    skills: agent.skills,
    languages: agent.languages,
    channels: agent.channels,
    maxConcurrent: agent.maxConcurrent,
    presence: agent.presence,
    presenceChangedAt: agent.presenceChangedAt,
    ...(agent.lastActivityAt ? { lastActivityAt: agent.lastActivityAt } : {}),
  };
}

export function queueView(queue: RoutingQueue) {
  return {
    queueId: queue.queueId,
    name: queue.name,
    priority: queue.priority,
    requiredSkills: queue.requiredSkills,
    languages: queue.languages,
    channels: queue.channels,
    sla: queue.sla,
    ...(queue.hours ? { hours: queue.hours } : {}),
    offerTimeoutSeconds: queue.offerTimeoutSeconds,
    ...(queue.overflowQueueId ? { overflowQueueId: queue.overflowQueueId } : {}),
  };
}
