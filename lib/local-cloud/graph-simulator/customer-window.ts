import type { SimChannel } from '#lib/local-cloud/graph-simulator/accounts';

export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Instagram and Messenger let a human agent answer for 7 days with the HUMAN_AGENT tag. */
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface KnownCustomer {
  channel: SimChannel;
  accountId: string;
  customerId: string;
  name?: string;
  lastMessageAt: number;
}

/**
 * What the simulator knows about each customer: when they last wrote to which account (the
 * customer service window) and the name they gave.
 */
export class CustomerWindows {
  private readonly customers = new Map<string, KnownCustomer>();

  recordCustomerMessage(customer: KnownCustomer): void {
    const key = windowKey(customer.channel, customer.accountId, customer.customerId);
    const previous = this.customers.get(key);
    this.customers.set(key, { ...customer, name: customer.name ?? previous?.name });
  }

  /**
   * A customer the simulator never saw counts as inside the window: the simulator cannot know
   * about messages exchanged before it started, and refusing them would make every test that
   * sends without first playing the customer fail for a reason unrelated to what it tests.
   */
  isOpen(channel: SimChannel, accountId: string, customerId: string, now: number, windowMs: number): boolean {
    const customer = this.customers.get(windowKey(channel, accountId, customerId));
    return customer === undefined || now - customer.lastMessageAt <= windowMs;
  }

  isKnown(channel: SimChannel, accountId: string, customerId: string): boolean {
    return this.customers.has(windowKey(channel, accountId, customerId));
  }

  /** The most recent account a customer id wrote to on any channel (resolves `/me/messages`). */
  latestByCustomerId(customerId: string): KnownCustomer | undefined {
    let latest: KnownCustomer | undefined;
    for (const customer of this.customers.values()) {
      if (customer.customerId === customerId && (!latest || customer.lastMessageAt > latest.lastMessageAt)) {
        latest = customer;
      }
    }
    return latest;
  }

  reset(): void {
    this.customers.clear();
  }
}

function windowKey(channel: SimChannel, accountId: string, customerId: string): string {
  return `${channel}:${accountId}:${customerId}`;
}
