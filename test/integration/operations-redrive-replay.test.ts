import { CreateArchiveCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEmulator, type AwsEmulator } from '#lib/local-cloud/aws/aws-emulator';
import { runRedriveCommand } from '#lib/operations/redrive-command';
import { runReplayCommand } from '#lib/operations/replay-command';

// The stack's naming: Omnichannel-<stage>-<queue>[-dlq][.fifo], bus Omnichannel-<stage>-events.
const STAGE = 'itest';
const PREFIX = `Omnichannel-${STAGE}`;
const CUSTOMER_NAME = 'Ana Souza';
const CUSTOMER_NUMBER = '5511999887766';
const CUSTOMER_TEXT = 'my order 4471 never came';

let aws: AwsEmulator;
let sqs: SQSClient;
let events: EventBridgeClient;

function run(command: typeof runRedriveCommand | typeof runReplayCommand, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  const common = ['--local', '--endpoint', aws.endpoint, '--stage', STAGE, ...args];
  const fast = { pollMs: 20, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
  const done = command === runRedriveCommand ? runRedriveCommand(common, io, { redrive: fast }) : runReplayCommand(common, io, { replay: fast });
  return done.then((code) => ({ code, out: out.join('\n'), err: err.join('\n') }));
}

async function depth(queueName: string): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: aws.sqs.queueUrl(queueName),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return { visible: Number(out.Attributes?.ApproximateNumberOfMessages), inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible) };
}

/** Receives until the message is dead-lettered (maxReceiveCount 1: the second receive moves it). */
async function failTwice(queueName: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.sqs.queueUrl(queueName), MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
  }
}

beforeAll(async () => {
  aws = await startAwsEmulator();
  sqs = new SQSClient({ ...aws.clientConfig(), maxAttempts: 1 });
  events = new EventBridgeClient({ ...aws.clientConfig(), maxAttempts: 1 });

  const dlq = (name: string, attributes: Record<string, string> = {}) => aws.sqs.createQueue(name, attributes).arn;
  const ingressDlq = dlq(`${PREFIX}-ingress-dlq.fifo`, { FifoQueue: 'true' });
  aws.sqs.createQueue(`${PREFIX}-ingress.fifo`, {
    FifoQueue: 'true',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: ingressDlq, maxReceiveCount: 1 }),
  });
  const agentDlq = dlq(`${PREFIX}-agent-dlq`);
  aws.sqs.createQueue(`${PREFIX}-agent`, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: agentDlq, maxReceiveCount: 1 }) });
  // Another stage's queues must not be listed.
  const otherDlq = dlq('Omnichannel-itest2-agent-dlq');
  aws.sqs.createQueue('Omnichannel-itest2-agent', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: otherDlq, maxReceiveCount: 1 }) });

  // A WhatsApp message the normalizer kept failing on: it carries a customer's name, number and text.
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: aws.sqs.queueUrl(`${PREFIX}-ingress.fifo`),
      MessageGroupId: `wa:100000000000001:${CUSTOMER_NUMBER}`,
      MessageDeduplicationId: 'wamid.ops1',
      MessageBody: JSON.stringify({
        v: 1,
        kind: 'whatsapp.change',
        channel: 'whatsapp',
        conversationKey: `wa:100000000000001:${CUSTOMER_NUMBER}`,
        eventId: 'wamid.ops1',
        payload: {
          contacts: [{ profile: { name: CUSTOMER_NAME }, wa_id: CUSTOMER_NUMBER }],
          messages: [{ from: CUSTOMER_NUMBER, id: 'wamid.ops1', type: 'text', text: { body: CUSTOMER_TEXT } }],
        },
      }),
    }),
  );
  await failTwice(`${PREFIX}-ingress.fifo`);

  // An agent wake-up the agent failed on, and one EventBridge could not deliver (a missing queue).
  await sqs.send(new SendMessageCommand({ QueueUrl: aws.sqs.queueUrl(`${PREFIX}-agent`), MessageBody: JSON.stringify({ detail: { outboundId: 'o1' } }) }));
  await failTwice(`${PREFIX}-agent`);
  aws.events.createEventBus(`${PREFIX}-events`);
  const rule = aws.events.putRule(`${PREFIX}-events`, 'broken', { 'detail-type': ['message.received'] });
  aws.events.putTarget(rule, { id: 'gone', arn: aws.sqs.queueArn('deleted-queue'), deadLetterQueue: { arn: agentDlq } });
  await events.send(
    new PutEventsCommand({
      Entries: [{ EventBusName: `${PREFIX}-events`, Source: 'io.omnichannel.normalizer', DetailType: 'message.received', Detail: '{"v":1}' }],
    }),
  );
  await aws.events.settled();
  aws.events.removeTarget(rule, 'gone');
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  events?.destroy();
  await aws?.close();
});

