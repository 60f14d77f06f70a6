import { afterEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { PairRateLimiter, ThroughputLimiter } from '#lib/local-cloud/graph-simulator/rate-limits';
import { readConformanceJson } from '#test/helpers/conformance';
import { graphPost, ManualClock, shapeOf, WA_PATH, waText } from './sim-test-kit';

describe('ThroughputLimiter', () => {
  it('allows the limit within one second and more once the oldest send is a second old', () => {
    const clock = new ManualClock(0);
    const limiter = new ThroughputLimiter(2, clock.now);

    limiter.record('n');
    clock.advance(400);
    limiter.record('n');
    expect(limiter.allows('n')).toBe(false);
    expect(limiter.allows('other-number')).toBe(true);

    clock.advance(601);
    expect(limiter.allows('n')).toBe(true);
  });
});

describe('PairRateLimiter', () => {
  it('allows a burst, then one message per interval', () => {
    const clock = new ManualClock(0);
    const limiter = new PairRateLimiter({ intervalMs: 6_000, burst: 2 }, clock.now);

    limiter.record('pair');
    limiter.record('pair');
    expect(limiter.allows('pair')).toBe(false);

    clock.advance(5_999);
    expect(limiter.allows('pair')).toBe(false);
    clock.advance(1);
    expect(limiter.allows('pair')).toBe(true);
    limiter.record('pair');
    expect(limiter.allows('pair')).toBe(false);
  });

  it('never refills past the burst', () => {
    const clock = new ManualClock(0);
    const limiter = new PairRateLimiter({ intervalMs: 1_000, burst: 2 }, clock.now);
    limiter.record('pair');
    clock.advance(60_000);
    limiter.record('pair');
    limiter.record('pair');
    expect(limiter.allows('pair')).toBe(false);
  });
});

describe('Graph simulator rate limits', () => {
  let sim: GraphSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('answers 130429 once a number exceeds its messages per second, and recovers a second later', async () => {
    const clock = new ManualClock();
    sim = await startGraphSimulator({
      port: 0,
      clock: clock.now,
      limits: { messagesPerSecondPerNumber: 3, pairLimit: false },
      statusDelaysMs: { sent: 1, delivered: 1, read: false },
    });

    const accepted = [];
    for (let i = 0; i < 3; i += 1) accepted.push(await graphPost(sim, WA_PATH, waText('hi', `1555000000${i}`)));
    const limited = await graphPost(sim, WA_PATH, waText('hi', '15550000009'));
    clock.advance(1_000);
    const later = await graphPost(sim, WA_PATH, waText('hi', '15550000009'));

    expect(accepted.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(limited.status).toBe(400);
    expect(limited.json.error).toMatchObject({ code: 130429, message: '(#130429) Rate limit hit', type: 'OAuthException' });
    expect(shapeOf(limited.json)).toEqual(shapeOf(readConformanceJson('graph-api', 'bindambc-error-130429-rate-limit.json')));
    expect(later.status).toBe(200);
    // A refused send does not use up throughput: it is not in the outbox as a message.
    expect(sim.outbox().filter((e) => e.messageId !== undefined)).toHaveLength(4);
  });

  it('answers 131056 when one recipient gets more than the pair limit allows', async () => {
    const clock = new ManualClock();
    sim = await startGraphSimulator({
      port: 0,
      clock: clock.now,
      limits: { pairLimit: { intervalMs: 6_000, burst: 2 } },
      statusDelaysMs: { sent: 1, delivered: 1, read: false },
    });

    const first = await graphPost(sim, WA_PATH, waText('one'));
    const second = await graphPost(sim, WA_PATH, waText('two'));
    const third = await graphPost(sim, WA_PATH, waText('three'));
    const otherRecipient = await graphPost(sim, WA_PATH, waText('hello', '15550001111'));
    clock.advance(6_000);
    const afterInterval = await graphPost(sim, WA_PATH, waText('three again'));

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(third.status).toBe(400);
    expect(third.json.error).toMatchObject({
      code: 131056,
      message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
      error_data: { messaging_product: 'whatsapp' },
    });
    expect(otherRecipient.status).toBe(200);
    expect(afterInterval.status).toBe(200);
  });

  it('does not count mark-as-read requests against the limits', async () => {
    sim = await startGraphSimulator({ port: 0, limits: { messagesPerSecondPerNumber: 1, pairLimit: { burst: 1 } } });
    for (let i = 0; i < 3; i += 1) {
      const read = await graphPost(sim, WA_PATH, { messaging_product: 'whatsapp', status: 'read', message_id: `wamid.${i}` });
      expect(read.status).toBe(200);
    }
    expect((await graphPost(sim, WA_PATH, waText('hi'))).status).toBe(200);
  });
});
