import { describe, expect, it } from 'vitest';
import { fixedPathFloor } from '#test/bench/cost-prices';

describe('fixedPathFloor', () => {
  it('prices each webhook and each consumed event along the fixed path, one message per poll', () => {
    // A webhook: $1 API Gateway + 2 × $0.20 invocations + 3 × $0.50 FIFO requests = $2.90 per million.
    expect(fixedPathFloor(1, 0) * 1e6).toBeCloseTo(2.9, 10);
    // An event: $1 EventBridge + 3 × $0.40 standard SQS requests + $0.20 invocation = $2.40 per million.
    expect(fixedPathFloor(0, 1) * 1e6).toBeCloseTo(2.4, 10);
    // A WhatsApp round trip (message and three receipts; message.received and reply.requested).
    expect(fixedPathFloor(4, 2) * 1e6).toBeCloseTo(16.4, 10);
  });
});
