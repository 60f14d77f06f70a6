import type { Clock } from '#lib/local-cloud/aws/clock';
import type { OAuthParameters } from '#lib/local-cloud/aws/eventbridge/connections';
import { OutboundTimeoutError, sendOutbound } from '#lib/local-cloud/aws/eventbridge/outbound-http';
import { TargetDeliveryError } from '#lib/local-cloud/aws/eventbridge/target-delivery-error';

/** EventBridge refreshes a token that expires within 60 seconds before using it (user guide, connections). */
const REFRESH_LEAD_MS = 60_000;
const TOKEN_REQUEST_TIMEOUT_MS = 5_000;

interface CachedToken {
  header: string;
  expiresAt: number | undefined;
}

/**
 * The OAuth client-credentials tokens of connections. A token is fetched from the connection's
 * authorization endpoint when first needed, reused until it is within 60 s of expiry, and dropped
 * after the endpoint answers 401 or 407, so the next attempt (the target's retry) fetches a new
 * one — as EventBridge documents ("EventBridge refreshes OAuth tokens when a 401 or 407 response is
 * returned ... if an OAuth token has expired, EventBridge will refresh the token when retrying the
 * invocation"). Concurrent deliveries share one token request.
 *
 * AWS does not document the token request's form. This one follows RFC 6749 §4.4: the client
 * credentials in HTTP Basic (§2.3.1), `grant_type=client_credentials` unless the connection's
 * OAuthHttpParameters body sets one, plus those parameters; form-encoded in the body for POST and
 * PUT, in the query for GET. The answer must be JSON with `access_token`, optionally `token_type`
 * and `expires_in`.
 */
export class OAuthTokens {
  /** Token requests sent, for tests and cost estimates. */
  requestsSent = 0;
  private readonly cache = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly generation = new Map<string, number>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly clock: Clock;
  private readonly onAuthorized: (arn: string) => void;
  private readonly onRefused: (arn: string, reason: string) => void;

  constructor(options: { clock: Clock; onAuthorized: (arn: string) => void; onRefused: (arn: string, reason: string) => void }) {
    this.clock = options.clock;
    this.onAuthorized = options.onAuthorized;
    this.onRefused = options.onRefused;
  }

  /** `Authorization` header value for the connection, fetching a token when none is fresh. */
  authorizationHeader(arn: string, connectionName: string, oauth: OAuthParameters): Promise<string> {
    const cached = this.cache.get(arn);
    if (cached && (cached.expiresAt === undefined || cached.expiresAt - this.clock.now() > REFRESH_LEAD_MS)) return Promise.resolve(cached.header);
    const pending = this.inflight.get(arn);
    if (pending) return pending;
    const generation = this.generation.get(arn) ?? 0;
    const request = this.fetchToken(arn, connectionName, oauth, generation).finally(() => {
      if (this.inflight.get(arn) === request) this.inflight.delete(arn);
    });
    this.inflight.set(arn, request);
    return request;
  }

