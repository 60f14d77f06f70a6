import { describe, expect, it } from 'vitest';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { receiveWebhook, type WebhookSecrets } from '#lambdas/ingress/receive-webhook';
import { signMetaBody } from '#lambdas/ingress/verify-signature';

/**
 * A customer's direct message to an account connected through Instagram Login, in the shape Meta
 * documents for Business Login for Instagram ("Instagram Platform Webhook Notification Examples"):
 * `object: instagram`, `entry[].id` the professional account id, `messaging[]` with sender,
 * recipient, timestamp and message — the same envelope the Page-linked Instagram webhooks use.
 */
const ACCOUNT = '17842000000001';
const CUSTOMER = '6100000000000077';
const body = JSON.stringify({
  object: 'instagram',
  entry: [
    {
      id: ACCOUNT,
      time: 1767225600500,
      messaging: [
        { sender: { id: CUSTOMER }, recipient: { id: ACCOUNT }, timestamp: 1767225600000, message: { mid: 'aWdfZAG1faWQ6MTc4NDI', text: 'oi, tem em azul?' } },
      ],
    },
  ],
});

const secrets: WebhookSecrets = { appSecret: 'meta-app-secret', verifyToken: 'v', instagramAppSecret: 'instagram-app-secret' };

async function post(signature: string | undefined, withSecrets: WebhookSecrets = secrets) {
  const enqueued: IngressEvent[] = [];
  const result = await receiveWebhook(
    { method: 'POST', rawBody: Buffer.from(body), headers: signature ? { 'x-hub-signature-256': signature } : {}, query: {} },
    withSecrets,
    async (events) => void enqueued.push(...events),
  );
  return { result, enqueued };
}

describe('webhooks of Instagram Login accounts', () => {
  it('accept a body signed with the Meta app secret or with the Instagram app secret', async () => {
    for (const secret of ['meta-app-secret', 'instagram-app-secret']) {
      const { result, enqueued } = await post(signMetaBody(body, secret));
      expect(result).toMatchObject({ statusCode: 200, outcome: 'accepted', enqueued: 1 });
      expect(enqueued).toHaveLength(1);
    }
  });

  it('refuse the Instagram app secret when the deployment has none, and any other signature', async () => {
    const { appSecret, verifyToken } = secrets;
    expect((await post(signMetaBody(body, 'instagram-app-secret'), { appSecret, verifyToken })).result.outcome).toBe('bad_signature');
    expect((await post(signMetaBody(body, 'instagram-app-secret'), { appSecret, verifyToken, instagramAppSecret: '' })).result.outcome).toBe('bad_signature');
    expect((await post(signMetaBody(body, 'someone-else'))).result).toMatchObject({ statusCode: 401, outcome: 'bad_signature' });
    expect((await post(undefined)).enqueued).toEqual([]);
  });

  it('normalize to the account the registry knows by its professional id, as Page-linked Instagram does', async () => {
    const { enqueued } = await post(signMetaBody(body, 'instagram-app-secret'));
    const [event] = enqueued.map(normalizeIngressEvent);
    expect(event).toMatchObject({
      kind: 'message',
      channel: 'instagram',
      accountId: ACCOUNT,
      conversationKey: `ig:${ACCOUNT}:${CUSTOMER}`,
      direction: 'inbound',
      customer: { id: CUSTOMER },
      providerMessageId: 'aWdfZAG1faWQ6MTc4NDI',
    });
  });
});
