import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import type { AuditTrailStore } from '#lambdas/identity/audit-trail-store';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * The operators' audit trail: one item per operator request (who, role, business, route, target,
 * outcome, time), kept under the business it concerns (audit-trail-store.ts: `AUDIT#<business id>`,
 * newest last by time) and published as `operator.action`.
 *
 * A refused request is kept under the caller's business; a `platform` operator acting on another
 * business is kept under both, so that business's admins see what was done to it.
 */
export { auditPk } from '#lambdas/identity/audit-trail-store';

export interface OperatorAction {
  at: string;
  requestId: string;
  actor: string;
  subject: string;
  roles: string[];
  /** The caller's own business. */
  callerBusinessId: string;
  /** The business acted on, when the target was resolved to one. */
  businessId?: string;
  route: string;
  /** The conversation, account, WABA or business the request named (bounded). */
  target?: string;
  status: number;
  outcome: 'allowed' | 'refused' | 'failed';
}

export interface AuditDeps {
  /** The businesses' audit trails (identity/audit-trail-store.ts). */
  auditTrail: AuditTrailStore;
  publisher: EventPublisher;
  retentionDays: number;
}

const MAX_TARGET_CHARS = 256;

export function auditRecord(input: {
  identity: Pick<OperatorIdentity, 'actor' | 'subject' | 'roles' | 'businessId'> | undefined;
  requestId: string;
  route: string;
  status: number;
  target?: string | undefined;
  targetBusinessId?: string | undefined;
  at: Date;
}): OperatorAction {
  return {
    at: input.at.toISOString(),
    requestId: input.requestId.slice(0, 100),
    actor: input.identity?.actor ?? 'anonymous',
    subject: input.identity?.subject ?? 'anonymous',
    roles: [...(input.identity?.roles ?? [])],
    callerBusinessId: input.identity?.businessId ?? 'unknown',
    ...(input.targetBusinessId ? { businessId: input.targetBusinessId } : {}),
    route: input.route.slice(0, 100),
    ...(input.target ? { target: input.target.slice(0, MAX_TARGET_CHARS) } : {}),
    status: input.status,
    outcome: input.status < 400 ? 'allowed' : input.status >= 500 ? 'failed' : 'refused',
  };
}

/** Stores the action under every business it concerns and announces it once. */
export async function recordOperatorAction(action: OperatorAction, deps: AuditDeps): Promise<void> {
  const businesses = new Set([action.callerBusinessId]);
  if (action.businessId && action.outcome === 'allowed') businesses.add(action.businessId);
  const expiresAt = Math.floor(Date.parse(action.at) / 1000) + deps.retentionDays * 86_400;
  const trail = deps.auditTrail;
  await Promise.all([...businesses].map((businessId) => trail.record(businessId, action, expiresAt)));
  await deps.publisher.publish([{ source: EVENT_SOURCE.operators, detailType: DETAIL_TYPE.operatorAction, detail: { ...action } }]);
}

/** A business's audit trail, newest first, a page at a time. */
export async function listOperatorActions(
  businessId: string,
  options: { limit: number; cursor?: string | undefined },
  deps: Pick<AuditDeps, 'auditTrail'>,
): Promise<{ actions: OperatorAction[]; nextCursor?: string }> {
  const page = await deps.auditTrail.newestFirst(businessId, {
    limit: options.limit,
    ...(options.cursor ? { afterSk: decodeAuditCursor(options.cursor) } : {}),
  });
  return { actions: page.actions, ...(page.lastSk !== undefined ? { nextCursor: Buffer.from(page.lastSk).toString('base64url') } : {}) };
}

function decodeAuditCursor(cursor: string): string {
  const sk = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z#[\w-]{1,100}$/.test(sk)) throw new OperatorRequestError(400, 'invalid_cursor', 'The cursor is not one this API handed out');
  return sk;
}
