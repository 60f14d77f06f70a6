import { PutEventsCommand, PutRuleCommand, PutTargetsCommand, CreateEventBusCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventBridgeEnvelope } from '#lib/local-cloud/aws/eventbridge/eventbridge-engine';
import { startFixture, type EmulatorFixture } from '#test/unit/local-cloud/aws/emulator-fixture';

let f: EmulatorFixture;
const BUS = 'omnichannel-dev';

beforeEach(async () => {
  f = await startFixture();
  f.emulator.events.createEventBus(BUS);
});

afterEach(async () => {
  await f.close();
});

async function receiveAll(queueName: string): Promise<Message[]> {
  const out = await f.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: f.emulator.sqs.queueUrl(queueName),
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return out.Messages ?? [];
}

const received = (source = 'io.omnichannel.normalizer', detail: object = { conversationKey: 'wa:1:2' }) => ({
  EventBusName: BUS,
  Source: source,
  DetailType: 'message.received',
  Detail: JSON.stringify(detail),
});

describe('PutEvents validation', () => {
  it('answers FailedEntryCount and a per-entry error, in entry order, for bad entries', async () => {
    const out = await f.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          received(),
          { EventBusName: BUS, DetailType: 'x', Detail: '{}' },
          { EventBusName: BUS, Source: 'a', Detail: '{}' },
          { EventBusName: BUS, Source: 'a', DetailType: 'x' },
          { EventBusName: BUS, Source: 'a', DetailType: 'x', Detail: '{"unclosed": ' },
          { EventBusName: BUS, Source: 'a', DetailType: 'x', Detail: '[1,2]' },
          { EventBusName: BUS, Source: 'aws.s3', DetailType: 'x', Detail: '{}' },
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(6);
    expect(out.Entries).toEqual([
      { EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
    ]);
  });

  it('rejects more than 10 entries, or over 256 KB, as a whole', async () => {
    const eleven = Array.from({ length: 11 }, () => received());
    await expect(f.eventBridge.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({ name: 'ValidationException' });

    const big = received('io.omnichannel.normalizer', { blob: 'x'.repeat(256 * 1024) });
    await expect(f.eventBridge.send(new PutEventsCommand({ Entries: [big] }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('accepts events for a bus that does not exist and drops them, as EventBridge does', async () => {
    const out = await f.eventBridge.send(new PutEventsCommand({ Entries: [{ ...received(), EventBusName: 'no-such-bus' }] }));

    expect(out.FailedEntryCount).toBe(0);
    expect(f.emulator.events.droppedForUnknownBus).toBe(1);
  });
});

describe('rules and SQS targets', () => {
  beforeEach(() => {
    f.emulator.sqs.createQueue('agent-wakeups');
    const rule = f.emulator.events.putRule(BUS, 'agent-on-message', {
      source: ['io.omnichannel.normalizer'],
      'detail-type': ['message.received'],
    });
    f.emulator.events.putTarget(rule, { id: 'agent-queue', queueName: 'agent-wakeups' });
  });

  it('delivers a matching event as the EventBridge envelope', async () => {
    const time = new Date('2025-03-04T05:06:07.890Z');
    const out = await f.eventBridge.send(
      new PutEventsCommand({ Entries: [{ ...received(), Time: time, Resources: ['arn:aws:dynamodb:us-east-1:000000000000:table/t'] }] }),
    );
    await f.emulator.events.settled();

    const [message] = await receiveAll('agent-wakeups');
    const envelope = JSON.parse(message?.Body ?? '{}') as EventBridgeEnvelope;
    expect(envelope).toEqual({
      version: '0',
      id: out.Entries?.[0]?.EventId,
      'detail-type': 'message.received',
      source: 'io.omnichannel.normalizer',
      account: '000000000000',
      time: '2025-03-04T05:06:07Z',
      region: 'us-east-1',
      resources: ['arn:aws:dynamodb:us-east-1:000000000000:table/t'],
      detail: { conversationKey: 'wa:1:2' },
    });
  });

  it('does not deliver an event the pattern does not match', async () => {
    await f.eventBridge.send(new PutEventsCommand({ Entries: [received('io.omnichannel.agent')] }));
    await f.emulator.events.settled();

    expect(await receiveAll('agent-wakeups')).toEqual([]);
  });

  it('sends to a FIFO target with the static MessageGroupId and the event id as dedup id', async () => {
    f.emulator.sqs.createQueue('status.fifo', { FifoQueue: 'true' });
    const rule = f.emulator.events.putRule(BUS, 'status', { 'detail-type': ['message.received'] });
    f.emulator.events.putTarget(rule, { id: 'fifo', queueName: 'status.fifo', messageGroupId: 'all-statuses' });

    const out = await f.eventBridge.send(new PutEventsCommand({ Entries: [received()] }));
    await f.emulator.events.settled();

    const [m] = await receiveAll('status.fifo');
    expect(m?.Attributes?.MessageGroupId).toBe('all-statuses');
    expect(m?.Attributes?.MessageDeduplicationId).toBe(out.Entries?.[0]?.EventId);
  });

  it("takes a fair queue's tenant from the event when the MessageGroupId is a dynamic path", async () => {
    f.emulator.sqs.createQueue('replies');
    const rule = f.emulator.events.putRule(BUS, 'replies', { 'detail-type': ['message.received'] });
    f.emulator.events.putTarget(rule, { id: 'fair', queueName: 'replies', messageGroupId: '$.detail.accountId' });

    await f.eventBridge.send(new PutEventsCommand({ Entries: [received(undefined, { accountId: '1000001' }), received(undefined, { other: 'no tenant' })] }));
    await f.emulator.events.settled();

    const groups = (await receiveAll('replies')).map((m) => m.Attributes?.MessageGroupId ?? 'none').sort();
    expect(groups).toEqual(['1000001', 'none']);
  });

  it('calls a local invoke target with the envelope', async () => {
    const seen: EventBridgeEnvelope[] = [];
    const rule = f.emulator.events.putRule(BUS, 'to-function', { detail: { conversationKey: [{ prefix: 'wa:' }] } });
    f.emulator.events.putTarget(rule, {
      id: 'fn',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:agent',
      invoke: async (e) => {
        seen.push(e);
      },
    });

    await f.eventBridge.send(new PutEventsCommand({ Entries: [received()] }));
    await f.emulator.events.settled();

    expect(seen.map((e) => e.detail)).toEqual([{ conversationKey: 'wa:1:2' }]);
  });

  it('creates rules and targets over the wire too, and evaluates TestEventPattern', async () => {
    await f.eventBridge.send(new CreateEventBusCommand({ Name: 'wired' }));
    await f.eventBridge.send(new PutRuleCommand({ Name: 'wired-rule', EventBusName: 'wired', EventPattern: JSON.stringify({ source: [{ prefix: 'io.' }] }) }));
    const targets = await f.eventBridge.send(
      new PutTargetsCommand({ Rule: 'wired-rule', EventBusName: 'wired', Targets: [{ Id: 'q', Arn: f.emulator.sqs.arnOf('agent-wakeups') }] }),
    );
    expect(targets.FailedEntryCount).toBe(0);

    await f.eventBridge.send(new PutEventsCommand({ Entries: [{ ...received(), EventBusName: 'wired' }] }));
    await f.emulator.events.settled();
    expect(await receiveAll('agent-wakeups')).toHaveLength(1);

    const test = (source: string) =>
      f.eventBridge.send(
        new TestEventPatternCommand({
          EventPattern: JSON.stringify({ source: [{ 'anything-but': { prefix: 'aws.' } }] }),
          Event: JSON.stringify({ id: '1', account: '1', source, time: '2025-01-01T00:00:00Z', region: 'us-east-1', 'detail-type': 'x', detail: {} }),
        }),
      );
    expect((await test('io.omnichannel.agent')).Result).toBe(true);
    expect((await test('aws.s3')).Result).toBe(false);
    await expect(f.eventBridge.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source": "x"}' }))).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
    });
  });
});

describe('target retries and dead-letter queue', () => {
  beforeEach(() => {
    f.emulator.sqs.createQueue('target');
    f.emulator.sqs.createQueue('target-dlq');
  });

  it('retries a failing delivery and succeeds when the target recovers', async () => {
    const rule = f.emulator.events.putRule(BUS, 'r', { source: ['io.omnichannel.normalizer'] });
    f.emulator.events.putTarget(rule, { id: 't', queueName: 'target', deadLetterQueue: { queueName: 'target-dlq' } });
    f.emulator.faults.failNext('events.TargetDelivery', { code: 'InternalError', count: 2 });

    await f.eventBridge.send(new PutEventsCommand({ Entries: [received()] }));
    await f.emulator.events.settled();
    expect(await receiveAll('target')).toEqual([]);
    expect(f.emulator.events.pendingRetries()).toBe(1);

    await f.clock.advance(10_000);
    await f.emulator.events.settled();

    expect(await receiveAll('target')).toHaveLength(1);
    expect(await receiveAll('target-dlq')).toEqual([]);
    expect(f.emulator.events.deliveries.map((d) => d.outcome)).toEqual(['retrying', 'retrying', 'delivered']);
  });

  it('sends the event to the DLQ with the failure attributes once the retry policy is exhausted', async () => {
    const rule = f.emulator.events.putRule(BUS, 'r', { source: ['io.omnichannel.normalizer'] });
    f.emulator.events.putTarget(rule, {
      id: 't',
      queueName: 'target',
      retryPolicy: { maximumRetryAttempts: 2 },
      deadLetterQueue: { queueName: 'target-dlq' },
    });
    f.emulator.faults.failNext('events.TargetDelivery', { code: 'ThrottlingException', count: 100, statusCode: 400 });

    const out = await f.eventBridge.send(new PutEventsCommand({ Entries: [received()] }));
    await f.emulator.events.settled();
    await f.clock.advance(60_000);
    await f.emulator.events.settled();

    const [dead] = await receiveAll('target-dlq');
    expect(JSON.parse(dead?.Body ?? '{}')).toMatchObject({ id: out.Entries?.[0]?.EventId, 'detail-type': 'message.received' });
    const attrs = Object.fromEntries(Object.entries(dead?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    expect(attrs).toEqual({
      RULE_ARN: `arn:aws:events:us-east-1:000000000000:rule/${BUS}/r`,
      TARGET_ARN: f.emulator.sqs.arnOf('target'),
      ERROR_CODE: 'ThrottlingException',
      ERROR_MESSAGE: expect.any(String),
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      RETRY_ATTEMPTS: '2',
    });
    expect(await receiveAll('target')).toEqual([]);
  });

  it('stops retrying when the event is older than the maximum event age', async () => {
    const rule = f.emulator.events.putRule(BUS, 'r', { source: ['io.omnichannel.normalizer'] });
    f.emulator.events.putTarget(rule, {
      id: 't',
      queueName: 'target',
      retryPolicy: { maximumEventAgeInSeconds: 60 },
      deadLetterQueue: { queueName: 'target-dlq' },
    });
    f.emulator.faults.failNext('events.TargetDelivery', { code: 'InternalError', count: 1000 });

    await f.eventBridge.send(new PutEventsCommand({ Entries: [received()] }));
    await f.emulator.events.settled();
    await f.clock.advance(10 * 60_000);
    await f.emulator.events.settled();

    const [dead] = await receiveAll('target-dlq');
    expect(dead?.MessageAttributes?.EXHAUSTED_RETRY_CONDITION?.StringValue).toBe('MaximumEventAgeInSeconds');
  });

  it('does not retry when the target queue does not exist: straight to the DLQ', async () => {
    const rule = f.emulator.events.putRule(BUS, 'r', { source: ['io.omnichannel.normalizer'] });
    f.emulator.events.putTarget(rule, { id: 't', queueName: 'deleted-queue', deadLetterQueue: { queueName: 'target-dlq' } });

    await f.eventBridge.send(new PutEventsCommand({ Entries: [received()] }));
    await f.emulator.events.settled();

    const [dead] = await receiveAll('target-dlq');
    expect(dead?.MessageAttributes?.ERROR_CODE?.StringValue).toBe('QueueDoesNotExist');
    expect(dead?.MessageAttributes?.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
    expect(f.emulator.events.pendingRetries()).toBe(0);
  });
});

describe('archive and replay', () => {
  it('replays archived events in a time range, marked with the replay name', async () => {
    f.emulator.sqs.createQueue('replayed');
    f.emulator.events.createArchive(BUS, 'all-events');
    const early = new Date('2025-01-01T10:00:00Z');
    const late = new Date('2025-01-01T12:00:00Z');
    await f.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          { ...received(), Time: early },
          { ...received('io.omnichannel.agent'), Time: late },
        ],
      }),
    );
    const rule = f.emulator.events.putRule(BUS, 'late-rule', { source: [{ prefix: 'io.' }] });
    f.emulator.events.putTarget(rule, { id: 'q', queueName: 'replayed' });

    const out = f.emulator.events.startReplay({
      replayName: 'fix-2025-01',
      archiveName: 'all-events',
      from: new Date('2025-01-01T09:00:00Z'),
      to: new Date('2025-01-01T11:00:00Z'),
    });
    await f.emulator.events.settled();

    expect(out.replayed).toBe(1);
    const [m] = await receiveAll('replayed');
    expect(JSON.parse(m?.Body ?? '{}')).toMatchObject({ source: 'io.omnichannel.normalizer', 'replay-name': 'fix-2025-01' });
    expect(f.emulator.events.archivedEvents('all-events')).toHaveLength(2);
  });
});
