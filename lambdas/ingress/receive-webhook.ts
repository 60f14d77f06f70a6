import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { answerVerificationChallenge } from '#lambdas/ingress/verification-challenge';
import { isValidMetaSignature } from '#lambdas/ingress/verify-signature';

/** Meta caps webhook bodies at 3 MB; anything far beyond that is refused before hashing it. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface WebhookRequest {
  method: string;
  /** The exact bytes Meta sent (already base64-decoded if API Gateway encoded them). */
  rawBody: Buffer;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

export interface WebhookSecrets {
  appSecret: string;
  verifyToken: string;
  /**
   * The Instagram app secret of Business Login for Instagram, when the app uses it. Meta shows it
   * apart from the app secret, and Instagram Login webhooks may be signed with it
   * (docs/instagram-login.md): a body signed with either secret is Meta's.
   */
  instagramAppSecret?: string;
}

export type WebhookResult =
  | { statusCode: number; body: string; outcome: 'verified' | 'verification_refused' | 'method_not_allowed' | 'too_large' }
  | { statusCode: 401; body: string; outcome: 'bad_signature' }
  | { statusCode: 200; body: string; outcome: 'accepted'; enqueued: number; quarantined: number; quarantineReasons: string[] };

/**
 * The whole job of the webhook Lambda, without AWS: verify, split, enqueue, answer. `enqueue` must
 * resolve only once every event is durably queued; if it throws, the caller answers 5xx and Meta
 * delivers the body again later.
 */
export async function receiveWebhook(
  request: WebhookRequest,
  secrets: WebhookSecrets,
  enqueue: (events: IngressEvent[]) => Promise<void>,
  now: () => Date = () => new Date(),
): Promise<WebhookResult> {
  const method = request.method.toUpperCase();
  if (method === 'GET') {
    const answer = answerVerificationChallenge(request.query, secrets.verifyToken);
    return { ...answer, outcome: answer.statusCode === 200 ? 'verified' : 'verification_refused' };
  }
  if (method !== 'POST') return { statusCode: 405, body: 'Method Not Allowed', outcome: 'method_not_allowed' };
  if (request.rawBody.length > MAX_BODY_BYTES) return { statusCode: 413, body: 'Payload Too Large', outcome: 'too_large' };

  const signature = request.headers['x-hub-signature-256'];
  const signedByMeta =
    isValidMetaSignature(request.rawBody, signature, secrets.appSecret) ||
    (typeof secrets.instagramAppSecret === 'string' &&
      secrets.instagramAppSecret !== '' &&
      isValidMetaSignature(request.rawBody, signature, secrets.instagramAppSecret));
  if (!signedByMeta) {
    return { statusCode: 401, body: 'Invalid signature', outcome: 'bad_signature' };
  }
  const events = splitWebhookBody(request.rawBody.toString('utf8'), { receivedAt: now().toISOString() });
  await enqueue(events);
  const quarantined = events.filter((e) => e.kind === 'quarantine');
  return {
    statusCode: 200,
    body: 'EVENT_RECEIVED',
    outcome: 'accepted',
    enqueued: events.length,
    quarantined: quarantined.length,
    quarantineReasons: quarantined.map((e) => e.quarantineReason ?? 'unknown'),
  };
}
