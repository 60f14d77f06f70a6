import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_GRAPH_SIM_PORT,
  LOCAL_CUSTOMER_IDS,
  LOCAL_FACEBOOK_PAGE_ID,
  LOCAL_INSTAGRAM_ACCOUNT_ID,
  LOCAL_WHATSAPP_NUMBER,
  type SimChannel,
  type WhatsAppNumber,
} from '#lib/local-cloud/graph-simulator/accounts';
import { CONTROL_PREFIX, handleControlRequest } from '#lib/local-cloud/graph-simulator/control-routes';
import {
  parseCustomerMessageInput,
  sendCustomerMessage,
  type CustomerMessageInput,
  type CustomerMessageResult,
} from '#lib/local-cloud/graph-simulator/customer-messages';
import { CustomerWindows } from '#lib/local-cloud/graph-simulator/customer-window';
import { handleGraphRequest, type TokenPolicy } from '#lib/local-cloud/graph-simulator/graph-routes';
import {
  handleInstagramHostRequest,
  instagramHostOf,
  INSTAGRAM_GRAPH_HOST,
  INSTAGRAM_OAUTH_HOST,
} from '#lib/local-cloud/graph-simulator/instagram-login-routes';
import { invalidTokenError, missingTokenError } from '#lib/local-cloud/graph-simulator/graph-errors';
import { accessTokenOf, BodyTooLargeError, readBody, sendBytes, sendJson } from '#lib/local-cloud/graph-simulator/http-util';
import { MEDIA_DOWNLOAD_PATH, MediaStore, type MediaRegistration, type SimMedia } from '#lib/local-cloud/graph-simulator/media-store';
import { Outbox, type BusinessMessage, type OutboxEntry } from '#lib/local-cloud/graph-simulator/outbox';
import {
  DEFAULT_MESSAGES_PER_SECOND,
  DEFAULT_PAIR_LIMIT,
  PairRateLimiter,
  ThroughputLimiter,
  type PairLimit,
} from '#lib/local-cloud/graph-simulator/rate-limits';
import { loadSendBodyValidator } from '#lib/local-cloud/graph-simulator/send-body-validator';
import type { SimulatorContext, StatusDelaysMs } from '#lib/local-cloud/graph-simulator/simulator-context';
import { StatusScheduler } from '#lib/local-cloud/graph-simulator/status-scheduler';
import type { SendFaults } from '#lib/local-cloud/graph-simulator/send-faults';
import { WebhookSender, type WebhookDelivery } from '#lib/local-cloud/graph-simulator/webhook-sender';
import { WhatsAppConversations } from '#lib/local-cloud/graph-simulator/whatsapp-conversations';
import { TemplateStore, type SimTemplate } from '#lib/local-cloud/graph-simulator/template-store';
import type { TemplateCategory } from '#lib/local-cloud/graph-simulator/whatsapp-pricing';

export * from '#lib/local-cloud/graph-simulator/accounts';
export type { OutboxEntry, BusinessMessage } from '#lib/local-cloud/graph-simulator/outbox';
export type { CustomerMessageInput, CustomerMessageResult } from '#lib/local-cloud/graph-simulator/customer-messages';
export type { WebhookDelivery } from '#lib/local-cloud/graph-simulator/webhook-sender';
export type { SimTemplate } from '#lib/local-cloud/graph-simulator/template-store';
export type { PairLimit } from '#lib/local-cloud/graph-simulator/rate-limits';
export type { StatusDelaysMs } from '#lib/local-cloud/graph-simulator/simulator-context';
export type { MediaRegistration, SimMedia } from '#lib/local-cloud/graph-simulator/media-store';
export { signatureHeader } from '#lib/local-cloud/graph-simulator/webhook-sender';