describe('npm run redrive against the local AWS emulator', () => {
  it('lists the stage dead-letter queues with their depth and the age of their oldest message', async () => {
    const { code, out } = await run(runRedriveCommand, []);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`Dead-letter queues of ${PREFIX}:`);
    expect(lines.find((l) => l.trim().startsWith('agent '))).toMatch(/agent\s+2 waiting\s+0 in flight\s+oldest \d+s/);
    expect(lines.find((l) => l.trim().startsWith('ingress '))).toMatch(/ingress\s+1 waiting/);
    expect(out).not.toContain('itest2');
    // Looking for the age consumed nothing.
    expect(await depth(`${PREFIX}-agent-dlq`)).toEqual({ visible: 2, inFlight: 0 });
  });

  it('--inspect shows ids, receive counts and masked bodies, and leaves the messages where they were', async () => {
    const { code, out } = await run(runRedriveCommand, ['--inspect', 'ingress']);
    expect(code).toBe(0);
    expect(out).toContain('ingress dead-letter queue: 1 waiting, 0 in flight; showing 1 (left in the queue)');
    expect(out).toMatch(/- [0-9a-f-]{36}\s+received \d+×\s+sent 20\d\d-/);
    expect(out).toContain('failed in arn:aws:sqs:us-east-1:000000000000:Omnichannel-itest-ingress.fifo');
    expect(out).toContain('wamid.ops1');
    for (const personal of [CUSTOMER_NAME, CUSTOMER_NUMBER, CUSTOMER_TEXT]) expect(out).not.toContain(personal);
    expect(await depth(`${PREFIX}-ingress-dlq.fifo`)).toEqual({ visible: 1, inFlight: 0 });

    const agent = await run(runRedriveCommand, ['--inspect', 'agent']);
    expect(agent.out).toContain('ERROR_CODE: QueueDoesNotExist');
    expect(await depth(`${PREFIX}-agent-dlq`)).toEqual({ visible: 2, inFlight: 0 });
  });

  it('--redrive moves every message back to its queue, EventBridge failures included, and reports the finished task', async () => {
    const { code, out } = await run(runRedriveCommand, ['--redrive', 'agent']);
    expect(code).toBe(0);
    expect(out).toContain(
      `Moving 2 message(s) from arn:aws:sqs:us-east-1:000000000000:${PREFIX}-agent-dlq back to arn:aws:sqs:us-east-1:000000000000:${PREFIX}-agent`,
    );
    expect(out).toMatch(/COMPLETED: 2 of 2 moved/);
    expect(await depth(`${PREFIX}-agent-dlq`)).toEqual({ visible: 0, inFlight: 0 });
    expect(await depth(`${PREFIX}-agent`)).toEqual({ visible: 2, inFlight: 0 });

    const fifo = await run(runRedriveCommand, ['--redrive', 'Ingress']);
    expect(fifo.code).toBe(0);
    expect(await depth(`${PREFIX}-ingress.fifo`)).toEqual({ visible: 1, inFlight: 0 });
  });

  it('names the known queues when asked for one the stack does not have', async () => {
    const { code, err } = await run(runRedriveCommand, ['--inspect', 'billing']);
    expect(code).toBe(1);
    expect(err).toContain('No dead-letter queue "billing"; the stack has: agent, ingress');
  });
});

describe('npm run replay against the local AWS emulator', () => {
  it('replays the bus archive for the range to the bus rules and waits for the replay to complete', async () => {
    const busArn = aws.events.describeEventBus(`${PREFIX}-events`).arn;
    await events.send(
      new CreateArchiveCommand({ ArchiveName: 'EventArchive', EventSourceArn: busArn, EventPattern: JSON.stringify({ account: ['000000000000'] }) }),
    );
    aws.sqs.createQueue('replayed');
    await events.send(
      new PutRuleCommand({ EventBusName: `${PREFIX}-events`, Name: 'agent', EventPattern: JSON.stringify({ source: ['io.omnichannel.normalizer'] }) }),
    );
    await events.send(new PutTargetsCommand({ EventBusName: `${PREFIX}-events`, Rule: 'agent', Targets: [{ Id: 'q', Arn: aws.sqs.queueArn('replayed') }] }));
    const entry = (n: number, time: string) => ({
      EventBusName: `${PREFIX}-events`,
      Source: 'io.omnichannel.normalizer',
      DetailType: 'message.received',
      Detail: JSON.stringify({ n }),
      Time: new Date(time),
    });
    await events.send(
      new PutEventsCommand({ Entries: [entry(1, '2026-11-20T01:00:00Z'), entry(2, '2026-11-20T03:00:00Z'), entry(3, '2026-11-20T07:00:00Z')] }),
    );
    await aws.events.settled();
    // The originals, delivered when they were put.
    const originals = await sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.sqs.queueUrl('replayed'), MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
    expect(originals.Messages).toHaveLength(3);

    const { code, out, err } = await run(runReplayCommand, ['--from', '2026-11-20T00:00:00Z', '--to', '2026-11-20T06:00:00Z', '--name', 'itest-replay']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(`Replay itest-replay started from arn:aws:events:us-east-1:000000000000:archive/EventArchive to ${PREFIX}-events`);
    expect(out).toMatch(/COMPLETED, replayed up to 2026-11-20T03:00:00\.000Z/);

    await aws.events.settled();
    const replayed = await sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.sqs.queueUrl('replayed'), MaxNumberOfMessages: 10 }));
    const bodies = (replayed.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as { detail: { n: number }; 'replay-name'?: string });
    expect(bodies.map((b) => [b.detail.n, b['replay-name']])).toEqual([
      [1, 'itest-replay'],
      [2, 'itest-replay'],
    ]);
  });

  it('says so when the bus has no archive', async () => {
    aws.events.createEventBus('Omnichannel-noarchive-events');
    const out: string[] = [];
    const code = await runReplayCommand(
      ['--local', '--endpoint', aws.endpoint, '--stage', 'noarchive', '--from', '2026-11-20T00:00:00Z', '--to', '2026-11-20T06:00:00Z'],
      { out: (l) => out.push(l), err: (l) => out.push(l) },
    );
    expect(code).toBe(1);
    expect(out.join('\n')).toContain('Bus Omnichannel-noarchive-events has no archive to replay from');
  });
});
