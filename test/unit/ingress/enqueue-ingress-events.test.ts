import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLAIM_CHECK_THRESHOLD, enqueueIngressEvents, MAX_BATCH_BYTES } from '#lambdas/ingress/enqueue-ingress-events';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { deduplicationIdFor, messageGroupIdFor } from '#lambdas/ingress/sqs-fifo-ids';
import { EnqueueError } from '#lambdas/ingress/errors';

const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: 'us-east-1' });
const noSleep = async () => {};

function event(i: number, payloadBytes = 100, key = `wa:1:${i % 3}`): IngressEvent {
  return {
    v: 1,
    kind: 'whatsapp.change',
    channel: 'whatsapp',
    conversationKey: key,
    eventId: `wa:msg:${i}`,
    receivedAt: '2026-11-21T10:00:00.000Z',
    payload: { field: 'messages', value: { pad: 'x'.repeat(payloadBytes) } },
  };
}

function sentEntries() {
  return sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries ?? []);
}

describe('enqueueIngressEvents', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(SendMessageBatchCommand).callsFake((input) => ({
      Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: `m-${e.Id}` })),
      Failed: [],
    }));
  });

  it('sends batches of at most 10 with group = conversation key and dedup = hashed event id', async () => {
    const events = Array.from({ length: 23 }, (_, i) => event(i));
    await enqueueIngressEvents(events, { sqs, queueUrl: 'q', sleep: noSleep });
    const batches = sentEntries();
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    const all = batches.flat();
    expect(all.map((e) => JSON.parse(e.MessageBody!).eventId)).toEqual(events.map((e) => e.eventId));
    expect(all[4]!.MessageGroupId).toBe('wa:1:1');
    expect(all[4]!.MessageDeduplicationId).toBe(deduplicationIdFor('wa:msg:4'));
    expect(all[4]!.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('also cuts batches by total size', async () => {
    const events = Array.from({ length: 6 }, (_, i) => event(i, 90 * 1024));
    await enqueueIngressEvents(events, { sqs, queueUrl: 'q', sleep: noSleep });
    for (const batch of sentEntries()) {
      const bytes = batch.reduce((n, e) => n + Buffer.byteLength(e.MessageBody!), 0);
      expect(bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
    expect(sentEntries().flat()).toHaveLength(6);
  });

  it('retries only the entries SQS reported as failed', async () => {
    let call = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake((input) => {
      call++;
      const entries = input.Entries as Array<{ Id: string }>;
      const failing = call === 1 ? entries.filter((e) => e.Id === '1' || e.Id === '2') : [];
      return {
        Successful: entries.filter((e) => !failing.includes(e)).map((e) => ({ Id: e.Id, MessageId: 'm' })),
        Failed: failing.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false, Message: 'try again' })),
      };
    });
    await enqueueIngressEvents([event(0), event(1), event(2), event(3)], { sqs, queueUrl: 'q', sleep: noSleep });
    const batches = sentEntries();
    expect(batches).toHaveLength(2);
    expect(batches[1]!.map((e) => e.Id)).toEqual(['1', '2']);
  });

  it('throws when SQS keeps failing, naming the events that were not queued', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(new Error('ServiceUnavailable'));
    const err = await enqueueIngressEvents([event(7)], { sqs, queueUrl: 'q', sleep: noSleep }).catch((e) => e);
    expect(err).toBeInstanceOf(EnqueueError);
    expect(err.failedEventIds).toEqual(['wa:msg:7']);
    expect(sqsMock.commandCalls(SendMessageBatchCommand).length).toBe(4);
  });

  it('parks an event too large for SQS in the claim-check store and queues a reference', async () => {
    const stored = new Map<string, string>();
    const big = event(1, CLAIM_CHECK_THRESHOLD + 10);
    await enqueueIngressEvents([big, event(2)], {
      sqs,
      queueUrl: 'q',
      sleep: noSleep,
      claimChecks: { bucket: 'claims', put: async (k, b) => void stored.set(k, b) },
    });
    const [first, second] = sentEntries().flat();
    const reference = JSON.parse(first!.MessageBody!);
    expect(reference.payload).toBeNull();
    expect(reference.claimCheck.bucket).toBe('claims');
    expect(JSON.parse(stored.get(reference.claimCheck.key)!)).toEqual(big);
    expect(Buffer.byteLength(first!.MessageBody!)).toBeLessThan(2048);
    expect(JSON.parse(second!.MessageBody!).payload).toEqual(event(2).payload);
  });

  it('refuses an oversized event when no claim-check store is configured', async () => {
    await expect(enqueueIngressEvents([event(1, CLAIM_CHECK_THRESHOLD + 10)], { sqs, queueUrl: 'q', sleep: noSleep })).rejects.toBeInstanceOf(EnqueueError);
  });
});

