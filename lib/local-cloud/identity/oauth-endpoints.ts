import type { LocalEndpoint, LocalResponse } from '#lib/local-cloud/http-api';
import { type AuthorizationCodes, CHALLENGE, OAuthError } from '#lib/local-cloud/identity/authorization-codes';
import type { LocalIdentityProvider } from '#lib/local-cloud/identity/local-identity-provider';
import type { LocalSignInPerson } from '#lib/local-cloud/identity/local-sign-in-people';
import { errorPage, LOGIN_PATH, type SignInRequestFields, signInPage } from '#lib/local-cloud/identity/sign-in-page';
import { ISSUABLE_SCOPES } from '#lib/local-cloud/identity/token-request';

/** Cognito's hosted sign-in endpoints, at the same paths on the local API port. */
export const OAUTH_PATHS = {
  authorize: '/oauth2/authorize',
  login: LOGIN_PATH,
  token: '/oauth2/token',
  logout: '/logout',
} as const;

export interface OAuthEndpointsOptions {
  provider: LocalIdentityProvider;
  codes: AuthorizationCodes;
  people: readonly LocalSignInPerson[];
  /** Callback and sign-out URLs registered for the console client (its CallbackURLs in AWS). */
  redirectUris: () => readonly string[];
}

const STATE = /^[\x21-\x7e]{1,512}$/;
const NONCE = /^[\x21-\x7e]{1,256}$/;
const MAX_FIELD = 2048;

/**
 * The authorisation code flow with PKCE as Cognito's hosted sign-in serves it: `/oauth2/authorize`
 * shows the local sign-in page, choosing a person (`POST /login`) sends the browser back to the
 * registered redirect URI with a code, `/oauth2/token` trades the code and its PKCE verifier for
 * an access token and an id token, `/logout` sends the browser to a registered sign-out URL.
 * A request naming an unknown client or an unregistered redirect URI gets an error page, never a
 * redirect; other mistakes go back to the client as `?error=` as RFC 6749 says.
 */
