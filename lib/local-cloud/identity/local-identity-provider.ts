import { randomUUID } from 'node:crypto';
import { type CryptoKey, createLocalJWKSet, exportJWK, generateKeyPair, type JSONWebKeySet, type JWTVerifyGetKey, SignJWT } from 'jose';
import { ALL_OPERATOR_SCOPES, OPERATOR_CLAIMS } from '#lambdas/identity/operator-scopes';
import type { LocalSignInPerson } from '#lib/local-cloud/identity/local-sign-in-people';
import type { LocalUserPool } from '#lib/local-cloud/identity/local-user-pool';
import { ISSUABLE_SCOPES, type TokenRequest, TokenRequestError } from '#lib/local-cloud/identity/token-request';

export const DEFAULT_EXPIRES_IN_SECONDS = 60 * 60;

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

/** In-process issuing also lets tests date a token (an expired one, one not valid yet). */
export interface IssueTokenOptions extends TokenRequest {
  /** Seconds since the epoch; default now. */
  issuedAt?: number;
  notBefore?: number;
}

/**
 * The local user pool's token issuer: an RS256 key made at start, and access tokens shaped like
 * the ones Cognito issues after the stack's pre token generation trigger has added the business
 * and the roles. Nothing here exists in AWS; people there sign in to Cognito instead.
 */
export class LocalIdentityProvider {
  private constructor(
    readonly pool: LocalUserPool,
    /** The client tokens are for unless a request names another (the console). */
    readonly defaultClientId: string,
    private readonly privateKey: CryptoKey,
    private readonly keyId: string,
    private readonly publicJwks: JSONWebKeySet,
  ) {}

  static async create(pool: LocalUserPool, defaultClientLogicalId?: string): Promise<LocalIdentityProvider> {
    const defaultClientId = (defaultClientLogicalId ? pool.clients.get(defaultClientLogicalId) : undefined) ?? [...pool.clients.values()][0];
    if (!defaultClientId) throw new Error(`The user pool ${pool.logicalId} has no app client`);
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const keyId = randomUUID();
    const jwk = await exportJWK(publicKey);
    return new LocalIdentityProvider(pool, defaultClientId, privateKey, keyId, { keys: [{ ...jwk, kid: keyId, alg: 'RS256', use: 'sig' }] });
  }

  get issuer(): string {
    return this.pool.issuer;
  }

  /** The public keys, as Cognito serves them at `<issuer>/.well-known/jwks.json`. */
  jwks(): JSONWebKeySet {
    return structuredClone(this.publicJwks);
  }

  /** The key set a JWT authoriser of this issuer verifies signatures against. */
  keySet(): JWTVerifyGetKey {
    return createLocalJWKSet(this.publicJwks);
  }

  /** The client id a request names, by logical id or by id; undefined when the pool has no such client. */
  clientIdOf(client: string | undefined): string | undefined {
    if (client === undefined) return this.defaultClientId;
    const byLogicalId = this.pool.clients.get(client);
    if (byLogicalId) return byLogicalId;
    return [...this.pool.clients.values()].includes(client) ? client : undefined;
  }

  async issueToken(request: IssueTokenOptions): Promise<IssuedToken> {
    const clientId = this.clientIdOf(request.client);
    if (!clientId) throw new TokenRequestError(`No app client ${JSON.stringify(request.client).slice(0, 60)} in the local user pool`);
    const scopes = request.scopes ?? [...ALL_OPERATOR_SCOPES];
    const unknownScope = scopes.find((s) => !ISSUABLE_SCOPES.includes(s));
    if (unknownScope !== undefined) throw new TokenRequestError(`Unknown scope ${unknownScope}`);
    const expiresIn = request.expiresIn ?? DEFAULT_EXPIRES_IN_SECONDS;
    const issuedAt = request.issuedAt ?? Math.floor(Date.now() / 1000);
    const roles = [...new Set(request.roles)];
    const jwt = new SignJWT({
      [OPERATOR_CLAIMS.groups]: roles,
      version: 2,
      [OPERATOR_CLAIMS.clientId]: clientId,
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      token_use: 'access',
      [OPERATOR_CLAIMS.scope]: scopes.join(' '),
      auth_time: issuedAt,
      [OPERATOR_CLAIMS.username]: request.subject,
      [OPERATOR_CLAIMS.businessId]: request.businessId,
      [OPERATOR_CLAIMS.roles]: roles.join(' '),
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.keyId })
      .setIssuer(this.pool.issuer)
      .setSubject(request.subject)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + expiresIn)
      .setJti(randomUUID());
    if (request.notBefore !== undefined) jwt.setNotBefore(request.notBefore);
    return { accessToken: await jwt.sign(this.privateKey), expiresIn, tokenType: 'Bearer' };
  }

  /**
   * An id token like the one Cognito's hosted sign-in gives with the code flow: for the console
   * client, naming the person (`cognito:username`, `name`, `custom:business_id`, groups).
   */
  async issueIdToken(input: { person: LocalSignInPerson; clientId: string; nonce?: string; issuedAt?: number }): Promise<string> {
    const issuedAt = input.issuedAt ?? Math.floor(Date.now() / 1000);
    const { person } = input;
    return new SignJWT({
      token_use: 'id',
      auth_time: issuedAt,
      'cognito:username': person.subject,
      'cognito:groups': [...person.roles],
      name: person.name,
      'custom:business_id': person.businessId,
      ...(input.nonce ? { nonce: input.nonce } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.keyId })
      .setIssuer(this.pool.issuer)
      .setSubject(person.subject)
      .setAudience(input.clientId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + DEFAULT_EXPIRES_IN_SECONDS)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  /** A discovery document like Cognito's, with the endpoints the local cloud serves. */
  openidConfiguration(apiUrl: string): Record<string, unknown> {
    return {
      issuer: this.pool.issuer,
      jwks_uri: `${apiUrl}/_local/auth/jwks.json`,
      authorization_endpoint: `${apiUrl}/oauth2/authorize`,
      token_endpoint: `${apiUrl}/oauth2/token`,
      end_session_endpoint: `${apiUrl}/logout`,
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code'],
      response_types_supported: ['code', 'token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ISSUABLE_SCOPES,
    };
  }
}
