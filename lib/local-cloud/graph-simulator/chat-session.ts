import { LOCAL_CUSTOMER_IDS, type SimChannel } from '#lib/local-cloud/graph-simulator/accounts';
import type { MessageOption } from '#lib/local-cloud/graph-simulator/business-message-options';
import { renderBusinessMessage } from '#lib/local-cloud/graph-simulator/chat-render';
import type { BusinessMessage } from '#lib/local-cloud/graph-simulator/outbox';

/**
 * One customer's side of a chat with the business, over the simulator's control API: each line
 * typed becomes a customer message, a number taps the matching option of the latest message
 * that offered some, and `poll()` prints what the business sent since. `bin/chat.ts` wires it to
 * a terminal; tests drive it directly.
 */
export interface ChatSessionOptions {
  simulatorUrl: string;
  channel: SimChannel;
  customerId?: string;
  accountId?: string;
  name?: string;
  print: (line: string) => void;
  /** Start time: business messages before it are not shown. Default now. */
  since?: Date;
}

export type LineOutcome = 'sent' | 'tapped' | 'ignored' | 'quit' | 'failed';

/** Business messages are asked for from a little before the newest one seen: ids filter repeats. */
const OVERLAP_MS = 1_000;

export class ChatSession {
  private readonly seen = new Set<string>();
  private options: MessageOption[] = [];
  private cursor: number;
  readonly customerId: string;

  constructor(private readonly opts: ChatSessionOptions) {
    this.cursor = (opts.since ?? new Date()).getTime();
    this.customerId = opts.customerId ?? LOCAL_CUSTOMER_IDS[opts.channel];
  }

  /** The options the customer can tap now, numbered from 1. */
  currentOptions(): MessageOption[] {
    return [...this.options];
  }

  async handleLine(line: string): Promise<LineOutcome> {
    const text = line.trim();
    if (text === '') return 'ignored';
    if (text === '/quit' || text === '/exit') return 'quit';

    const choice = /^\d+$/.test(text) ? this.options[Number(text) - 1] : undefined;
    const content = choice ? { reply: { id: choice.id, title: choice.title } } : { text };
    try {
      const response = await fetch(new URL('/_sim/customer/messages', this.opts.simulatorUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...this.identity(), ...content }),
      });
      const result = (await response.json()) as { webhookStatus?: number | null; webhookError?: string; error?: { message: string } };
      if (!response.ok) {
        this.opts.print(`! the simulator refused the message: ${result.error?.message ?? response.status}`);
        return 'failed';
      }
      if (choice) this.opts.print(`(you tapped: ${choice.title})`);
      if (result.webhookStatus === null || result.webhookStatus === undefined) {
        this.opts.print(`! the webhook endpoint could not be reached (${result.webhookError ?? 'no answer'})`);
      } else if (result.webhookStatus >= 300) {
        this.opts.print(`! the webhook endpoint answered HTTP ${result.webhookStatus}`);
      }
      return choice ? 'tapped' : 'sent';
    } catch (error) {
      this.opts.print(`! cannot reach the Graph simulator at ${this.opts.simulatorUrl}: ${(error as Error).message}`);
      return 'failed';
    }
  }

  /** Prints business messages not shown yet; returns how many. */
  async poll(): Promise<number> {
    const path = `/_sim/conversations/${this.opts.channel}/${encodeURIComponent(this.customerId)}/messages`;
    const url = new URL(path, this.opts.simulatorUrl);
    url.searchParams.set('after', new Date(this.cursor - OVERLAP_MS).toISOString());
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the simulator answered HTTP ${response.status} for ${url.pathname}`);
    const messages = (await response.json()) as BusinessMessage[];

    let shown = 0;
    for (const message of messages) {
      if (this.seen.has(message.id)) continue;
      this.seen.add(message.id);
      this.cursor = Math.max(this.cursor, Date.parse(message.sentAt));
      const rendered = renderBusinessMessage(this.opts.channel, message.body);
      this.opts.print(`business: ${rendered.lines[0] ?? ''}`);
      for (const line of rendered.lines.slice(1)) this.opts.print(`          ${line}`);
      if (rendered.options.length > 0) this.options = rendered.options;
      shown += 1;
    }
    return shown;
  }

  private identity(): Record<string, string> {
    const identity: Record<string, string> = { channel: this.opts.channel, customerId: this.customerId };
    if (this.opts.accountId) identity.accountId = this.opts.accountId;
    if (this.opts.name) identity.name = this.opts.name;
    return identity;
  }
}
