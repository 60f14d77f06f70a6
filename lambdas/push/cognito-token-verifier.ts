import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { AccessTokenVerifier } from '#lambdas/push/authorize-connection';

/** Environment of the `$connect` authoriser, set by the stack. */
export const PUSH_AUTHORIZER_ENV = {
  /** The operators' Cognito user pool (its issuer is `https://cognito-idp.<region>.amazonaws.com/<pool id>`). */
  userPoolId: 'OPERATOR_USER_POOL_ID',
  /** Comma-separated app client ids whose access tokens are accepted (the console and machine clients). */
  clientIds: 'OPERATOR_CLIENT_IDS',
  /**
   * Local cloud only: where the pool's key set is served instead of `<issuer>/.well-known/jwks.json`.
   * Unset in AWS, where the verifier fetches Cognito's own JWKS over HTTPS.
   */
  jwksUrl: 'OPERATOR_JWKS_URL',
} as const;

/**
 * A fetcher that reads the pool's key set from `jwksUrl` whatever URI the verifier asks for. The
 * local identity provider serves its keys over plain HTTP on loopback, which aws-jwt-verify's own
 * fetcher (Node's `https` module) cannot reach; everything else of the verification is unchanged.
 */
class RedirectedJwksFetcher extends SimpleFetcher {
  constructor(private readonly jwksUrl: string) {
    super();
  }
  override async fetch(): Promise<ArrayBuffer> {
    const res = await fetch(this.jwksUrl, { signal: AbortSignal.timeout(3000) });
    if (res.status !== 200) throw new Error(`The key set answered ${res.status}`);
    return res.arrayBuffer();
  }
}

/**
 * aws-jwt-verify's Cognito verifier: RS256 signature against the pool's key set, issuer of the pool,
 * `token_use` access, `client_id` among the pool's clients, expiry. Created once per instance, so the
 * key set is fetched once and cached.
 */
export function cognitoAccessTokenVerifier(input: { userPoolId: string; clientIds: string[]; jwksUrl?: string }): AccessTokenVerifier {
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: input.userPoolId, tokenUse: 'access', clientId: input.clientIds },
    input.jwksUrl ? { jwksCache: new SimpleJwksCache({ fetcher: new RedirectedJwksFetcher(input.jwksUrl) }) } : undefined,
  );
  return {
    verify: async (token) => (await verifier.verify(token)) as unknown as Record<string, unknown>,
  };
}
