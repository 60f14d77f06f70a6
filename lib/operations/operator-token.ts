import type { OperatorRole } from '#lambdas/identity/operator-identity';

export const OPERATOR_TOKEN_ENV = 'OPERATOR_TOKEN';
export const LOCAL_TOKEN_PATH = '/_local/auth/token';
/** The business the local cloud serves unless given others (`defaultLocalTenants`). */
export const LOCAL_BUSINESS_ID = 'local';

export interface OperatorTokenOptions {
  /** The API the token is for, e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  businessId: string;
  /** Who acts: a person's id locally, or a tool's name. */
  subject: string;
  roles: readonly OperatorRole[];
  /** Default: what the local identity provider grants (every operator scope). */
  scopes?: readonly string[];
  /** For tests; default process.env. */
  env?: Record<string, string | undefined>;
}

export class OperatorTokenError extends Error {
  override name = 'OperatorTokenError';
}

/**
 * An access token for the operator APIs. `OPERATOR_TOKEN` wins when set: in AWS that is the
 * Cognito access token the person obtained by signing in (or a machine client's). Otherwise the
 * local cloud's identity provider issues one for the given business, subject and roles; that
 * route exists only in the local cloud.
 */
export async function operatorToken(options: OperatorTokenOptions): Promise<string> {
  const env = options.env ?? process.env;
  const given = env[OPERATOR_TOKEN_ENV]?.trim().replace(/^Bearer\s+/i, '');
  if (given) return given;

  const url = `${options.apiUrl.replace(/\/+$/, '')}${LOCAL_TOKEN_PATH}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        businessId: options.businessId,
        subject: options.subject,
        roles: options.roles,
        ...(options.scopes ? { scopes: options.scopes } : {}),
      }),
    });
  } catch {
    throw new OperatorTokenError(`Nothing answers at ${options.apiUrl}; start the local cloud with \`npm start\`, or set ${OPERATOR_TOKEN_ENV}`);
  }
  const text = await response.text();
  if (response.status === 404) {
    throw new OperatorTokenError(
      `${options.apiUrl} issues no local tokens (it is not the local cloud); set ${OPERATOR_TOKEN_ENV} to an access token from the stack's Cognito user pool`,
    );
  }
  let body: { accessToken?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Reported below.
  }
  if (!response.ok || typeof body.accessToken !== 'string') {
    throw new OperatorTokenError(
      `The local identity provider refused a token (HTTP ${response.status}): ${typeof body.message === 'string' ? body.message : text.slice(0, 200)}`,
    );
  }
  return body.accessToken;
}
