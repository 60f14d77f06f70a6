import { describe, expect, it } from 'vitest';
import { LOCAL_STAGE } from '#lib/local-cloud/synthesize-local-assembly';
import { pickDeadLetterQueue, shortName, type DeadLetterQueue } from '#lib/operations/dead-letter-queues';
import { LOCAL_STAGE_NAME, resolveTarget } from '#lib/operations/operations-target';
import { formatAge, runRedriveCommand } from '#lib/operations/redrive-command';
import { runReplayCommand } from '#lib/operations/replay-command';
import { defaultReplayName, parseReplayRange, ReplayRequestError } from '#lib/operations/replay-archived-events';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('resolveTarget', () => {
  it('names the stack, queue prefix and bus after the stage, in AWS with the default credential chain', () => {
    const t = resolveTarget({ stage: 'prod' }, {});
    expect(t).toMatchObject({ stackName: 'Omnichannel-prod', queueNamePrefix: 'Omnichannel-prod-', eventBusName: 'Omnichannel-prod-events', local: false });
    expect(t.clientConfig).toEqual({});
  });

  it('locally defaults to the stage npm start runs and the emulator port', () => {
    expect(LOCAL_STAGE_NAME).toBe(LOCAL_STAGE);
    const t = resolveTarget({ local: true }, { AWS_EMULATOR_PORT: '4999' });
    expect(t.stackName).toBe('Omnichannel-local');
    expect(t.clientConfig).toMatchObject({ endpoint: 'http://localhost:4999', region: 'us-east-1' });
    expect(t.clientConfig.credentials?.accessKeyId).toBeTruthy();
    expect(resolveTarget({ local: true, stack: 'Other' }, {}).queueNamePrefix).toBe('Other-');
  });

  it('refuses a stage the stack could not have', () => {
    expect(() => resolveTarget({ stage: 'Prod!' }, {})).toThrow(/Invalid stage/);
  });
});

describe('dead-letter queue names', () => {
  const queue = (name: string, source: string): DeadLetterQueue => ({
    name,
    url: `http://q/000000000000/${source}-dlq`,
    arn: `arn:aws:sqs:us-east-1:000000000000:${source}-dlq`,
    sourceUrl: `http://q/000000000000/${source}`,
    sourceArn: `arn:aws:sqs:us-east-1:000000000000:${source}`,
    fifo: false,
    visible: 0,
    inFlight: 0,
  });
  const queues = [queue('agent', 'Omnichannel-dev-agent'), queue('outbound-send', 'Omnichannel-dev-outbound-send')];

  it('shortens queue names by the stack prefix and the FIFO suffix', () => {
    expect(shortName('Omnichannel-dev-ingress.fifo', 'Omnichannel-dev-')).toBe('ingress');
    expect(shortName('Omnichannel-dev-status-tracking', 'Omnichannel-dev-')).toBe('status-tracking');
  });

  it('are found by short name, PascalCase name or either full queue name', () => {
    expect(pickDeadLetterQueue(queues, 'outbound-send').name).toBe('outbound-send');
    expect(pickDeadLetterQueue(queues, 'OutboundSend').name).toBe('outbound-send');
    expect(pickDeadLetterQueue(queues, 'Omnichannel-dev-agent-dlq').name).toBe('agent');
    expect(pickDeadLetterQueue(queues, 'Omnichannel-dev-agent').name).toBe('agent');
    expect(() => pickDeadLetterQueue(queues, 'billing')).toThrow('No dead-letter queue "billing"; the stack has: agent, outbound-send');
  });
});

describe('replay range and name', () => {
  it('needs two ISO times in order', () => {
    expect(parseReplayRange('2026-11-21T00:00:00Z', '2026-11-21T06:00:00Z')).toEqual({
      from: new Date('2026-11-21T00:00:00Z'),
      to: new Date('2026-11-21T06:00:00Z'),
    });
    expect(() => parseReplayRange(undefined, '2026-11-21T06:00:00Z')).toThrow(ReplayRequestError);
    expect(() => parseReplayRange('yesterday', '2026-11-21T06:00:00Z')).toThrow('--from yesterday is not an ISO time');
    expect(() => parseReplayRange('2026-11-21T06:00:00Z', '2026-11-21T06:00:00Z')).toThrow('--from must be before --to');
  });

  it('names a replay within EventBridge rules', () => {
    const name = defaultReplayName(new Date('2026-11-21T00:00:00.000Z'), () => 0.5);
    expect(name).toBe('replay-20261121T000000-7fff');
    expect(name).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
  });
});

describe('command lines', () => {
  it('redrive: help, unknown options and contradictory actions end before any AWS call', async () => {
    const help = capture();
    expect(await runRedriveCommand(['--help'], help.io)).toBe(0);
    expect(help.out.join('\n')).toContain('--inspect <queue>');

    const unknown = capture();
    expect(await runRedriveCommand(['--purge', 'agent'], unknown.io)).toBe(2);
    expect(unknown.err.join('\n')).toContain("Unknown option '--purge'");

    const both = capture();
    expect(await runRedriveCommand(['--inspect', 'agent', '--redrive', 'agent'], both.io)).toBe(2);
    expect(await runRedriveCommand(['--inspect', 'agent', '--max', '0'], capture().io)).toBe(2);
  });

  it('replay: a missing or reversed range is refused before any AWS call', async () => {
    const missing = capture();
    expect(await runReplayCommand(['--from', '2026-11-21T00:00:00Z'], missing.io)).toBe(2);
    expect(missing.err.join('\n')).toContain('--from <ISO time> --to <ISO time>');
    expect(await runReplayCommand(['--from', '2026-11-21T06:00:00Z', '--to', '2026-11-21T00:00:00Z'], capture().io)).toBe(2);
  });

  it('says the local cloud may not be running when the emulator does not answer', async () => {
    const c = capture();
    expect(await runRedriveCommand(['--local', '--endpoint', 'http://127.0.0.1:9'], c.io)).toBe(1);
    expect(c.err.join('\n')).toContain('Is the local cloud running (npm start)?');
  });
});

describe('formatAge', () => {
  it('reads at a glance', () => {
    expect(formatAge(4_000)).toBe('4s');
    expect(formatAge(95_000)).toBe('1m 35s');
    expect(formatAge(2 * 3600_000 + 5 * 60_000)).toBe('2h 5m');
    expect(formatAge(190_000_000)).toBe('2d 4h');
  });
});
