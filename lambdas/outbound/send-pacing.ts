import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { createPacingStore, type PacingStore } from '#lambdas/outbound/pacing-store';

/**
 * Pacing shared by every concurrent sender through DynamoDB (outbound/pacing-store.ts), so that
 * Meta's limits hold however many Lambda instances run: per number, the next free send time of
 * each of its shards, and per recipient a "theoretical arrival time".
 *
 * The number's schedule is one counter per shard moved by an atomic `ADD`, so concurrent
 * senders take consecutive slots without reading first; slots are spread evenly over the second
 * (a fixed per-second counter would let a second's worth go out in a burst at its start, which a
 * sliding one-second window, as Meta's, counts twice at the boundary). Shards keep each item well
 * below DynamoDB's 1,000 writes per second per item at upgraded throughput.
 *
 * The pair limit is a generic cell rate algorithm (a token bucket of `burst` messages refilled
 * one per interval) kept in one timestamp per recipient and moved the same way.
 */
export interface PacingLimits {
  messagesPerSecond: number;
  pair: { intervalMs: number; burst: number };
}

export type PacingDecision =
  /** Send at this time (epoch ms); it may already have passed. */
  | { go: true; sendAtMs: number }
  /** Nothing reserved: try again in this many ms. */
  | { go: false; retryAfterMs: number; limit: 'pair' | 'number' };

export interface SendPacer {
  /**
   * Reserves a send to `recipientId` through `accountId` no later than `maxWaitMs` from now. Call
   * once per Graph send, right before waiting for `sendAtMs` and sending.
   */
  reserve(target: { accountId: string; recipientId: string }, limits: PacingLimits, maxWaitMs: number): Promise<PacingDecision>;
  /** Meta refused for the pair rate: send nothing more to this recipient before `untilMs`. */
  holdRecipient(target: { accountId: string; recipientId: string }, pair: PacingLimits['pair'], untilMs: number): Promise<void>;
}

