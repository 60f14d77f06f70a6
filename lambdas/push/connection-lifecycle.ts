import { OPERATOR_ROLES, type OperatorRole } from '#lambdas/identity/operator-identity';
import { CONNECTION_ID } from '#lambdas/push/push-keys';
import type { AgentConnection } from '#lambdas/push/recipients';

/** Where connections are kept between `$connect` and `$disconnect`. */
export interface ConnectionRegistry {
  add(connection: AgentConnection): Promise<void>;
  /** The business a connection was opened for (for a `$disconnect` without the authoriser's context). */
  businessOf(connectionId: string): Promise<string | undefined>;
  remove(businessId: string, connectionId: string): Promise<void>;
}

/** The authoriser's context as API Gateway hands it to the routes (`requestContext.authorizer`). */
export type AuthorizerContext = Record<string, unknown> | undefined;

export type ConnectOutcome = { accepted: true; connection: AgentConnection } | { accepted: false; reason: 'invalid_connection' | 'no_identity' };

const BUSINESS_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** `$connect` after the authoriser allowed it: the connection is kept under the person's business. */
export async function openConnection(connectionId: unknown, context: AuthorizerContext, registry: ConnectionRegistry, now: Date): Promise<ConnectOutcome> {
  if (typeof connectionId !== 'string' || !CONNECTION_ID.test(connectionId)) return { accepted: false, reason: 'invalid_connection' };
  const businessId = context?.businessId;
  const actor = context?.actor;
  if (typeof businessId !== 'string' || !BUSINESS_ID.test(businessId) || typeof actor !== 'string' || actor.length === 0 || actor.length > 200) {
    return { accepted: false, reason: 'no_identity' };
  }
  const roles = (typeof context?.roles === 'string' ? context.roles.split(' ') : []).filter((r): r is OperatorRole =>
    (OPERATOR_ROLES as readonly string[]).includes(r),
  );
  const connection: AgentConnection = { businessId, connectionId, agentId: actor, roles: [...new Set(roles)], connectedAt: now.toISOString() };
  await registry.add(connection);
  return { accepted: true, connection };
}

/** `$disconnect`: the connection's items go (its business from the authoriser's context, else from the owner item). */
export async function closeConnection(connectionId: unknown, context: AuthorizerContext, registry: ConnectionRegistry): Promise<boolean> {
  if (typeof connectionId !== 'string' || !CONNECTION_ID.test(connectionId)) return false;
  const fromContext = typeof context?.businessId === 'string' && BUSINESS_ID.test(context.businessId) ? context.businessId : undefined;
  const businessId = fromContext ?? (await registry.businessOf(connectionId));
  if (!businessId) return false;
  await registry.remove(businessId, connectionId);
  return true;
}

/** Frames larger than this are not read (API Gateway's own limit is 128 KB; a ping is a few bytes). */
const MAX_FRAME_CHARS = 4096;

/**
 * `$default`: `{"action":"ping"}` (or a bare `ping`) is answered `{"type":"pong","at":…}` so clients
 * can keep the connection alive past API Gateway's ten-minute idle timeout; anything else is ignored.
 */
export function answerFrame(body: unknown, now: Date): string | undefined {
  if (typeof body !== 'string' || body.length > MAX_FRAME_CHARS) return undefined;
  if (body.trim() === 'ping') return JSON.stringify({ type: 'pong', at: now.toISOString() });
  try {
    const parsed = JSON.parse(body) as { action?: unknown } | null;
    if (parsed && typeof parsed === 'object' && parsed.action === 'ping') return JSON.stringify({ type: 'pong', at: now.toISOString() });
  } catch {
    // Not JSON: ignored.
  }
  return undefined;
}
