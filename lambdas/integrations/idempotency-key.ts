import { sha256Hex } from '#lambdas/shared/hash';
import type { Integration } from '#lambdas/integrations/integration-model';

/**
 * Same event + integration + step → same key: a domain event delivered twice, or a dead letter
 * sent again, reaches the destination with the key it had the first time. At most 64 characters
 * of `[a-z0-9:_]`, so it travels as the `idempotency_key` query parameter without escaping.
 */
export function idempotencyKeyOf(integration: Pick<Integration, 'kind' | 'integrationId'>, eventId: string, step: string): string {
  return `${integration.kind}:${step.replace(/[^a-z0-9_]/g, '_').slice(0, 16)}:${sha256Hex(`${integration.integrationId}\n${eventId}\n${step}`).slice(0, 40)}`;
}

/** A key a mapper gave is used when it reads the same in a query string, escaped or not (URL-unreserved characters and `:`). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._~:-]{8,128}$/;

/**
 * The id of one delivery: a hash of the event, the integration and the request's key (32 hex
 * characters), so a redelivered event finds the delivery it recorded the first time.
 */
export function deliveryIdOf(integrationId: string, eventId: string, idempotencyKey: string): string {
  return sha256Hex(`${integrationId}\n${eventId}\n${idempotencyKey}`).slice(0, 32);
}
