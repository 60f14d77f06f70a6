import type { HttpRoute, LocalEndpoint } from '#lib/local-cloud/http-api';
import { AuthorizationCodes } from '#lib/local-cloud/identity/authorization-codes';
import { identityEndpoints, LOCAL_AUTH_PATHS } from '#lib/local-cloud/identity/identity-endpoints';
import { DEFAULT_SIGN_IN_PEOPLE, type LocalSignInPerson } from '#lib/local-cloud/identity/local-sign-in-people';
import { OAUTH_PATHS, oauthEndpoints } from '#lib/local-cloud/identity/oauth-endpoints';
import type { IssuerKeys, JwtAuthorizerConfig } from '#lib/local-cloud/identity/jwt-authorizer';
import { type IssuedToken, type IssueTokenOptions, LocalIdentityProvider } from '#lib/local-cloud/identity/local-identity-provider';
import { localUserPool, userPoolResourceValues } from '#lib/local-cloud/identity/local-user-pool';
import { type IntrinsicContext, resolveIntrinsics } from '#lib/local-cloud/template/intrinsics';
import type { LocalTopology, RouteSpec } from '#lib/local-cloud/template/read-topology';

/** The operators' user pool and console client, as the stack names them. */
export const OPERATOR_USER_POOL_LOGICAL_ID = 'OperatorUserPool';
export const OPERATOR_CONSOLE_CLIENT_LOGICAL_ID = 'OperatorConsoleClient';

/** What tests and tools get from the local cloud to act as an operator. */
export interface LocalIdentity {
  userPoolId: string;
  issuer: string;
  /** App client ids by logical id (the console client first). */
  clientIds: Record<string, string>;
  consoleClientId: string;
  tokenUrl: string;
  jwksUrl: string;
  /** The OAuth endpoints of the local sign-in page, shaped like Cognito's hosted sign-in. */
  hostedSignIn: { authorizeUrl: string; tokenUrl: string; logoutUrl: string };
  /** An access token of the operators' pool, signed with the local key. */
  issueToken(options: IssueTokenOptions): Promise<IssuedToken>;
}

/**
 * The template's Cognito user pools played locally: one token issuer per pool, whose ids are
 * registered for `Ref`/`Fn::GetAtt` so that the JWT authorisers' issuer and audience, and any
 * function environment naming the pool, resolve to the local values.
 */
export class LocalIdentityProviders {
  private constructor(
    readonly providers: Map<string, LocalIdentityProvider>,
    /** The operators' pool (OperatorUserPool, else the first pool); undefined without pools. */
    readonly operator: LocalIdentityProvider | undefined,
  ) {}

  static async create(topology: LocalTopology, ctx: IntrinsicContext): Promise<LocalIdentityProviders> {
    const providers = new Map<string, LocalIdentityProvider>();
    for (const spec of topology.userPools) {
      const pool = localUserPool({ logicalId: spec.logicalId, region: ctx.region, accountId: ctx.accountId, clientLogicalIds: spec.clientLogicalIds });
      ctx.resources.set(spec.logicalId, userPoolResourceValues(pool));
      for (const [clientLogicalId, clientId] of pool.clients) {
        ctx.resources.set(clientLogicalId, { ref: clientId, attributes: { ClientId: clientId, Name: clientLogicalId } });
      }
      if (pool.clients.size === 0) continue;
      const consoleClient = pool.clients.has(OPERATOR_CONSOLE_CLIENT_LOGICAL_ID) ? OPERATOR_CONSOLE_CLIENT_LOGICAL_ID : undefined;
      providers.set(pool.issuer, await LocalIdentityProvider.create(pool, consoleClient));
    }
    const all = [...providers.values()];
    const operator = all.find((p) => p.pool.logicalId === OPERATOR_USER_POOL_LOGICAL_ID) ?? all[0];
    return new LocalIdentityProviders(providers, operator);
  }

  /** API Gateway fetches an issuer's keys from its jwks_uri; locally only the local pools' issuers have keys. */
  readonly issuerKeys: IssuerKeys = (issuer) => this.providers.get(issuer)?.keySet();

  /**
   * The local identity provider's endpoints: the token route for tests and tools, and the hosted
   * sign-in's OAuth endpoints for the console, which may send people back to the console's local
   * URL (`<api>/console/`, also as `localhost`) or any other given callback URL.
   */
  endpoints(apiUrl: () => string, signIn: { people?: readonly LocalSignInPerson[]; callbackUrls?: readonly string[] } = {}): LocalEndpoint[] {
    if (!this.operator) return [];
    return [
      ...identityEndpoints(this.operator, apiUrl),
      ...oauthEndpoints({
        provider: this.operator,
        codes: this.codes,
        people: signIn.people ?? DEFAULT_SIGN_IN_PEOPLE,
        redirectUris: () => [...localConsoleUrls(apiUrl()), ...(signIn.callbackUrls ?? [])],
      }),
    ];
  }

  private readonly codes = new AuthorizationCodes();

  handle(apiUrl: string): LocalIdentity | undefined {
    const provider = this.operator;
    if (!provider) return undefined;
    return {
      userPoolId: provider.pool.id,
      issuer: provider.issuer,
      clientIds: Object.fromEntries(provider.pool.clients),
      consoleClientId: provider.defaultClientId,
      tokenUrl: `${apiUrl}${LOCAL_AUTH_PATHS.token}`,
      hostedSignIn: {
        authorizeUrl: `${apiUrl}${OAUTH_PATHS.authorize}`,
        tokenUrl: `${apiUrl}${OAUTH_PATHS.token}`,
        logoutUrl: `${apiUrl}${OAUTH_PATHS.logout}`,
      },
      jwksUrl: `${apiUrl}${LOCAL_AUTH_PATHS.jwks}`,
      issueToken: (options) => provider.issueToken(options),
    };
  }
}

/** Where the local cloud serves the console: `<api>/console/`, by address and by `localhost`. */
export function localConsoleUrls(apiUrl: string): string[] {
  const url = new URL('/console/', apiUrl);
  const urls = [url.toString()];
  if (url.hostname === '127.0.0.1') urls.push(url.toString().replace('//127.0.0.1', '//localhost'));
  return urls;
}

/**
 * The JWT authoriser of each route whose AuthorizationType is JWT, issuer and audience resolved
 * locally. A JWT route whose authoriser cannot be resolved gets an issuer without keys, so it
 * refuses every request rather than serving it unauthenticated.
 */
export function jwtOfRoute(route: RouteSpec, topology: LocalTopology, ctx: IntrinsicContext): HttpRoute['jwt'] {
  if (route.authorizationType !== 'JWT') return undefined;
  const spec = topology.authorizers.find((a) => a.logicalId === route.authorizerLogicalId && a.authorizerType === 'JWT');
  const authorizer: JwtAuthorizerConfig = { logicalId: route.authorizerLogicalId ?? '', issuer: '', audience: [] };
  let identityHeader = 'authorization';
  if (spec) {
    identityHeader = spec.identityHeader;
    try {
      authorizer.issuer = String(resolveIntrinsics(spec.issuer, ctx) ?? '');
      authorizer.audience = (resolveIntrinsics(spec.audience, ctx) as unknown[]).map(String);
    } catch {
      authorizer.issuer = '';
    }
  }
  return { authorizer, scopes: route.authorizationScopes, identityHeader };
}