export interface GraphSimulatorOptions {
  /** Port to listen on; 0 picks a free one. Default: env GRAPH_SIM_PORT, else 3100. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Where webhooks are posted, e.g. http://127.0.0.1:3000/webhook. None: webhooks are only logged. */
  webhookUrl?: string;
  /** Signs every webhook (`X-Hub-Signature-256`). Required with webhookUrl. */
  appSecret?: string;
  limits?: {
    /** Throughput per business number (error 130429). Default 80. */
    messagesPerSecondPerNumber?: number;
    /** Per-recipient pair rate (error 131056). Default one per 6 s after a burst of 5; false: off. */
    pairLimit?: Partial<PairLimit> | false;
    /** Refuse free-form messages outside the customer service window. Default true. */
    enforce24hWindow?: boolean;
  };
  /**
   * Delays between a message's status webhooks, each counted from the previous one
   * (accepted → sent → delivered → read). `read: false` sends no read receipts.
   */
  statusDelaysMs?: Partial<StatusDelaysMs>;
  /** Bearer tokens accepted; default any non-empty token. */
  accessTokens?: string[];
  /** Epoch milliseconds; injected by tests to step through rate-limit and 24-hour windows. */
  clock?: () => number;
  /** Accounts the simulator plays; default the local accounts in `accounts.ts`. */
  whatsappNumbers?: WhatsAppNumber[];
  instagramAccountIds?: string[];
  pageIds?: string[];
  /** Serve sends from account ids not listed above (default false: Meta's error 100/33). */
  adoptUnknownAccounts?: boolean;
  /**
   * Tie tokens to accounts (account id → its business's token): a send on a listed account with
   * another token gets Meta's error 100/33, as a token without access to the asset does.
   */
  accountTokens?: Record<string, string>;
  /** Category of each template by name, for pricing; unknown names are guessed from the name. */
  templateCategories?: Record<string, TemplateCategory>;
  /** Message templates per WABA id; default a seeded set for the local WABA (template-store.ts). */
  templates?: Record<string, SimTemplate[]>;
  /** Refuse templates whose name the WABA does not hold (default false: only known names are checked). */
  strictTemplates?: boolean;
  /** Attempts per webhook and the delay between them (Meta retries failed deliveries). */
  webhookAttempts?: number;
  webhookRetryDelayMs?: number;
  /**
   * Local-only chaos (never in a deployment): sends refused with Meta's 5xx or throughput error,
   * status webhooks in a random order, and webhooks delivered twice.
   */
  chaos?: {
    sendFaults?: SendFaults;
    shuffleStatuses?: boolean;
    duplicateWebhookRate?: number;
    random?: () => number;
  };
  /** Meta's OpenAPI spec to validate send bodies with; default the vendored copy of the project's version. */
  specPath?: string;
  /**
   * The Instagram app of Business Login for Instagram (its id and secret, apart from the Meta
   * app's): the code exchange must name it, and webhooks about Instagram Login accounts are signed
   * with its secret. Absent: any client is taken and every webhook is signed with `appSecret`.
   */
  instagramApp?: { appId: string; appSecret: string };
}

/** Plays an end customer, as `POST /_sim/customer/messages` does. */
export interface CustomerActions {
  send(input: CustomerMessageInput): Promise<CustomerMessageResult>;
  /** The business's messages to a customer, oldest first (the chat's view). */
  messagesFrom(channel: SimChannel, customerId?: string, after?: Date): BusinessMessage[];
}

export interface GraphSimulator {
  url: string;
  port: number;
  /** graph.instagram.com as the simulator plays it (`<url>/graph.instagram.com`). */
  instagramGraphUrl: string;
  /** api.instagram.com as the simulator plays it (`<url>/api.instagram.com`). */
  instagramOAuthUrl: string;
  close(): Promise<void>;
  /** Every request received on Graph routes, oldest first. */
  outbox(): OutboxEntry[];
  /** Every webhook posted (customer messages, statuses, receipts), oldest first. */
  webhooks(): WebhookDelivery[];
  /** Forgets everything (outbox, windows, limits, media, pending statuses); keeps the options. */
  reset(): void;
  /** Resolves when no status webhook is pending. */
  whenIdle(): Promise<void>;
  registerMedia(media: MediaRegistration): SimMedia;
  customer: CustomerActions;
}

export const DEFAULT_STATUS_DELAYS_MS: StatusDelaysMs = { sent: 100, delivered: 200, read: 400 };

function portFromEnv(): number {
  const value = process.env.GRAPH_SIM_PORT;
  if (value === undefined || value === '') return DEFAULT_GRAPH_SIM_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`GRAPH_SIM_PORT is not a port: ${value}`);
  return port;
}

function tokenPolicy(accessTokens: string[] | undefined): TokenPolicy {
  if (!accessTokens || accessTokens.length === 0) return (token) => token.trim() !== '';
  const accepted = new Set(accessTokens);
  return (token) => accepted.has(token);
}

