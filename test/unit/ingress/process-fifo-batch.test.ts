import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { processFifoBatch } from '#lambdas/ingress/process-fifo-batch';

const record = (id: string, group: string): SQSRecord => ({ messageId: id, body: id, attributes: { MessageGroupId: group } }) as unknown as SQSRecord;
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('processFifoBatch', () => {
  it('keeps queue order within a conversation and runs conversations concurrently', async () => {
    const order: string[] = [];
    let active = 0;
    let peak = 0;
    const batch = [record('a1', 'A'), record('b1', 'B'), record('a2', 'A'), record('c1', 'C'), record('a3', 'A'), record('b2', 'B')];
    const result = await processFifoBatch(batch, async (r) => {
      active++;
      peak = Math.max(peak, active);
      await tick();
      order.push(r.messageId);
      active--;
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(order.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(order.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(peak).toBe(3);
  });

  it('fails a record and everything after it in its group, and nothing of the other groups', async () => {
    const handled: string[] = [];
    const failures: string[] = [];
    const batch = [record('a1', 'A'), record('b1', 'B'), record('a2', 'A'), record('b2', 'B'), record('a3', 'A')];
    const result = await processFifoBatch(
      batch,
      async (r) => {
        if (r.messageId === 'a2') throw new Error('boom');
        handled.push(r.messageId);
      },
      (r) => failures.push(r.messageId),
    );
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a2', 'a3']);
    expect(handled.sort()).toEqual(['a1', 'b1', 'b2']);
    expect(failures).toEqual(['a2']);
  });
});
