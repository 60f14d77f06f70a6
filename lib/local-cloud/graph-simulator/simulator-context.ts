import type { SimChannel, WhatsAppNumber } from '#lib/local-cloud/graph-simulator/accounts';
import type { CustomerWindows } from '#lib/local-cloud/graph-simulator/customer-window';
import type { SendFaults } from '#lib/local-cloud/graph-simulator/send-faults';
import type { MediaStore } from '#lib/local-cloud/graph-simulator/media-store';
import type { Outbox } from '#lib/local-cloud/graph-simulator/outbox';
import type { PairRateLimiter, ThroughputLimiter } from '#lib/local-cloud/graph-simulator/rate-limits';
import type { SendBodyValidator } from '#lib/local-cloud/graph-simulator/send-body-validator';
import type { StatusScheduler } from '#lib/local-cloud/graph-simulator/status-scheduler';
import type { TemplateStore } from '#lib/local-cloud/graph-simulator/template-store';
import type { WebhookSender } from '#lib/local-cloud/graph-simulator/webhook-sender';
import type { WhatsAppConversations } from '#lib/local-cloud/graph-simulator/whatsapp-conversations';
import type { TemplateCategory } from '#lib/local-cloud/graph-simulator/whatsapp-pricing';

export interface StatusDelaysMs {
  sent: number;
  delivered: number;
  /** `false`: the customer has read receipts turned off, no `read` status is sent. */
  read: number | false;
}

export interface SimulatorConfig {
  whatsappNumbers: WhatsAppNumber[];
  instagramAccountIds: string[];
  pageIds: string[];
  /**
   * Serve sends from business accounts the simulator was not told about, as the local cloud's
   * default tenant does, so any real sample payload can be replayed and answered.
   */
  adoptUnknownAccounts: boolean;
  /** The one token each listed account accepts (account id → token); others accept any token. */
  accountTokens?: Record<string, string>;
  enforce24hWindow: boolean;
  statusDelaysMs: StatusDelaysMs;
  templateCategories: Record<string, TemplateCategory>;
  /** Refuse (132001) templates whose name the WABA's catalogue does not hold; else only known names are checked. */
  strictTemplates: boolean;
  /**
   * The Instagram app of Business Login for Instagram: the code exchange must name it, and webhooks
   * about accounts connected through it are signed with its secret. Absent: any client is taken.
   */
  instagramApp?: { appId: string; appSecret: string };
}

/** Everything a route handler needs; built once per simulator and reset as a whole. */
export interface SimulatorContext {
  config: SimulatorConfig;
  clock: () => number;
  /** Base URL of the running simulator, for the URLs it hands out (media). */
  baseUrl: () => string;
  outbox: Outbox;
  windows: CustomerWindows;
  throughput: ThroughputLimiter;
  pairLimiter: PairRateLimiter;
  media: MediaStore;
  webhooks: WebhookSender;
  scheduler: StatusScheduler;
  validator: SendBodyValidator;
  conversations: WhatsAppConversations;
  /** Message templates per WABA: listed by `GET /{waba-id}/message_templates`, checked on template sends. */
  templates: TemplateStore;
  sendFaults?: SendFaults;
}

/** What a Graph route answered, and for accepted sends what the outbox should know. */
export interface GraphResult {
  status: number;
  response: unknown;
  channel?: SimChannel;
  accountId?: string;
  recipientId?: string;
  messageId?: string;
}
