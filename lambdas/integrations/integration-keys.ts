import { randomBytes } from 'node:crypto';
import { boundedId } from '#lambdas/shared/bounded-id';

/**
 * Integration items in the single table (see conversation/table-keys.ts for the rest):
 *
 *   pk                 sk                                              entity                 holds
 *   INTEG#<business>   CONF#<integration id>                           Integration            integration-model.ts Integration + provisioning state, versioned
 *   INTEG#<business>   DLV#<integration id>#<at>#<delivery id>         IntegrationDelivery    one delivery (requested → dead_lettered) or test call, TTL 30 days
 *   INTEG#<business>   LOOKUP#<integration id>#<identity hash>         IntegrationLookup      one lookup result (or "not found"), TTL
 *
 * Deliveries are keyed per integration and by the time of the event they carry (not the time they
 * were made), so a redelivered domain event lands on the same item: the conditional put refuses
 * it, and "the last N deliveries" of an integration is one Query in reverse order.
 */
export const integrationsPk = (businessId: string) => `INTEG#${boundedId(businessId)}`;
export const integrationSk = (integrationId: string) => `CONF#${integrationId}`;
export const INTEGRATION_SK_PREFIX = 'CONF#';
export const deliveriesPrefix = (integrationId: string) => `DLV#${integrationId}#`;
export const deliverySk = (integrationId: string, at: string, deliveryId: string) => `${deliveriesPrefix(integrationId)}${at.slice(0, 64)}#${deliveryId}`;
export const lookupSk = (integrationId: string, identityHash: string) => `LOOKUP#${integrationId}#${identityHash}`;

/** `i` + 11 lower-case letters and digits: short enough for AWS resource names, unguessable enough for URLs. */
export const INTEGRATION_ID_PATTERN = /^i[0-9a-z]{11}$/;
export const isIntegrationId = (value: unknown): value is string => typeof value === 'string' && INTEGRATION_ID_PATTERN.test(value);

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function newIntegrationId(random: (n: number) => Uint8Array = randomBytes): string {
  const bytes = random(11);
  let id = 'i';
  for (let i = 0; i < 11; i++) id += ID_ALPHABET[(bytes[i] ?? 0) % ID_ALPHABET.length];
  return id;
}

/** Delivery ids: 32 hex characters, derived from the idempotency key (deliveries) or random (test calls). */
export const DELIVERY_ID_PATTERN = /^[0-9a-f]{32}$/;
