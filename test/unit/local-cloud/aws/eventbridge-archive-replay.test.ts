import {
  CancelReplayCommand,
  CreateArchiveCommand,
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  ListArchivesCommand,
  ListReplaysCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, until, type EmulatorFixture } from '#test/unit/local-cloud/aws/emulator-fixture';

let f: EmulatorFixture;
const BUS = 'omnichannel-dev-events';
let busArn: string;

beforeEach(async () => {
  f = await startFixture();
  busArn = f.emulator.events.createEventBus(BUS).arn;
});

afterEach(async () => {
  await f.close();
});

async function receiveAll(queueName: string): Promise<Message[]> {
  const out = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.emulator.sqs.queueUrl(queueName), MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
  return out.Messages ?? [];
}

const event = (source: string, time: string, detail: object = { conversationKey: 'wa:1:2' }) => ({
  EventBusName: BUS,
  Source: source,
  DetailType: 'message.received',
  Detail: JSON.stringify(detail),
  Time: new Date(time),
});

async function ruleToQueue(ruleName: string, queueName: string, pattern: object): Promise<string> {
  f.emulator.sqs.createQueue(queueName);
  const rule = await f.eventBridge.send(new PutRuleCommand({ EventBusName: BUS, Name: ruleName, EventPattern: JSON.stringify(pattern) }));
  await f.eventBridge.send(new PutTargetsCommand({ EventBusName: BUS, Rule: ruleName, Targets: [{ Id: 'q', Arn: f.emulator.sqs.queueArn(queueName) }] }));
  return rule.RuleArn as string;
}

describe('EventBridge archives over the wire', () => {
  it('records every matching event put on the bus after the archive exists, and describes and lists it', async () => {
    await f.eventBridge.send(new PutEventsCommand({ Entries: [event('io.omnichannel.normalizer', '2024-12-31T10:00:00Z')] }));
    const created = await f.eventBridge.send(
      new CreateArchiveCommand({
        ArchiveName: 'bus-archive',
        EventSourceArn: busArn,
        EventPattern: JSON.stringify({ source: [{ prefix: 'io.omnichannel.' }] }),
        RetentionDays: 30,
      }),
    );
    expect(created.ArchiveArn).toBe(`arn:aws:events:us-east-1:000000000000:archive/bus-archive`);
    await f.eventBridge.send(
      new PutEventsCommand({
        Entries: [event('io.omnichannel.normalizer', '2024-12-31T11:00:00Z'), event('com.other', '2024-12-31T11:00:00Z')],
      }),
    );

    const described = await f.eventBridge.send(new DescribeArchiveCommand({ ArchiveName: 'bus-archive' }));
    expect(described).toMatchObject({ ArchiveArn: created.ArchiveArn, EventSourceArn: busArn, State: 'ENABLED', RetentionDays: 30, EventCount: 1 });
    expect(described.CreationTime).toBeInstanceOf(Date);
    const listed = await f.eventBridge.send(new ListArchivesCommand({ EventSourceArn: busArn }));
    expect(listed.Archives?.map((a) => a.ArchiveName)).toEqual(['bus-archive']);
    expect((await f.eventBridge.send(new DescribeEventBusCommand({ Name: BUS }))).Arn).toBe(busArn);
    await expect(f.eventBridge.send(new CreateArchiveCommand({ ArchiveName: 'bus-archive', EventSourceArn: busArn }))).rejects.toBeInstanceOf(
      ResourceAlreadyExistsException,
    );
  });
});

