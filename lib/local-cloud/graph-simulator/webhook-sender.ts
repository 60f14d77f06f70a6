import { createHmac } from 'node:crypto';
import type { SimChannel } from '#lib/local-cloud/graph-simulator/accounts';

/** `X-Hub-Signature-256` value for a raw body: `sha256=` and the hex HMAC-SHA256 with the app secret. */
export function signatureHeader(rawBody: string | Uint8Array, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

export type WebhookKind = 'customer_message' | 'status' | 'receipt' | 'template';

/** One webhook the simulator posted (or tried to), newest last. */
export interface WebhookDelivery {
  kind: WebhookKind;
  channel: SimChannel;
  payload: unknown;
  /** HTTP status of the last attempt; null when the endpoint could not be reached or none is set. */
  status: number | null;
  error?: string;
  attempts: number;
  sentAt: string;
}

export interface WebhookSenderOptions {
  url?: string;
  appSecret?: string;
  /** Attempts per webhook; Meta retries failed deliveries, the simulator a few times, quickly. */
  attempts: number;
  retryDelayMs: number;
  clock: () => number;
  /** Chaos runs: the share of webhooks delivered a second time after being accepted, as Meta may. */
  duplicateRate?: number;
  random?: () => number;
}

const REQUEST_TIMEOUT_MS = 10_000;

export class WebhookSender {
  private log: WebhookDelivery[] = [];

  constructor(private readonly options: WebhookSenderOptions) {
    if (options.url && !options.appSecret) {
      throw new Error('the Graph simulator needs appSecret to sign the webhooks it posts');
    }
  }

  /** `signWith` replaces the app secret for this webhook (Instagram Login accounts' Instagram app secret). */
  async post(kind: WebhookKind, channel: SimChannel, payload: unknown, signWith?: string): Promise<WebhookDelivery> {
    const delivery: WebhookDelivery = {
      kind,
      channel,
      payload,
      status: null,
      attempts: 0,
      sentAt: new Date(this.options.clock()).toISOString(),
    };
    this.log.push(delivery);
    const { url } = this.options;
    const appSecret = signWith ?? this.options.appSecret;
    if (!url || !appSecret) {
      delivery.error = 'no webhook URL configured';
      return delivery;
    }

    const raw = JSON.stringify(payload);
    const signature = signatureHeader(raw, appSecret);
    for (let attempt = 1; attempt <= this.options.attempts; attempt += 1) {
      delivery.attempts = attempt;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
          body: raw,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await response.arrayBuffer();
        delivery.status = response.status;
        delete delivery.error;
        if (response.ok) {
          if ((this.options.duplicateRate ?? 0) > 0 && (this.options.random ?? Math.random)() < (this.options.duplicateRate ?? 0)) {
            await this.post(kind, channel, payload, signWith);
          }
          return delivery;
        }
      } catch (error) {
        delivery.status = null;
        delivery.error = error instanceof Error ? error.message : String(error);
      }
      if (attempt < this.options.attempts) await sleep(this.options.retryDelayMs * attempt);
    }
    return delivery;
  }

  deliveries(): WebhookDelivery[] {
    return [...this.log];
  }

  reset(): void {
    this.log = [];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
