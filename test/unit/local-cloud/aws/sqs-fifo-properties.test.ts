import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '#lib/local-cloud/aws/clock';
import { SqsEngine, type ReceivedMessage } from '#lib/local-cloud/aws/sqs/sqs-engine';

type Op = { kind: 'send'; group: string } | { kind: 'receive'; max: number } | { kind: 'delete'; pick: number } | { kind: 'advance'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('send' as const), group: fc.constantFrom('A', 'B', 'C') }),
  fc.record({ kind: fc.constant('receive' as const), max: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(1_000, 10_000, 30_000) }),
);

/**
 * Whatever consumers do (receive any amount, delete some, let others time out), a FIFO queue must
 * deliver each group in send order: when a message is delivered, every earlier message of its group
 * is already deleted or delivered before it in the same batch, and no other message of its group is
 * in flight from an earlier receive.
 */
describe('FIFO ordering under arbitrary consumer behaviour', () => {
  it('never delivers a message ahead of, or alongside, an unfinished earlier message of its group', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60 }), async (ops) => {
        const clock = new ManualClock();
        const sqs = new SqsEngine({ clock });
        sqs.createQueue('q.fifo', { FifoQueue: 'true', VisibilityTimeout: 20 });
        const sentOrder = new Map<string, string[]>();
        const deleted = new Set<string>();
        let inFlight: ReceivedMessage[] = [];
        const visibleAgainAt = new Map<string, number>();
        let n = 0;

        for (const op of ops) {
          if (op.kind === 'send') {
            const body = `${op.group}${n++}`;
            const { messageId } = sqs.sendMessage('q.fifo', { body, messageGroupId: op.group, messageDeduplicationId: body });
            sentOrder.set(op.group, [...(sentOrder.get(op.group) ?? []), messageId]);
          } else if (op.kind === 'receive') {
            const batch = await sqs.receiveMessages('q.fifo', { maxNumberOfMessages: op.max, waitTimeSeconds: 0 });
            const now = clock.now();
            const seenInBatch = new Set<string>();
            for (const m of batch) {
              const order = sentOrder.get(m.attributes.MessageGroupId as string) ?? [];
              const earlier = order.slice(0, order.indexOf(m.messageId));
              for (const e of earlier) expect(deleted.has(e) || seenInBatch.has(e)).toBe(true);
              for (const other of order) {
                const stillInFlight = !deleted.has(other) && (visibleAgainAt.get(other) ?? 0) > now;
                expect(stillInFlight).toBe(false);
              }
              seenInBatch.add(m.messageId);
            }
            for (const m of batch) visibleAgainAt.set(m.messageId, now + 20_000);
            inFlight = [...inFlight, ...batch];
          } else if (op.kind === 'delete' && inFlight.length > 0) {
            const m = inFlight[op.pick % inFlight.length] as ReceivedMessage;
            inFlight = inFlight.filter((x) => x !== m);
            try {
              sqs.deleteMessage('q.fifo', m.receiptHandle);
              deleted.add(m.messageId);
            } catch {
              // The handle expired: the message stays and will be delivered again.
            }
          } else if (op.kind === 'advance') {
            await clock.advance(op.ms);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
