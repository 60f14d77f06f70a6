import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#lambdas/adapters/dynamodb';
import { signMetaBody } from '#lambdas/ingress/verify-signature';
import { LOCAL_CREDENTIALS } from '#lib/local-cloud/dynamodb-local';
import {
  LOCAL_FACEBOOK_PAGE_ID,
  LOCAL_INSTAGRAM_ACCOUNT_ID,
  LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID,
  LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER,
  LOCAL_WHATSAPP_PHONE_NUMBER_ID,
} from '#lib/local-cloud/graph-simulator/accounts';
import { LOCAL_DEFAULTS } from '#lib/local-cloud/start-local-cloud';
import { LOCAL_BUSINESS_ID, operatorToken } from '#lib/operations/operator-token';
import { stackNameFor } from '#lib/stage';
import { LOCAL_STAGE } from '#lib/local-cloud/synthesize-local-assembly';
import type { SeedChannel } from '#lib/analytics/seed/seed-plan';

export const ACCOUNT_OF: Record<SeedChannel, string> = {
  whatsapp: LOCAL_WHATSAPP_PHONE_NUMBER_ID,
  instagram: LOCAL_INSTAGRAM_ACCOUNT_ID,
  messenger: LOCAL_FACEBOOK_PAGE_ID,
};
const KEY_PREFIX: Record<SeedChannel, string> = { whatsapp: 'wa', instagram: 'ig', messenger: 'fb' };
export const conversationKeyOf = (channel: SeedChannel, customerId: string) => `${KEY_PREFIX[channel]}:${ACCOUNT_OF[channel]}:${customerId}`;

export interface BusinessMessage {
  id: string;
  sentAt: string;
  body: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const port = (name: string, fallback: number) => process.env[name] || String(fallback);

/**
 * The ways in the seed uses, all of them ones a person or Meta would use: the simulator's customer
 * API, signed webhooks (as Meta posts them), the human-agent API, and for campaign templates the
 * table and the event bus, as a campaign tool would.
 */
export class LocalCloudClient {
  readonly apiUrl = `http://127.0.0.1:${port('PORT', LOCAL_DEFAULTS.port)}`;
  readonly graphUrl = `http://127.0.0.1:${port('GRAPH_SIM_PORT', LOCAL_DEFAULTS.graphSimPort)}`;
  readonly awsUrl = `http://127.0.0.1:${port('AWS_EMULATOR_PORT', LOCAL_DEFAULTS.awsPort)}`;
  readonly appSecret = process.env.META_APP_SECRET || LOCAL_DEFAULTS.appSecret;
  /** An agent of the local business; fetched once (the local identity provider's tokens last an hour). */
  private agentToken: Promise<string> | undefined;
  readonly busName = process.env.EVENT_BUS_NAME || `${stackNameFor(LOCAL_STAGE)}-events`;
  readonly dynamo = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port('DYNAMODB_LOCAL_PORT', LOCAL_DEFAULTS.dynamoDbPort)}`,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  readonly db: DynamoDBDocumentClient = documentClient(this.dynamo);
  private readonly events = new EventBridgeClient({ endpoint: this.awsUrl, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });

  constructor(readonly tableName: string) {}

  private async json(url: string, init: RequestInit = {}): Promise<unknown> {
    const res = await fetch(url, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} answered ${res.status}: ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : undefined;
  }

  async checkRunning(): Promise<void> {
    try {
      await fetch(`${this.graphUrl}/_sim/idle`);
    } catch {
      throw new Error(`The local cloud is not answering at ${this.graphUrl}; start it with \`npm start\` first`);
    }
  }

  customerSays(channel: SeedChannel, customerId: string, content: { text: string } | { reply: { id: string; title?: string } }, name?: string) {
    return this.json(`${this.graphUrl}/_sim/customer/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel, customerId, ...(name ? { name } : {}), ...content }),
    });
  }

  async businessMessagesTo(channel: SeedChannel, customerId: string): Promise<BusinessMessage[]> {
    return (await this.json(`${this.graphUrl}/_sim/conversations/${channel}/${customerId}/messages`)) as BusinessMessage[];
  }

  /** Waits until the business has sent `count` messages to the customer; returns them. */
  async untilSent(channel: SeedChannel, customerId: string, count: number, timeoutMs = 90_000): Promise<BusinessMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sent = await this.businessMessagesTo(channel, customerId);
      if (sent.length >= count) return sent;
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for business message ${count} to ${channel} customer #${customerId.slice(-4)}`);
      await sleep(250);
    }
  }

  async untilIdle(): Promise<void> {
    await this.json(`${this.graphUrl}/_sim/idle`);
  }

  async humanAgent(path: 'reply' | 'close', body: Record<string, unknown>) {
    this.agentToken ??= operatorToken({ apiUrl: this.apiUrl, businessId: LOCAL_BUSINESS_ID, subject: 'seed-agent', roles: ['agent'] });
    const token = await this.agentToken.catch((err: unknown) => {
      this.agentToken = undefined;
      throw err;
    });
    return this.json(`${this.apiUrl}/agent/conversation/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** POSTs a body to the webhook signed with the app secret, as Meta does. */
  async postWebhook(body: unknown): Promise<void> {
    const raw = JSON.stringify(body);
    const res = await fetch(`${this.apiUrl}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(raw, this.appSecret) },
      body: raw,
    });
    if (!res.ok) throw new Error(`the webhook answered ${res.status}`);
  }

  /** WhatsApp coexistence history: past messages of one thread, as Meta sends them after onboarding. */
  postHistory(customerId: string, messages: Array<{ id: string; fromCustomer: boolean; at: Date; text: string }>) {
    return this.postWebhook(
      whatsAppEnvelope('history', {
        history: [
          {
            metadata: { phase: 0, chunk_order: 1, progress: 100 },
            threads: [
              {
                id: customerId,
                messages: messages.map((m) => ({
                  from: m.fromCustomer ? customerId : LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER,
                  id: m.id,
                  timestamp: String(Math.floor(m.at.getTime() / 1000)),
                  type: 'text',
                  text: { body: m.text },
                  history_context: { status: 'READ', ...(m.fromCustomer ? {} : { from_me: true }) },
                })),
              },
            ],
          },
        ],
      }),
    );
  }

  /** A WhatsApp `failed` status for a message the business sent, as Meta reports an undeliverable one. */
  postFailedStatus(customerId: string, wamid: string, error: { code: number; title: string }, at = new Date()) {
    return this.postWebhook(
      whatsAppEnvelope('messages', {
        statuses: [
          {
            id: wamid,
            status: 'failed',
            timestamp: String(Math.floor(at.getTime() / 1000)),
            recipient_id: customerId,
            errors: [{ code: error.code, title: error.title, message: error.title, error_data: { details: error.title } }],
          },
        ],
      }),
    );
  }

  async putItem(item: Record<string, unknown>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async publish(source: string, detailType: string, detail: unknown): Promise<void> {
    const out = await this.events.send(
      new PutEventsCommand({ Entries: [{ EventBusName: this.busName, Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }] }),
    );
    if (out.FailedEntryCount) throw new Error(`the event bus refused the event: ${JSON.stringify(out.Entries)}`);
  }

  close(): void {
    this.events.destroy();
    this.dynamo.destroy();
  }
}

function whatsAppEnvelope(field: 'messages' | 'history', value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID,
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER, phone_number_id: LOCAL_WHATSAPP_PHONE_NUMBER_ID },
              ...value,
            },
          },
        ],
      },
    ],
  };
}
