import { sha256Hex } from '#lambdas/shared/hash';

/**
 * Names of the AWS resources made for one integration. Every one starts with the stack's
 * integrations prefix (`<stack name>-i-`), so the admin Lambda's IAM policy names that prefix and
 * nothing else; then the business and the integration id, so a person reading the EventBridge
 * console knows whose resource it is.
 *
 * Connections, API destinations and rules all take at most 64 characters of `[.\-_A-Za-z0-9]`.
 * A stack name is at most 28 characters (`Omnichannel-` + a 16-character stage), the prefix 31,
 * which leaves 33 for the rest: a long business id or destination key is shortened to a prefix of
 * it and a hash, so the name stays unique, stable and within bounds.
 */
export const AWS_NAME_MAX = 64;
const NAME_CHARS = /^[.\-_A-Za-z0-9]+$/;

/** `<stack name>-i-`: what IAM scopes the integration resources by. */
export const integrationsNamePrefix = (stackName: string) => `${stackName}-i-`;

/** `<stack name>/integrations`: the per-integration secrets (credentials for lookups and tests, the signing secret). */
export const integrationsSecretPrefix = (stackName: string) => `${stackName}/integrations`;

export interface IntegrationResourceNames {
  /** The EventBridge connection. */
  connection: string;
  /** The stem of every destination's API destination and rule name. */
  stem: string;
  /** API destination name of one destination key. */
  apiDestination(destinationKey: string): string;
  /** Rule name of one destination key (the rule and its API destination share the name). */
  rule(destinationKey: string): string;
  /** The per-integration secret's name. */
  secret: string;
}

export function integrationResourceNames(
  settings: { namePrefix: string; secretPrefix: string },
  businessId: string,
  integrationId: string,
): IntegrationResourceNames {
  const stem = boundedName(settings.namePrefix, `${slug(businessId, 12)}-${integrationId}`);
  const perDestination = (key: string) => boundedName(settings.namePrefix, `${slug(businessId, 12)}-${integrationId}-${slug(key, 16)}`);
  return {
    connection: stem,
    stem,
    apiDestination: perDestination,
    rule: perDestination,
    secret: `${settings.secretPrefix}/${secretSegment(businessId)}/${integrationId}`,
  };
}

/** `prefix + rest` when it fits and uses only allowed characters, else a shortened stable form. */
export function boundedName(prefix: string, rest: string): string {
  const name = `${prefix}${rest}`;
  if (name.length <= AWS_NAME_MAX && NAME_CHARS.test(name)) return name;
  const room = AWS_NAME_MAX - prefix.length - 11;
  if (room < 1) throw new Error(`Resource name prefix too long: ${prefix}`);
  return `${prefix}${rest.replace(/[^.\-_A-Za-z0-9]/g, '_').slice(0, room)}-${sha256Hex(rest).slice(0, 10)}`;
}

/** The value when short and made of name characters, else its head and a hash (deterministic). */
function slug(value: string, max: number): string {
  if (value.length <= max && NAME_CHARS.test(value)) return value;
  const head = value.replace(/[^A-Za-z0-9]/g, '').slice(0, Math.max(1, max - 7));
  return `${head}_${sha256Hex(value).slice(0, 6)}`;
}

/** Business ids are `[A-Za-z0-9._-]`; a secret name allows those, `/` is kept out. */
function secretSegment(businessId: string): string {
  return /^[A-Za-z0-9._-]{1,100}$/.test(businessId) ? businessId : `h_${sha256Hex(businessId).slice(0, 32)}`;
}