export async function startGraphSimulator(options: GraphSimulatorOptions = {}): Promise<GraphSimulator> {
  const clock = options.clock ?? Date.now;
  const pairLimit = options.limits?.pairLimit;
  let baseUrl = '';
  const ctx: SimulatorContext = {
    config: {
      whatsappNumbers: options.whatsappNumbers ?? [LOCAL_WHATSAPP_NUMBER],
      instagramAccountIds: options.instagramAccountIds ?? [LOCAL_INSTAGRAM_ACCOUNT_ID],
      pageIds: options.pageIds ?? [LOCAL_FACEBOOK_PAGE_ID],
      adoptUnknownAccounts: options.adoptUnknownAccounts ?? false,
      ...(options.accountTokens ? { accountTokens: { ...options.accountTokens } } : {}),
      enforce24hWindow: options.limits?.enforce24hWindow ?? true,
      statusDelaysMs: { ...DEFAULT_STATUS_DELAYS_MS, ...options.statusDelaysMs },
      templateCategories: options.templateCategories ?? {},
      strictTemplates: options.strictTemplates ?? false,
      ...(options.instagramApp ? { instagramApp: { ...options.instagramApp } } : {}),
    },
    clock,
    baseUrl: () => baseUrl,
    outbox: new Outbox(),
    windows: new CustomerWindows(),
    throughput: new ThroughputLimiter(options.limits?.messagesPerSecondPerNumber ?? DEFAULT_MESSAGES_PER_SECOND, clock),
    pairLimiter: new PairRateLimiter(
      // Switched off, the pair limit is a bucket too large to empty.
      pairLimit === false ? { intervalMs: 1, burst: Number.MAX_SAFE_INTEGER } : { ...DEFAULT_PAIR_LIMIT, ...pairLimit },
      clock,
    ),
    media: new MediaStore(),
    webhooks: new WebhookSender({
      ...(options.webhookUrl === undefined ? {} : { url: options.webhookUrl }),
      ...(options.appSecret === undefined ? {} : { appSecret: options.appSecret }),
      attempts: options.webhookAttempts ?? 3,
      retryDelayMs: options.webhookRetryDelayMs ?? 200,
      clock,
      ...(options.chaos?.duplicateWebhookRate ? { duplicateRate: options.chaos.duplicateWebhookRate } : {}),
      ...(options.chaos?.random ? { random: options.chaos.random } : {}),
    }),
    scheduler: new StatusScheduler({
      ...(options.chaos?.shuffleStatuses ? { shuffle: true } : {}),
      ...(options.chaos?.random ? { random: options.chaos.random } : {}),
    }),
    ...(options.chaos?.sendFaults ? { sendFaults: options.chaos.sendFaults } : {}),
    validator: await loadSendBodyValidator(options.specPath),
    conversations: new WhatsAppConversations(),
    templates: new TemplateStore(options.templates ? () => options.templates! : undefined),
  };

  const reset = (): void => {
    ctx.scheduler.cancelAll();
    ctx.outbox.reset();
    ctx.windows.reset();
    ctx.throughput.reset();
    ctx.pairLimiter.reset();
    ctx.media.reset();
    ctx.webhooks.reset();
    ctx.conversations.reset();
    ctx.templates.reset();
  };
  const acceptsToken = tokenPolicy(options.accessTokens);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', baseUrl);
    const raw = await readBody(req);
    if (url.pathname.startsWith(CONTROL_PREFIX)) return handleControlRequest(ctx, reset, req, res, url, raw);
    if (req.method === 'GET' && url.pathname === MEDIA_DOWNLOAD_PATH) return downloadMedia(req, res, url);
    const result = instagramHostOf(url.pathname) ? handleInstagramHostRequest(ctx, req, url, raw) : handleGraphRequest(ctx, req, url, raw, acceptsToken);
    sendJson(res, result.status, result.response);
  };

  // Meta's media URLs need the same bearer token as the Graph API and expire five minutes after
  // `GET /{media-id}` handed them out; a refused download gets a 404, and the caller asks for a new URL.
  const downloadMedia = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const token = accessTokenOf(req, url);
    if (token === undefined || !acceptsToken(token)) {
      const error = token === undefined ? missingTokenError() : invalidTokenError();
      sendJson(res, error.status, error.body);
      return;
    }
    const media = ctx.media.resolveDownload(url, ctx.clock());
    if (media === 'expired') {
      sendJson(res, 404, { error: { message: 'URL signature expired', code: 404 } });
      return;
    }
    if (media === 'unknown') {
      sendJson(res, 404, { error: { message: 'media not found', code: 404 } });
      return;
    }
    sendBytes(res, media.mimeType, media.bytes);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: { message: error.message } });
      // A simulator bug must be visible to the developer; the stack names code, not message content.
      process.stderr.write(`graph simulator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      sendJson(res, 500, { error: { message: 'the Graph simulator failed on this request', type: 'SimulatorError' } });
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? portFromEnv(), host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host}:${port}`;

  return {
    url: baseUrl,
    port,
    instagramGraphUrl: `${baseUrl}/${INSTAGRAM_GRAPH_HOST}`,
    instagramOAuthUrl: `${baseUrl}/${INSTAGRAM_OAUTH_HOST}`,
    close: async () => {
      ctx.scheduler.cancelAll();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
    outbox: () => ctx.outbox.all(),
    webhooks: () => ctx.webhooks.deliveries(),
    reset,
    whenIdle: () => ctx.scheduler.whenIdle(),
    registerMedia: (media) => ctx.media.register(media),
    customer: {
      send: (input) => sendCustomerMessage(ctx, parseCustomerMessageInput(input)),
      messagesFrom: (channel, customerId, after) => ctx.outbox.messagesTo(channel, customerId ?? LOCAL_CUSTOMER_IDS[channel], after?.getTime()),
    },
  };
}
