import { optionalInt, optionalString, type FieldErrors, type JsonInput } from '#lib/local-cloud/aws/http/json-input';
import { eventBridgeValidationError } from '#lib/local-cloud/aws/eventbridge/eventbridge-engine';

/** How EventBridge words a missing or malformed request field. */
export const fieldErrors: FieldErrors = {
  missing: (name) =>
    eventBridgeValidationError(
      `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
    ),
  invalid: (name, detail) => eventBridgeValidationError(`Value at '${name}' ${detail}.`),
};

/** AWS JSON 1.1 carries timestamps as epoch seconds. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** One page of a List call: `Limit` (1–100, default 100) items from the offset `NextToken` names. */
export function page<T>(items: T[], input: JsonInput): { items: T[]; nextToken: string | undefined } {
  const limit = optionalInt(input, 'Limit', fieldErrors) ?? 100;
  if (limit < 1 || limit > 100) throw fieldErrors.invalid('limit', 'must be between 1 and 100');
  const token = optionalString(input, 'NextToken', fieldErrors);
  let offset = 0;
  if (token !== undefined) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw eventBridgeValidationError('The NextToken is not valid.');
    offset = decoded;
  }
  const slice = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(String(offset + limit), 'utf8').toString('base64url') : undefined;
  return { items: slice, nextToken: next };
}