  /** The first authorization of a new or updated connection, off the caller's path. */
  authorizeInBackground(arn: string, connectionName: string, oauth: OAuthParameters): void {
    const p = this.authorizationHeader(arn, connectionName, oauth).catch((err: unknown) => {
      // A refusal has already deauthorized the connection; an unreachable endpoint does too here.
      if (err instanceof TargetDeliveryError && err.retryable) this.onRefused(arn, `Authorization failed: ${err.message}`);
    });
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  /** The endpoint refused the token (401/407): the next use fetches a new one. */
  invalidate(arn: string): void {
    this.cache.delete(arn);
  }

  /** The connection changed or went away: drop its token and ignore requests still under way. */
  forget(arn: string): void {
    this.cache.delete(arn);
    this.inflight.delete(arn);
    this.generation.set(arn, (this.generation.get(arn) ?? 0) + 1);
  }

  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private async fetchToken(arn: string, connectionName: string, oauth: OAuthParameters, generation: number): Promise<string> {
    const params = oauth.oauthHttpParameters;
    const url = new URL(oauth.authorizationEndpoint);
    for (const p of params?.queryStringParameters ?? []) url.searchParams.append(p.key, p.value);
    const form = new URLSearchParams();
    if (!(params?.bodyParameters ?? []).some((p) => p.key === 'grant_type')) form.set('grant_type', 'client_credentials');
    for (const p of params?.bodyParameters ?? []) form.append(p.key, p.value);
    const headers: Record<string, string> = {
      'User-Agent': 'Amazon/EventBridge/ApiDestinations',
      Accept: 'application/json',
      ...Object.fromEntries((params?.headerParameters ?? []).map((p) => [p.key, p.value])),
      Authorization: `Basic ${Buffer.from(`${oauth.clientId}:${oauth.clientSecret}`, 'utf8').toString('base64')}`,
    };
    let body: Buffer | undefined;
    if (oauth.httpMethod === 'GET') {
      for (const [k, v] of form) url.searchParams.append(k, v);
    } else {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = Buffer.from(form.toString(), 'utf8');
    }

    this.requestsSent += 1;
    let status: number;
    let text: string;
    try {
      const res = await sendOutbound({ url, method: oauth.httpMethod, headers, body, timeoutMs: TOKEN_REQUEST_TIMEOUT_MS }, this.clock);
      status = res.status;
      text = res.body.toString('utf8');
    } catch (err) {
      const what = err instanceof OutboundTimeoutError ? 'did not answer in time' : 'cannot be reached';
      throw new TargetDeliveryError(
        'SDK_CLIENT_ERROR',
        `Unable to invoke ApiDestination endpoint: the authorization endpoint of connection ${connectionName} ${what}.`,
        {
          retryable: true,
          cause: err,
        },
      );
    }
    if (status === 429 || status >= 500) {
      throw new TargetDeliveryError(
        'SDK_CLIENT_ERROR',
        `Unable to invoke ApiDestination endpoint: the authorization endpoint of connection ${connectionName} answered HTTP ${status}.`,
        {
          retryable: true,
          httpStatus: status,
        },
      );
    }
    const token = status >= 200 && status < 300 ? parseToken(text) : undefined;
    if (!token) {
      const reason = status >= 200 && status < 300 ? 'the answer carries no access_token' : `the authorization endpoint answered HTTP ${status}`;
      if ((this.generation.get(arn) ?? 0) === generation) this.onRefused(arn, `Authorization failed: ${reason}.`);
      throw new TargetDeliveryError(
        'SDK_CLIENT_ERROR',
        `Unable to invoke ApiDestination endpoint: connection ${connectionName} is not authorized (${reason}).`,
        {
          retryable: false,
          httpStatus: status,
        },
      );
    }
    const header = `${/^bearer$/i.test(token.tokenType) ? 'Bearer' : token.tokenType} ${token.accessToken}`;
    if ((this.generation.get(arn) ?? 0) === generation) {
      this.cache.set(arn, { header, expiresAt: token.expiresInSeconds === undefined ? undefined : this.clock.now() + token.expiresInSeconds * 1000 });
      this.onAuthorized(arn);
    }
    return header;
  }
}

function parseToken(text: string): { accessToken: string; tokenType: string; expiresInSeconds: number | undefined } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== 'object') return undefined;
  const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn } = json as Record<string, unknown>;
  if (typeof accessToken !== 'string' || accessToken === '' || /[\r\n]/.test(accessToken)) return undefined;
  const seconds = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' && /^\d+$/.test(expiresIn) ? Number(expiresIn) : undefined;
  return {
    accessToken,
    tokenType: typeof tokenType === 'string' && /^[A-Za-z0-9_-]+$/.test(tokenType) ? tokenType : 'Bearer',
    expiresInSeconds: seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined,
  };
}
