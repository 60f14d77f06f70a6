import type { SimChannel } from '#lib/local-cloud/graph-simulator/accounts';

/** One request received on a Graph API route, with what the simulator answered. */
export interface OutboxEntry {
  method: string;
  /** Path without the query string, e.g. `/v23.0/100000000000001/messages`. */
  path: string;
  /**
   * The Instagram host the request was meant for (`graph.instagram.com`, `api.instagram.com`),
   * whose routes are served under `/<host>/…`; absent for graph.facebook.com.
   */
  host?: 'graph.instagram.com' | 'api.instagram.com';
  /** On the Instagram hosts: the first 16 hex digits of the SHA-256 of the token used (never the token). */
  credential?: string;
  /** The request body parsed as JSON (undefined for a GET or an unparseable body). */
  body: unknown;
  /** The JSON the simulator answered. */
  response: unknown;
  /** The HTTP status the simulator answered. */
  status: number;
  receivedAt: string;
  /** For accepted sends: who the message went to and the id it was given. */
  channel?: SimChannel;
  accountId?: string;
  recipientId?: string;
  messageId?: string;
}

/** A message the business sent to a customer, as the chat reads it. */
export interface BusinessMessage {
  id: string;
  channel: SimChannel;
  accountId: string;
  customerId: string;
  sentAt: string;
  /** The send body exactly as the business posted it. */
  body: unknown;
}

export class Outbox {
  private entries: OutboxEntry[] = [];

  record(entry: OutboxEntry): void {
    this.entries.push(entry);
  }

  all(): OutboxEntry[] {
    return [...this.entries];
  }

  /** Accepted messages (not receipts or typing indicators) to one customer, oldest first. */
  messagesTo(channel: SimChannel, customerId: string, after?: number): BusinessMessage[] {
    return this.entries
      .filter(
        (e) =>
          e.channel === channel &&
          e.recipientId === customerId &&
          e.messageId !== undefined &&
          e.accountId !== undefined &&
          (after === undefined || Date.parse(e.receivedAt) > after),
      )
      .map((e) => ({
        id: e.messageId as string,
        channel,
        accountId: e.accountId as string,
        customerId,
        sentAt: e.receivedAt,
        body: e.body,
      }));
  }

  reset(): void {
    this.entries = [];
  }
}