describe('SQS FIFO ids', () => {
  it('keeps a valid conversation key readable and hashes one SQS would refuse', () => {
    expect(messageGroupIdFor('ig:17841400000000001:1234567890')).toBe('ig:17841400000000001:1234567890');
    expect(messageGroupIdFor(`wa:1:${'9'.repeat(200)}`)).toMatch(/^h:[0-9a-f]{64}$/);
    expect(messageGroupIdFor('wa:1:US.ENT.5678 space')).toMatch(/^h:/);
    expect(messageGroupIdFor('wa:1:ünï')).toMatch(/^h:/);
  });
});

describe('enqueueIngressEvents with many batches', () => {
  beforeEach(() => sqsMock.reset());

  it('sends independent batches concurrently but never two batches of the same conversation at once', async () => {
    const inFlight = new Set<string>();
    const order: string[] = [];
    sqsMock.on(SendMessageBatchCommand).callsFake(async (input) => {
      const groups = new Set<string>(input.Entries.map((e: { MessageGroupId: string }) => e.MessageGroupId));
      for (const g of groups) {
        if (inFlight.has(g)) throw new Error(`group ${g} already in flight`);
        inFlight.add(g);
      }
      await new Promise((r) => setTimeout(r, 5));
      for (const e of input.Entries) order.push(JSON.parse(e.MessageBody).eventId);
      for (const g of groups) inFlight.delete(g);
      return { Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: 'm' })), Failed: [] };
    });
    // 60 events: conversation "a" has one event in every batch of 10; the others are unique.
    const events = Array.from({ length: 60 }, (_, i) => event(i, 100, i % 10 === 0 ? 'wa:1:a' : `wa:1:u${i}`));
    const started = Date.now();
    await enqueueIngressEvents(events, { sqs, queueUrl: 'q', sleep: noSleep });
    expect(Date.now() - started).toBeLessThan(1000);
    // Conversation "a" keeps its order across batches.
    const aOrder = order.filter((id) => ['wa:msg:0', 'wa:msg:10', 'wa:msg:20', 'wa:msg:30', 'wa:msg:40', 'wa:msg:50'].includes(id));
    expect(aOrder).toEqual(['wa:msg:0', 'wa:msg:10', 'wa:msg:20', 'wa:msg:30', 'wa:msg:40', 'wa:msg:50']);
    expect(order).toHaveLength(60);
  });

  it('runs batches that share no conversation in parallel', async () => {
    let active = 0;
    let peak = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake(async (input) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 10));
      active--;
      return { Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: 'm' })), Failed: [] };
    });
    const events = Array.from({ length: 100 }, (_, i) => event(i, 100, `wa:1:c${i}`));
    await enqueueIngressEvents(events, { sqs, queueUrl: 'q', sleep: noSleep });
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(8);
  });

  it('fails the whole request when one batch cannot be sent, after the others finished', async () => {
    let calls = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake(async (input) => {
      calls++;
      if (input.Entries.some((e: { MessageBody: string }) => JSON.parse(e.MessageBody).eventId === 'wa:msg:15')) throw new Error('boom');
      return { Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: 'm' })), Failed: [] };
    });
    const events = Array.from({ length: 30 }, (_, i) => event(i, 100, `wa:1:c${i}`));
    await expect(enqueueIngressEvents(events, { sqs, queueUrl: 'q', sleep: noSleep })).rejects.toBeInstanceOf(EnqueueError);
    expect(calls).toBe(2 + 4);
  });
});
