import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '#lib/local-cloud/aws/clock';
import { type CfnTemplate, resourcesOfType } from '#lib/local-cloud/template/cfn-template';
import { referencedLogicalId } from '#lib/local-cloud/template/read-topology';

/** An EventBridge Scheduler schedule whose target is one of the template's functions. */
export interface ScheduleSpec {
  logicalId: string;
  functionLogicalId: string;
  /** How often it fires (`rate(...)` expressions only). */
  everyMs: number;
  /** The target's `Input` as the template has it (context attributes not yet filled in). */
  input?: string;
  enabled: boolean;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

/** `rate(15 minutes)` → 900000; cron, at() and anything else → undefined (not run locally). */
export function rateMs(expression: string): number | undefined {
  const m = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  return value > 0 ? value * UNIT_MS[m[2]!]! : undefined;
}

/**
 * The template's `AWS::Scheduler::Schedule` resources that invoke one of its Lambda functions on a
 * rate. Schedules with a universal target (the daily DynamoDB export calls an AWS API) and cron or
 * one-time expressions are not run locally.
 */
export function readSchedules(template: CfnTemplate): ScheduleSpec[] {
  return resourcesOfType(template, 'AWS::Scheduler::Schedule').flatMap(([logicalId, r]) => {
    const p = r.Properties ?? {};
    const functionLogicalId = referencedLogicalId(p.Target?.Arn);
    if (!functionLogicalId || template.Resources[functionLogicalId]?.Type !== 'AWS::Lambda::Function') return [];
    const everyMs = typeof p.ScheduleExpression === 'string' ? rateMs(p.ScheduleExpression) : undefined;
    if (everyMs === undefined) return [];
    return [
      {
        logicalId,
        functionLogicalId,
        everyMs,
        ...(typeof p.Target?.Input === 'string' ? { input: p.Target.Input } : {}),
        enabled: p.State !== 'DISABLED',
      },
    ];
  });
}

/** The payload EventBridge Scheduler sends: the input with its context attributes filled in. */
export function schedulePayload(spec: ScheduleSpec, scheduledAt: number, scheduleArn: string): unknown {
  if (spec.input === undefined) return {};
  const filled = spec.input
    .replaceAll('<aws.scheduler.scheduled-time>', new Date(Math.floor(scheduledAt / 1000) * 1000).toISOString().replace('.000Z', 'Z'))
    .replaceAll('<aws.scheduler.schedule-arn>', scheduleArn)
    .replaceAll('<aws.scheduler.execution-id>', randomBytes(8).toString('hex'))
    .replaceAll('<aws.scheduler.attempt-number>', '1');
  try {
    return JSON.parse(filled);
  } catch {
    return filled;
  }
}

export interface LocalSchedules {
  readonly specs: readonly ScheduleSpec[];
  /** Fires a schedule now (as its next tick would) and waits for the invocation. */
  runNow(logicalId: string): Promise<unknown>;
  stop(): Promise<void>;
}

export interface LocalSchedulesOptions {
  specs: readonly ScheduleSpec[];
  invoke(functionLogicalId: string, payload: unknown): Promise<unknown>;
  clock?: Clock;
  /** Test-only time compression: every rate multiplied by this. */
  intervalScale?: number;
  region?: string;
  accountId?: string;
  /** A failed run (the function's own log has the error); the next tick runs again, as the sweep expects. */
  onError?(spec: ScheduleSpec, err: unknown): void;
}

/**
 * Runs scheduled functions on their rate, as EventBridge Scheduler does in AWS: each tick invokes
 * the function with the schedule's input. A tick that finds the previous run of the same schedule
 * still going is skipped (Scheduler would start a second one; the functions it starts are safe
 * either way, and one machine is better served by one at a time).
 */
export function startLocalSchedules(options: LocalSchedulesOptions): LocalSchedules {
  const clock = options.clock ?? systemClock;
  const running = new Map<string, Promise<unknown>>();
  const cancels = new Map<string, () => void>();
  let stopped = false;
  const arnOf = (spec: ScheduleSpec) =>
    `arn:aws:scheduler:${options.region ?? 'us-east-1'}:${options.accountId ?? '000000000000'}:schedule/default/${spec.logicalId}`;

  const fire = (spec: ScheduleSpec): Promise<unknown> => {
    const inFlight = running.get(spec.logicalId);
    if (inFlight) return inFlight;
    const run = options.invoke(spec.functionLogicalId, schedulePayload(spec, clock.now(), arnOf(spec))).finally(() => running.delete(spec.logicalId));
    running.set(spec.logicalId, run);
    return run;
  };

  for (const spec of options.specs) {
    if (!spec.enabled) continue;
    const every = Math.max(1, Math.round(spec.everyMs * (options.intervalScale ?? 1)));
    const tick = () => {
      if (stopped) return;
      fire(spec).catch((err: unknown) => options.onError?.(spec, err));
      cancels.set(spec.logicalId, clock.setTimer(every, tick));
    };
    cancels.set(spec.logicalId, clock.setTimer(every, tick));
  }

  return {
    specs: options.specs,
    runNow(logicalId) {
      const spec = options.specs.find((s) => s.logicalId === logicalId);
      if (!spec) return Promise.reject(new Error(`no schedule ${logicalId}`));
      return fire(spec);
    },
    async stop() {
      stopped = true;
      for (const cancel of cancels.values()) cancel();
      cancels.clear();
      await Promise.allSettled([...running.values()]);
    },
  };
}
