import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CrmResponse } from '#lib/local-cloud/crm-simulator/crm-routes';

export type SignatureVerdict = 'valid' | 'invalid' | 'missing' | 'not_checked';

/** One body posted to `/webhook/*` (a business's own endpoint, played by the simulator). */
export interface WebhookDelivery {
  /** Below `/webhook`, e.g. `/acme/omnichannel`. */
  path: string;
  /** Lower-case names, credentials redacted. */
  headers: Record<string, string>;
  /** The query string's parameters (`idempotency_key`, `signature`, and whatever the URL had). */
  query: Record<string, string>;
  /** Parsed JSON, else the text. */
  body: unknown;
  /** The body exactly as received (what the signature covers). */
  rawBody: string;
  receivedAt: string;
  signature: SignatureVerdict;
  status: number;
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, as Meta signs webhooks and as businesses commonly verify them. */
export function webhookSignature(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * Plays a business's webhook endpoint: records every body and, once told a secret (for every path
 * or one path), verifies the signature and answers 401 to a missing or wrong one. Deliveries carry
 * it as the `signature` query parameter (EventBridge cannot set a header per delivery); a caller
 * that sends `X-Hub-Signature-256` instead is accepted too. Either one valid is enough.
 */
export class WebhookReceiver {
  private deliveries: WebhookDelivery[] = [];
  private defaultSecret: string | undefined;
  private readonly secretsByPath = new Map<string, string>();

  constructor(secret?: string) {
    this.defaultSecret = secret;
  }

  /** `path` below `/webhook` (e.g. `/acme`); without it, the secret for every path. `undefined` stops checking. */
  setSecret(secret: string | undefined, path?: string): void {
    if (path === undefined) this.defaultSecret = secret;
    else if (secret === undefined) this.secretsByPath.delete(path);
    else this.secretsByPath.set(path, secret);
  }

  receive(input: {
    path: string;
    query?: Record<string, string>;
    headers: Record<string, string>;
    redactedHeaders: Record<string, string>;
    rawBody: string;
    body: unknown;
    now: number;
  }): CrmResponse {
    const query = input.query ?? {};
    const secret = this.secretsByPath.get(input.path) ?? this.defaultSecret;
    const signature = secret === undefined ? 'not_checked' : verifyEither(input.rawBody, [query.signature, input.headers['x-hub-signature-256']], secret);
    const accepted = signature === 'valid' || signature === 'not_checked';
    const response: CrmResponse = accepted ? { status: 200, body: { received: true } } : { status: 401, body: { message: `signature ${signature}` } };
    this.deliveries.push({
      path: input.path,
      headers: input.redactedHeaders,
      query: { ...query },
      body: input.body,
      rawBody: input.rawBody,
      receivedAt: new Date(input.now).toISOString(),
      signature,
      status: response.status,
    });
    return response;
  }

  all(): WebhookDelivery[] {
    return this.deliveries.map((d) => structuredClone(d));
  }

  /** Forgets the deliveries and the per-path secrets; the secret given at start stays. */
  reset(initialSecret: string | undefined): void {
    this.deliveries = [];
    this.secretsByPath.clear();
    this.defaultSecret = initialSecret;
  }
}

/** Valid when any given value is; missing when none was given. */
function verifyEither(rawBody: string, values: Array<string | undefined>, secret: string): SignatureVerdict {
  const verdicts = values.map((v) => verify(rawBody, v, secret));
  if (verdicts.includes('valid')) return 'valid';
  return verdicts.includes('invalid') ? 'invalid' : 'missing';
}

function verify(rawBody: string, header: string | undefined, secret: string): SignatureVerdict {
  if (header === undefined || header === '') return 'missing';
  const expected = Buffer.from(webhookSignature(rawBody, secret), 'utf8');
  const given = Buffer.from(header.trim(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
}