describe('StartReplay over the wire', () => {
  it('re-delivers the archived events of the range to the matching rules with replay-name, then completes', async () => {
    const archive = await f.eventBridge.send(new CreateArchiveCommand({ ArchiveName: 'all', EventSourceArn: busArn }));
    await ruleToQueue('agent-rule', 'agent', { source: ['io.omnichannel.normalizer'] });
    await f.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          event('io.omnichannel.normalizer', '2024-12-31T08:59:59Z', { n: 0 }),
          event('io.omnichannel.normalizer', '2024-12-31T09:30:00Z', { n: 1 }),
          event('io.omnichannel.normalizer', '2024-12-31T09:10:00Z', { n: 2 }),
          event('io.omnichannel.normalizer', '2024-12-31T10:00:00Z', { n: 3 }),
        ],
      }),
    );
    await f.emulator.events.settled();
    // Received and left in flight, so the queue shows only what the replay adds.
    expect(await receiveAll('agent')).toHaveLength(4);

    const started = await f.eventBridge.send(
      new StartReplayCommand({
        ReplayName: 'fix-1',
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: new Date('2024-12-31T09:00:00Z'),
        EventEndTime: new Date('2024-12-31T10:00:00Z'),
        Destination: { Arn: busArn },
      }),
    );
    expect(started.State).toBe('STARTING');
    expect(started.ReplayArn).toBe('arn:aws:events:us-east-1:000000000000:replay/fix-1');

    let described = await f.eventBridge.send(new DescribeReplayCommand({ ReplayName: 'fix-1' }));
    await until(() => f.emulator.events.describeReplay('fix-1').state === 'COMPLETED');
    await f.emulator.events.settled();
    described = await f.eventBridge.send(new DescribeReplayCommand({ ReplayName: 'fix-1' }));
    expect(described).toMatchObject({ State: 'COMPLETED', EventSourceArn: archive.ArchiveArn, Destination: { Arn: busArn } });
    expect(described.EventLastReplayedTime?.toISOString()).toBe('2024-12-31T09:30:00.000Z');
    expect(described.ReplayEndTime).toBeInstanceOf(Date);

    const bodies = (await receiveAll('agent')).map((m) => JSON.parse(m.Body ?? '{}') as { detail: { n: number }; 'replay-name'?: string });
    const replayed = bodies.filter((b) => b['replay-name'] === 'fix-1');
    // Only [start, end) is replayed, in event-time order.
    expect(bodies).toHaveLength(2);
    expect(replayed.map((b) => b.detail.n)).toEqual([2, 1]);
    // Replayed events are not archived again.
    expect(f.emulator.events.archivedEvents('all')).toHaveLength(4);

    const replays = await f.eventBridge.send(new ListReplaysCommand({ EventSourceArn: archive.ArchiveArn }));
    expect(replays.Replays?.map((r) => [r.ReplayName, r.State])).toEqual([['fix-1', 'COMPLETED']]);
  });

  it('sends only to the rules named in FilterArns', async () => {
    const archive = await f.eventBridge.send(new CreateArchiveCommand({ ArchiveName: 'all', EventSourceArn: busArn }));
    const statusRule = await ruleToQueue('status-rule', 'status', { source: ['io.omnichannel.normalizer'] });
    await ruleToQueue('agent-rule', 'agent', { source: ['io.omnichannel.normalizer'] });
    await f.eventBridge.send(new PutEventsCommand({ Entries: [event('io.omnichannel.normalizer', '2024-12-31T09:30:00Z')] }));
    await f.emulator.events.settled();
    await receiveAll('agent');
    await receiveAll('status');

    await f.eventBridge.send(
      new StartReplayCommand({
        ReplayName: 'status-only',
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: new Date('2024-12-31T09:00:00Z'),
        EventEndTime: new Date('2024-12-31T10:00:00Z'),
        Destination: { Arn: busArn, FilterArns: [statusRule] },
      }),
    );
    await until(() => f.emulator.events.describeReplay('status-only').state === 'COMPLETED');
    await f.emulator.events.settled();

    expect((await receiveAll('status')).map((m) => (JSON.parse(m.Body ?? '{}') as { 'replay-name'?: string })['replay-name'])).toEqual(['status-only']);
    expect(await receiveAll('agent')).toEqual([]);
  });

  it('refuses what the service refuses: another bus, an empty range, a reused name, an unknown archive', async () => {
    const archive = await f.eventBridge.send(new CreateArchiveCommand({ ArchiveName: 'all', EventSourceArn: busArn }));
    const otherBus = f.emulator.events.createEventBus('other').arn;
    const replay = (over: Partial<ConstructorParameters<typeof StartReplayCommand>[0]>) =>
      f.eventBridge.send(
        new StartReplayCommand({
          ReplayName: 'r',
          EventSourceArn: archive.ArchiveArn,
          EventStartTime: new Date('2024-12-31T09:00:00Z'),
          EventEndTime: new Date('2024-12-31T10:00:00Z'),
          Destination: { Arn: busArn },
          ...over,
        }),
      );

    await expect(replay({ Destination: { Arn: otherBus } })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(replay({ EventEndTime: new Date('2024-12-31T09:00:00Z') })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(replay({ EventSourceArn: 'arn:aws:events:us-east-1:000000000000:archive/nope' })).rejects.toBeInstanceOf(ResourceNotFoundException);
    await replay({});
    await expect(replay({})).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await until(() => f.emulator.events.describeReplay('r').state === 'COMPLETED');
    await expect(f.eventBridge.send(new CancelReplayCommand({ ReplayName: 'r' }))).rejects.toMatchObject({ name: 'IllegalStatusException' });
    await expect(f.eventBridge.send(new DescribeReplayCommand({ ReplayName: 'missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
