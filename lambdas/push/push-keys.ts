import { boundedId } from '#lambdas/shared/bounded-id';

/**
 * The agents' WebSocket connections in the single table:
 *
 *   pk                          sk                 entity                 holds
 *   WSCONN#<business>           <connection id>    AgentConnection        agent id (actor), roles, connectedAt, expiresAt
 *   WSCONNID#<connection id>    WSCONNID           AgentConnectionOwner   the business, for $disconnect (it names only the connection)
 *
 * One Query of `WSCONN#<business>` lists every connected person of a business. Both items expire
 * (TTL `expiresAt`) a while after API Gateway's own two-hour limit, so a connection whose
 * `$disconnect` never ran goes away by itself; a push to it meanwhile answers 410 and deletes it.
 */
export const connectionsPk = (businessId: string) => `WSCONN#${boundedId(businessId)}`;
export const connectionOwnerPk = (connectionId: string) => `WSCONNID#${boundedId(connectionId)}`;
export const CONNECTION_OWNER_SK = 'WSCONNID';

/** API Gateway closes a WebSocket connection after two hours; the items outlive that by one. */
export const CONNECTION_TTL_SECONDS = 3 * 60 * 60;

/** API Gateway's connection ids are short base64-ish tokens (`L0SM9cOFvHcCIhw=`); anything else is refused. */
export const CONNECTION_ID = /^[A-Za-z0-9+/=_-]{1,128}$/;
