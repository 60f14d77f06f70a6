import { describe, expect, it } from 'vitest';
import { ManualClock, settleEventLoop } from '#lib/local-cloud/aws/clock';
import type { CfnTemplate } from '#lib/local-cloud/template/cfn-template';
import { rateMs, readSchedules, startLocalSchedules } from '#lib/local-cloud/scheduled-invocations';

const TEMPLATE: CfnTemplate = {
  Resources: {
    Sweep: { Type: 'AWS::Lambda::Function', Properties: {} },
    SweepSchedule: {
      Type: 'AWS::Scheduler::Schedule',
      Properties: {
        ScheduleExpression: 'rate(15 minutes)',
        State: 'ENABLED',
        Target: { Arn: { 'Fn::GetAtt': ['Sweep', 'Arn'] }, RoleArn: 'x', Input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}' },
      },
    },
    // The daily export: a universal target (an AWS API), not a function; not run locally.
    Export: {
      Type: 'AWS::Scheduler::Schedule',
      Properties: { ScheduleExpression: 'cron(15 3 * * ? *)', Target: { Arn: 'arn:aws:scheduler:::aws-sdk:dynamodb:exportTableToPointInTime' } },
    },
    Paused: {
      Type: 'AWS::Scheduler::Schedule',
      Properties: { ScheduleExpression: 'rate(1 hour)', State: 'DISABLED', Target: { Arn: { 'Fn::GetAtt': ['Sweep', 'Arn'] } } },
    },
  },
};

describe('scheduled functions in the local cloud', () => {
  it('reads the schedules that invoke one of the template functions on a rate', () => {
    expect(readSchedules(TEMPLATE)).toEqual([
      { logicalId: 'SweepSchedule', functionLogicalId: 'Sweep', everyMs: 900_000, input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}', enabled: true },
      { logicalId: 'Paused', functionLogicalId: 'Sweep', everyMs: 3_600_000, enabled: false },
    ]);
    expect([rateMs('rate(1 minute)'), rateMs('rate(2 days)'), rateMs('rate(0 minutes)'), rateMs('cron(0 * * * ? *)')]).toEqual([
      60_000,
      172_800_000,
      undefined,
      undefined,
    ]);
  });

  it('invokes on every tick with the context attributes filled in, one run at a time, until stopped', async () => {
    const clock = new ManualClock(Date.parse('2026-11-21T12:00:00.000Z'));
    const payloads: unknown[] = [];
    let finish: (() => void) | undefined;
    const schedules = startLocalSchedules({
      specs: readSchedules(TEMPLATE),
      clock,
      invoke: async (id, payload) => {
        payloads.push({ id, payload });
        await new Promise<void>((resolve) => (finish = resolve));
      },
    });
    await clock.advance(15 * 60_000);
    expect(payloads).toEqual([{ id: 'Sweep', payload: { scheduledTime: '2026-11-21T12:15:00Z' } }]);
    // Still running at the next tick: that tick is skipped.
    await clock.advance(15 * 60_000);
    expect(payloads).toHaveLength(1);
    finish!();
    await settleEventLoop();
    await clock.advance(15 * 60_000);
    expect(payloads).toEqual([
      { id: 'Sweep', payload: { scheduledTime: '2026-11-21T12:15:00Z' } },
      { id: 'Sweep', payload: { scheduledTime: '2026-11-21T12:45:00Z' } },
    ]);
    finish!();
    await schedules.stop();
    await clock.advance(60 * 60_000);
    expect(payloads).toHaveLength(2);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('scales rates for tests, fires on demand, and keeps ticking after a failed run', async () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    let calls = 0;
    const schedules = startLocalSchedules({
      specs: readSchedules(TEMPLATE),
      clock,
      intervalScale: 1 / 900,
      invoke: async () => {
        calls += 1;
        if (calls === 1) throw new Error('sweep failed');
        return 'ok';
      },
      onError: (_spec, err) => errors.push(err),
    });
    await clock.advance(1_000);
    expect(errors).toHaveLength(1);
    await clock.advance(1_000);
    expect(calls).toBe(2);
    expect(await schedules.runNow('SweepSchedule')).toBe('ok');
    await expect(schedules.runNow('Nope')).rejects.toThrow('no schedule Nope');
    await schedules.stop();
  });
});