export interface PacerOptions {
  nowMs?: () => number;
  /**
   * Fraction of the limit actually used. Requests leave on schedule but reach Meta with varying
   * network delay, which bunches them; a little headroom keeps a one-second window under the limit.
   */
  headroom?: number;
  /** Writes per second one shard item should carry at most. */
  perShardRate?: number;
  random?: () => number;
  /**
   * Slots are handed out at least this far ahead. A slot reserved "now" is already past when a slow
   * answer arrives, and sends whose answers arrive together leave together; with a lead longer than
   * the usual write latency every sender still sleeps to its exact slot. Default 0.
   */
  leadMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface DynamoPacerOptions extends PacerOptions {
  db: DocumentClient;
  tableName: string;
}

/** Pacing items outlive their use by a little; an hour is far beyond any wait. */
const TTL_SECONDS = 3_600;
const MAX_CONTENTION_ROUNDS = 20;
/** Missed slots given up before sending on a late one anyway (the limit then backs it off). */
const MAX_MISSED_SLOTS = 3;

export function dynamoSendPacer(options: DynamoPacerOptions): SendPacer {
  const { db, tableName, ...rest } = options;
  return sendPacer(createPacingStore(db, tableName), rest);
}

export function sendPacer(store: PacingStore, options: PacerOptions = {}): SendPacer {
  const nowMs = options.nowMs ?? Date.now;
  const headroom = options.headroom ?? 0.97;
  const perShardRate = options.perShardRate ?? 250;
  const random = options.random ?? Math.random;
  const leadMs = options.leadMs ?? 0;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const expiresAt = () => Math.floor(nowMs() / 1000) + TTL_SECONDS;

  /**
   * GCRA with reservation, without a read in the usual case. A recipient is usually quiet (a
   * reply or two per customer message, seconds or minutes apart), so its arrival time lags behind
   * now: starting it from now is tried first and succeeds with one write. While the recipient is
   * busy (several messages within the interval), `ADD` one interval to its arrival time instead
   * (the slot is what the old value allows). Only a refusal of both reads the item, to tell
   * "booked beyond the longest wait" from a race lost to another sender.
   */
  async function reservePair(accountId: string, recipientId: string, pair: PacingLimits['pair'], maxWaitMs: number) {
    const tolerance = (pair.burst - 1) * pair.intervalMs;
    for (let round = 0; round < MAX_CONTENTION_ROUNDS; round++) {
      const now = nowMs();
      if (await store.startPair(accountId, recipientId, { nextMs: now + pair.intervalMs, nowMs: now, expiresAt: expiresAt() })) {
        return { ok: true as const, atMs: now };
      }
      const tat = await store.pushPair(accountId, recipientId, {
        intervalMs: pair.intervalMs,
        nowMs: now,
        latestMs: now + tolerance + maxWaitMs,
        expiresAt: expiresAt(),
      });
      if (tat !== undefined) {
        const previous = tat - pair.intervalMs;
        return { ok: true as const, atMs: Math.max(now, previous - tolerance) };
      }
      const current = await store.readPair(accountId, recipientId);
      const due = current - tolerance - nowMs();
      if (Number.isFinite(current) && due > maxWaitMs) return { ok: false as const, retryAfterMs: due - maxWaitMs };
    }
    return { ok: false as const, retryAfterMs: pair.intervalMs };
  }

  /**
   * Whether a shard's schedule lagged behind at its last reservation here. A number busier than
   * its writes can keep up with lags all the time, and then starting it again is what succeeds:
   * trying that first saves a refused `ADD` per send.
   */
  const lagging = new Map<string, boolean>();

  /** Takes the next slot of one shard: `ADD` while the schedule is current, a reset when it lags behind. */
  async function reserveNumberSlot(accountId: string, messagesPerSecond: number, maxWaitMs: number) {
    const rate = Math.max(1, messagesPerSecond * headroom);
    const shards = Math.max(1, Math.ceil(rate / perShardRate));
    const intervalMs = (1000 * shards) / rate;
    const shard = Math.floor(random() * shards);
    const shardId = `${accountId}/${shard}`;

    const takeNext = async (now: number): Promise<number | undefined> => {
      const next = await store.takeNumberSlot(accountId, shard, {
        intervalMs,
        nowMs: now,
        horizonMs: nowMs() + Math.max(maxWaitMs, leadMs),
        expiresAt: expiresAt(),
      });
      return next === undefined ? undefined : next - intervalMs;
    };
    const startAgain = async (now: number): Promise<number | undefined> =>
      (await store.restartNumber(accountId, shard, { nextMs: now + intervalMs, nowMs: now, expiresAt: expiresAt() })) ? now : undefined;

    for (let round = 0; round < MAX_CONTENTION_ROUNDS; round++) {
      const now = nowMs() + leadMs;
      const lagged = lagging.get(shardId) === true;
      const [first, second] = lagged ? [startAgain, takeNext] : [takeNext, startAgain];
      const fromFirst = await first(now);
      if (fromFirst !== undefined) {
        lagging.set(shardId, lagged);
        return { ok: true as const, atMs: fromFirst };
      }
      const fromSecond = await second(now);
      if (fromSecond !== undefined) {
        lagging.set(shardId, !lagged);
        return { ok: true as const, atMs: fromSecond };
      }
      // Neither: booked beyond the horizon, or a race lost to another sender.
      const nextAt = await store.readNumber(accountId, shard);
      const horizon = nowMs() + Math.max(maxWaitMs, leadMs);
      if (Number.isFinite(nextAt) && nextAt > horizon) return { ok: false as const, retryAfterMs: nextAt - horizon };
    }
    return { ok: false as const, retryAfterMs: intervalMs };
  }

  return {
    async reserve(target, limits, maxWaitMs) {
      const pair = await reservePair(target.accountId, target.recipientId, limits.pair, maxWaitMs);
      if (!pair.ok) return { go: false, retryAfterMs: pair.retryAfterMs, limit: 'pair' };
      // The number's slot is taken only once the pair allows a send, so sending on the number's
      // schedule never breaks the pair limit (a later send only leaves more tokens), and the
      // number's schedule is never pushed ahead (and its slots wasted) by one recipient's wait.
      const pairWait = pair.atMs - nowMs();
      if (pairWait > 0) await sleep(pairWait);
      // A slot whose answer came back after it had passed is given up rather than used late: a
      // late send leaves together with the ones on time and trips the limit. The headroom pays for it.
      const lateToleranceMs = (1000 * (1 - headroom)) / 2;
      for (let tries = 0; ; tries++) {
        const slot = await reserveNumberSlot(target.accountId, limits.messagesPerSecond, maxWaitMs);
        if (!slot.ok) return { go: false, retryAfterMs: slot.retryAfterMs, limit: 'number' };
        if (nowMs() - slot.atMs <= lateToleranceMs || tries >= MAX_MISSED_SLOTS) return { go: true, sendAtMs: slot.atMs };
      }
    },

    async holdRecipient(target, pair, untilMs) {
      // The arrival time that makes the first allowed send fall at `untilMs`, burst included.
      const tat = untilMs + (pair.burst - 1) * pair.intervalMs;
      await store.holdPair(target.accountId, target.recipientId, { tatMs: tat, expiresAt: Math.floor(tat / 1000) + TTL_SECONDS });
    },
  };
}
