import type { OperatorRole } from '#lambdas/identity/operator-identity';
import type { LocalCloudHarness } from '#test/e2e/local-cloud-harness';

/**
 * People of the contact centre during the chaos run, working through the agents' API as the
 * console does while the functions behind it crash: each polls their inbox, accepts offers
 * (declining some once), answers with a reply and closes. A call that failed with a 5xx or a
 * dropped connection is tried again (accept, decline, reply with its request id, and close are
 * idempotent or say they were done); one agent goes offline and comes back.
 */
export interface ChaosAgentStats {
  apiCalls: number;
  apiRetries: number;
  /** Calls still failing after every attempt. */
  apiGaveUp: number;
  accepted: number;
  declined: number;
  replied: number;
  closed: number;
  presenceChanges: number;
  /** Answers that should never come (another agent's offer accepted, a reply refused…), by kind. */
  unexpected: string[];
}

export interface ChaosAgentsOptions {
  agents: readonly string[];
  businessId: string;
  /** Share of offers declined (each conversation at most once). */
  declineShare: number;
  /** How long an agent keeps an answered conversation before closing it. */
  holdMs: number;
  pollMs: number;
  random: () => number;
}

const ATTEMPTS = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ChaosAgents {
  readonly stats: ChaosAgentStats = {
    apiCalls: 0,
    apiRetries: 0,
    apiGaveUp: 0,
    accepted: 0,
    declined: 0,
    replied: 0,
    closed: 0,
    presenceChanges: 0,
    unexpected: [],
  };
  private running = false;
  private readonly away = new Set<string>();
  private readonly tokens = new Map<string, string>();
  private readonly declined = new Set<string>();
  private readonly answered = new Map<string, number>();
  private readonly closed = new Set<string>();
  private workers: Promise<void>[] = [];

  constructor(
    private readonly harness: LocalCloudHarness,
    private readonly options: ChaosAgentsOptions,
  ) {}

  /** Every agent online, then their work loops. */
  async start(): Promise<void> {
    for (const agentId of this.options.agents) await this.presence(agentId, 'online');
    this.running = true;
    this.workers = this.options.agents.map((agentId) => this.work(agentId));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.allSettled(this.workers);
  }

  /** The agent goes offline (their pending offers go back to the queue) and comes back after `forMs`. */
  async takeABreak(agentId: string, forMs: number): Promise<void> {
    this.away.add(agentId);
    try {
      await this.presence(agentId, 'offline');
      await sleep(forMs);
      await this.presence(agentId, 'online');
    } finally {
      this.away.delete(agentId);
    }
  }

  private async presence(agentId: string, presence: 'online' | 'offline'): Promise<void> {
    const res = await this.call(agentId, 'POST', '/agent/presence', { presence });
    if (res.status === 200) this.stats.presenceChanges++;
    else this.unexpected(`presence ${presence} answered ${res.status}`);
  }

  private unexpected(what: string): void {
    if (this.stats.unexpected.length < 50) this.stats.unexpected.push(what);
  }

  private async work(agentId: string): Promise<void> {
    while (this.running) {
      await sleep(this.options.pollMs);
      if (this.away.has(agentId)) continue;
      const box = await this.call(agentId, 'GET', '/agent/inbox');
      if (box.status !== 200) continue;
      const keys = (list: unknown) => (Array.isArray(list) ? list.map((c: { conversationKey?: unknown }) => String(c.conversationKey)) : []);
      for (const key of keys(box.body.offers)) {
        if (!this.running || this.away.has(agentId)) break;
        if (!this.declined.has(key) && this.options.random() < this.options.declineShare) {
          this.declined.add(key);
          const res = await this.call(agentId, 'POST', '/agent/offer/decline', { conversationKey: key });
          if (res.status === 200) this.stats.declined++;
          // 409: the offer expired or moved meanwhile.
          else if (res.status !== 409) this.unexpected(`decline answered ${res.status}`);
          continue;
        }
        const res = await this.call(agentId, 'POST', '/agent/offer/accept', { conversationKey: key });
        if (res.status === 200) this.stats.accepted++;
        else if (res.status !== 409) this.unexpected(`accept answered ${res.status}`);
      }
      for (const key of keys(box.body.assigned)) {
        if (!this.running) break;
        if (this.closed.has(key)) continue;
        if (!this.answered.has(key)) {
          const res = await this.call(agentId, 'POST', '/agent/conversation/reply', {
            conversationKey: key,
            text: `Hola, soy ${agentId}. ¿En qué te ayudo?`,
            requestId: `chaos-${agentId}-${key}`,
          });
          if (res.status === 202 || res.status === 200) {
            this.stats.replied++;
            this.answered.set(key, Date.now());
          } else this.unexpected(`reply answered ${res.status}`);
          continue;
        }
        if (Date.now() - this.answered.get(key)! < this.options.holdMs) continue;
        const res = await this.call(agentId, 'POST', '/agent/conversation/close', { conversationKey: key, outcome: 'resolved' });
        // Tried again after an attempt that crashed once it had closed: already closed.
        if (res.status === 200 || (res.retried && res.status === 409)) {
          this.stats.closed++;
          this.closed.add(key);
        } else this.unexpected(`close answered ${res.status}`);
      }
    }
  }

  private async token(agentId: string): Promise<string> {
    if (!this.tokens.has(agentId)) {
      const roles: OperatorRole[] = ['agent'];
      this.tokens.set(agentId, await this.harness.operatorToken({ businessId: this.options.businessId, subject: agentId, roles }));
    }
    return this.tokens.get(agentId)!;
  }

  private async call(agentId: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, any>; retried: boolean }> {
    for (let attempt = 1; ; attempt++) {
      this.stats.apiCalls++;
      const res = await fetch(`${this.harness.cloud.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${await this.token(agentId)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).catch(() => undefined);
      const text = res ? await res.text().catch(() => '') : '';
      if (res && res.status < 500) {
        let parsed: Record<string, any> = {};
        try {
          parsed = text ? (JSON.parse(text) as Record<string, any>) : {};
        } catch {
          parsed = {};
        }
        return { status: res.status, body: parsed, retried: attempt > 1 };
      }
      if (attempt >= ATTEMPTS) {
        this.stats.apiGaveUp++;
        return { status: res?.status ?? 599, body: {}, retried: true };
      }
      this.stats.apiRetries++;
      await sleep(Math.min(3_000, 200 * 2 ** attempt));
    }
  }
}