export function oauthEndpoints(options: OAuthEndpointsOptions): LocalEndpoint[] {
  const { provider, codes, people } = options;

  /** The request's client and redirect URI, else an error page (nothing is sent to an unchecked URI). */
  const checkClient = (fields: URLSearchParams): { clientId: string; redirectUri: string } | LocalResponse => {
    const clientId = fields.get('client_id') ?? '';
    if (!clientId || ![...provider.pool.clients.values()].includes(clientId))
      return html(400, errorPage('client_id does not name an app client of the local user pool.'));
    const redirectUri = fields.get('redirect_uri') ?? '';
    if (!options.redirectUris().includes(redirectUri)) {
      return html(400, errorPage(`redirect_uri is not a registered callback URL of the console client (${options.redirectUris().join(', ')}).`));
    }
    return { clientId, redirectUri };
  };

  /** The rest of a sign-in request, or the error to send back to the client. */
  const readRequest = (fields: URLSearchParams, redirectUri: string): SignInRequestFields | { error: string; description: string } => {
    for (const [, v] of fields) if (v.length > MAX_FIELD) return { error: 'invalid_request', description: 'A parameter is too long' };
    if (fields.has('response_type') && fields.get('response_type') !== 'code')
      return { error: 'unsupported_response_type', description: 'Only response_type=code' };
    const state = fields.get('state') ?? '';
    if (state && !STATE.test(state)) return { error: 'invalid_request', description: 'state is malformed' };
    const challenge = fields.get('code_challenge') ?? '';
    if (fields.get('code_challenge_method') !== 'S256' || !CHALLENGE.test(challenge)) {
      return { error: 'invalid_request', description: 'PKCE is required: code_challenge (S256, 43 characters) and code_challenge_method=S256' };
    }
    const scopes = (fields.get('scope') ?? '').split(' ').filter(Boolean);
    const unknown = scopes.find((s) => !ISSUABLE_SCOPES.includes(s));
    if (unknown !== undefined) return { error: 'invalid_scope', description: `Unknown scope ${unknown.slice(0, 60)}` };
    const nonce = fields.get('nonce') ?? undefined;
    if (nonce !== undefined && !NONCE.test(nonce)) return { error: 'invalid_request', description: 'nonce is malformed' };
    return {
      client_id: fields.get('client_id')!,
      redirect_uri: redirectUri,
      state,
      scope: scopes.join(' '),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...(nonce ? { nonce } : {}),
    };
  };

  return [
    {
      method: 'GET',
      path: OAUTH_PATHS.authorize,
      handle: async ({ query }) => {
        const client = checkClient(query);
        if ('status' in client) return client;
        const request = readRequest(query, client.redirectUri);
        if ('error' in request)
          return redirectTo(client.redirectUri, { error: request.error, error_description: request.description, state: query.get('state') ?? '' });
        return html(200, signInPage(people, request), client.redirectUri);
      },
    },
    {
      method: 'POST',
      path: OAUTH_PATHS.login,
      handle: async ({ body }) => {
        const fields = new URLSearchParams(body);
        const client = checkClient(fields);
        if ('status' in client) return client;
        const request = readRequest(fields, client.redirectUri);
        if ('error' in request)
          return redirectTo(client.redirectUri, { error: request.error, error_description: request.description, state: fields.get('state') ?? '' });
        const person = people.find((p) => p.subject === fields.get('person'));
        if (!person) return html(400, errorPage("That person is not one of the local sign-in page's people."));
        const scopes = request.scope ? request.scope.split(' ') : [...ISSUABLE_SCOPES.filter((s) => s.includes('/'))];
        const code = codes.issue({
          clientId: client.clientId,
          redirectUri: client.redirectUri,
          scopes,
          codeChallenge: request.code_challenge,
          person,
          ...(request.nonce ? { nonce: request.nonce } : {}),
        });
        return redirectTo(client.redirectUri, { code, ...(request.state ? { state: request.state } : {}) });
      },
    },
    {
      method: 'POST',
      path: OAUTH_PATHS.token,
      handle: async ({ body, headers }) => {
        if (!(headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
          return tokenError(400, 'invalid_request', 'The body must be application/x-www-form-urlencoded');
        }
        const fields = new URLSearchParams(body);
        if (fields.get('grant_type') !== 'authorization_code') {
          return tokenError(400, 'unsupported_grant_type', 'The local sign-in issues tokens for grant_type=authorization_code only');
        }
        const clientId = fields.get('client_id') ?? '';
        if (![...provider.pool.clients.values()].includes(clientId)) return tokenError(400, 'invalid_client', 'Unknown client_id');
        try {
          const grant = codes.redeem({
            code: (fields.get('code') ?? '').slice(0, 200),
            clientId,
            redirectUri: fields.get('redirect_uri') ?? '',
            codeVerifier: fields.get('code_verifier') ?? '',
          });
          const { person } = grant;
          const access = await provider.issueToken({
            businessId: person.businessId,
            subject: person.subject,
            roles: person.roles,
            scopes: grant.scopes,
            client: clientId,
          });
          const idToken = await provider.issueIdToken({ person, clientId, ...(grant.nonce ? { nonce: grant.nonce } : {}) });
          return {
            status: 200,
            body: JSON.stringify({ access_token: access.accessToken, id_token: idToken, token_type: 'Bearer', expires_in: access.expiresIn }),
            headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' },
          };
        } catch (err) {
          if (err instanceof OAuthError) return tokenError(400, err.code, err.message);
          throw err;
        }
      },
    },
    {
      method: 'GET',
      path: OAUTH_PATHS.logout,
      handle: async ({ query }) => {
        const clientId = query.get('client_id') ?? '';
        if (![...provider.pool.clients.values()].includes(clientId))
          return html(400, errorPage('client_id does not name an app client of the local user pool.'));
        const logoutUri = query.get('logout_uri') ?? '';
        if (!options.redirectUris().includes(logoutUri)) return html(400, errorPage('logout_uri is not a registered sign-out URL of the console client.'));
        return { status: 302, body: '', headers: { location: logoutUri, 'cache-control': 'no-store' } };
      },
    },
  ];
}

function html(status: number, body: string, formTarget?: string): LocalResponse {
  const formAction = formTarget ? `'self' ${new URL(formTarget).origin}` : "'self'";
  return {
    status,
    body,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
  };
}

function redirectTo(uri: string, params: Record<string, string>): LocalResponse {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== '') url.searchParams.set(k, v);
  return { status: 302, body: '', headers: { location: url.toString(), 'cache-control': 'no-store' } };
}

function tokenError(status: number, error: string, description: string): LocalResponse {
  return {
    status,
    body: JSON.stringify({ error, error_description: description }),
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  };
}
