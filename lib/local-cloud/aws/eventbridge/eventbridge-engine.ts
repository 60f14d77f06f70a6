import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '#lib/local-cloud/aws/clock';
import { AwsServiceError, isAwsServiceError } from '#lib/local-cloud/aws/aws-error';
import type { FaultInjector } from '#lib/local-cloud/aws/fault-injector';
import type { CallCounter } from '#lib/local-cloud/aws/call-counter';
import { matchesEventPattern, parseEventPattern, type EventPattern } from '#lib/local-cloud/aws/eventbridge/event-pattern';
import type { SqsEngine } from '#lib/local-cloud/aws/sqs/sqs-engine';

/** The event as EventBridge hands it to targets. */
export interface EventBridgeEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  'replay-name'?: string;
}

export interface PutEventsEntry {
  source?: string;
  detailType?: string;
  /** JSON text of an object, as in the API. */
  detail?: string;
  eventBusName?: string;
  resources?: string[];
  time?: Date | number | string;
  traceHeader?: string;
}

export type PutEventsResultEntry = { eventId: string } | { errorCode: string; errorMessage: string };

export interface RetryPolicy {
  /** 0 to 185; EventBridge's default for rule targets is 185. */
  maximumRetryAttempts?: number;
  /** 60 to 86,400 seconds; default 86,400 (24 hours). */
  maximumEventAgeInSeconds?: number;
}

export interface TargetSpec {
  id?: string;
  /** Target ARN: an SQS queue ARN, or any ARN naming an `invoke` target. */
  arn?: string;
  /** Shorthand for an SQS queue target in this emulator. */
  queueName?: string;
  /** Static MessageGroupId for a FIFO queue target (EventBridge's SqsParameters). */
  messageGroupId?: string;
  /**
   * A local function standing in for a Lambda target. A throw counts as a failed delivery and is
   * retried under the retry policy (set `maximumRetryAttempts: 2` to mimic Lambda's async retries).
   */
  invoke?: (event: EventBridgeEnvelope) => Promise<unknown>;
  retryPolicy?: RetryPolicy;
  deadLetterQueue?: { arn?: string; queueName?: string };
}

export interface RuleRef {
  busName: string;
  name: string;
  arn: string;
}

export interface DeliveryRecord {
  eventId: string;
  ruleArn: string;
  targetId: string;
  outcome: 'delivered' | 'retrying' | 'dead-lettered' | 'dropped';
  attempts: number;
  errorCode?: string;
}

interface Target extends Required<Pick<TargetSpec, 'id'>> {
  arn: string;
  spec: TargetSpec;
}

interface Rule extends RuleRef {
  pattern: EventPattern;
  enabled: boolean;
  targets: Map<string, Target>;
}

interface Bus {
  name: string;
  arn: string;
  rules: Map<string, Rule>;
}

interface ArchivedEvent {
  event: EventBridgeEnvelope;
  receivedAt: number;
}

interface Archive {
  name: string;
  busName: string;
  pattern: EventPattern | undefined;
  events: ArchivedEvent[];
}

const MAX_ENTRIES = 10;
/** 256 KB: the PutEvents request size limit, computed the way EventBridge documents it. */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;
const DEFAULT_RETRY: Required<RetryPolicy> = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 };
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 5 * 60_000;

export function eventBridgeValidationError(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}

/**
 * Buses, rules and targets in memory. PutEvents validates entries as EventBridge does and answers
 * per entry; each accepted event goes to every enabled rule whose pattern matches, and each of that
 * rule's targets receives the standard envelope. Failed deliveries are retried with exponential
 * back-off within the target's retry policy, then written to the target's dead-letter queue.
 */
export class EventBridgeEngine {
  readonly deliveries: DeliveryRecord[] = [];
  /** Events sent to a bus that does not exist: EventBridge accepts and drops them silently. */
  droppedForUnknownBus = 0;
  private readonly buses = new Map<string, Bus>();
  private readonly archives = new Map<string, Archive>();
  private readonly running = new Set<Promise<void>>();
  private readonly cancelRetries = new Set<() => void>();
  private readonly clock: Clock;
  private readonly region: string;
  private readonly accountId: string;
  private readonly sqs: SqsEngine;
  private readonly faults: FaultInjector | undefined;
  private readonly calls: CallCounter | undefined;
  private readonly random: () => number;

  constructor(options: {
    sqs: SqsEngine;
    clock?: Clock;
    region?: string;
    accountId?: string;
    faults?: FaultInjector;
    calls?: CallCounter;
    random?: () => number;
  }) {
    this.sqs = options.sqs;
    this.clock = options.clock ?? systemClock;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.faults = options.faults;
    this.calls = options.calls;
    this.random = options.random ?? Math.random;
    this.createEventBus('default');
  }

  createEventBus(name: string): { arn: string } {
    const existing = this.buses.get(name);
    if (existing) {
      if (name === 'default') return { arn: existing.arn };
      throw new AwsServiceError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    }
    if (!/^[A-Za-z0-9._\-/]{1,256}$/.test(name)) throw eventBridgeValidationError(`Event bus name ${name} is not valid.`);
    const bus: Bus = { name, arn: `arn:aws:events:${this.region}:${this.accountId}:event-bus/${name}`, rules: new Map() };
    this.buses.set(name, bus);
    return { arn: bus.arn };
  }

  /** Creates or replaces a rule (PutRule); the pattern is validated like the service does. */
  putRule(busName: string, ruleName: string, eventPattern: string | EventPattern, options: { enabled?: boolean } = {}): RuleRef {
    const bus = this.bus(busName);
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(ruleName)) throw eventBridgeValidationError(`Rule name ${ruleName} is not valid.`);
    const pattern = parseEventPattern(eventPattern);
    const arn =
      bus.name === 'default'
        ? `arn:aws:events:${this.region}:${this.accountId}:rule/${ruleName}`
        : `arn:aws:events:${this.region}:${this.accountId}:rule/${bus.name}/${ruleName}`;
    const existing = bus.rules.get(ruleName);
    const rule: Rule = {
      busName: bus.name,
      name: ruleName,
      arn,
      pattern,
      enabled: options.enabled ?? true,
      targets: existing?.targets ?? new Map(),
    };
    bus.rules.set(ruleName, rule);
    return { busName: bus.name, name: ruleName, arn };
  }

  deleteRule(busName: string, ruleName: string): void {
    const bus = this.bus(busName);
    const rule = bus.rules.get(ruleName);
    if (!rule) return;
    if (rule.targets.size > 0) {
      throw eventBridgeValidationError('Rule can\'t be deleted since it has targets.');
    }
    bus.rules.delete(ruleName);
  }

  /** Adds or replaces a target (PutTargets). `rule` is a RuleRef or the name of a rule on any bus. */
  putTarget(rule: RuleRef | string, target: TargetSpec): { id: string } {
    const r = this.findRule(rule);
    const arn = target.arn ?? (target.queueName !== undefined ? this.sqs.queueArn(target.queueName) : undefined);
    if (arn === undefined) throw eventBridgeValidationError('A target needs an Arn (or a queueName).');
    if (!arn.startsWith('arn:aws:sqs:') && !target.invoke) {
      throw eventBridgeValidationError(`Target ${arn}: only SQS queues and local invoke targets are emulated.`);
    }
    const retry = target.retryPolicy;
    if (retry?.maximumRetryAttempts !== undefined && (retry.maximumRetryAttempts < 0 || retry.maximumRetryAttempts > 185)) {
      throw eventBridgeValidationError('MaximumRetryAttempts must be between 0 and 185.');
    }
    if (retry?.maximumEventAgeInSeconds !== undefined && (retry.maximumEventAgeInSeconds < 60 || retry.maximumEventAgeInSeconds > 86_400)) {
      throw eventBridgeValidationError('MaximumEventAgeInSeconds must be between 60 and 86400.');
    }
    const id = target.id ?? `target-${r.targets.size + 1}`;
    r.targets.set(id, { id, arn, spec: target });
    return { id };
  }

  removeTarget(rule: RuleRef | string, targetId: string): void {
    this.findRule(rule).targets.delete(targetId);
  }

  /** PutEvents: request-level limits throw; per-entry problems are reported in the result, in order. */
  putEvents(entries: readonly PutEventsEntry[]): { failedEntryCount: number; entries: PutEventsResultEntry[] } {
    if (entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw eventBridgeValidationError(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${entries.length === 0 ? 'greater than or equal to 1' : 'less than or equal to 10'}`,
      );
    }
    const total = entries.reduce((sum, e) => sum + entrySize(e), 0);
    if (total > PUT_EVENTS_MAX_BYTES) throw eventBridgeValidationError('Total size of the entries in the request is over the limit.');
    const results: PutEventsResultEntry[] = [];
    let failed = 0;
    for (const entry of entries) {
      const problem = validateEntry(entry);
      if (problem) {
        failed++;
        results.push(problem);
        continue;
      }
      const envelope = this.envelope(entry);
      results.push({ eventId: envelope.id });
      this.route(entry.eventBusName ?? 'default', envelope);
    }
    return { failedEntryCount: failed, entries: results };
  }

  /** TestEventPattern. */
  testEventPattern(pattern: string | EventPattern, event: unknown): boolean {
    return matchesEventPattern(parseEventPattern(pattern), event);
  }

  /** Resolves once no delivery attempt is running (scheduled retries are not waited for). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Number of deliveries waiting for a retry. */
  pendingRetries(): number {
    return this.cancelRetries.size;
  }

  /** Stops scheduled retries (used when the emulator closes). */
  cancelPendingRetries(): void {
    for (const cancel of this.cancelRetries) cancel();
    this.cancelRetries.clear();
  }

  // ---------------------------------------------------------------- archive and replay

  /** Records every event reaching `busName` (or those matching `eventPattern`) for later replay. */
  createArchive(busName: string, archiveName: string, eventPattern?: string | EventPattern): void {
    this.bus(busName);
    if (this.archives.has(archiveName)) throw new AwsServiceError('ResourceAlreadyExistsException', `Archive ${archiveName} already exists.`);
    this.archives.set(archiveName, {
      name: archiveName,
      busName,
      pattern: eventPattern === undefined ? undefined : parseEventPattern(eventPattern),
      events: [],
    });
  }

  archivedEvents(archiveName: string): EventBridgeEnvelope[] {
    return this.archive(archiveName).events.map((a) => a.event);
  }

  /**
   * Sends archived events whose event time lies in [from, to) to the archive's bus again, marked with
   * `replay-name`, optionally only to the named rules. Replayed events are not archived a second time.
   */
  startReplay(input: { replayName: string; archiveName: string; from: Date; to: Date; ruleNames?: string[] }): { replayed: number } {
    const archive = this.archive(input.archiveName);
    if (input.from.getTime() >= input.to.getTime()) throw eventBridgeValidationError('EventStartTime must be before EventEndTime.');
    let replayed = 0;
    for (const { event } of archive.events) {
      const t = Date.parse(event.time);
      if (t < input.from.getTime() || t >= input.to.getTime()) continue;
      const copy: EventBridgeEnvelope = { ...event, 'replay-name': input.replayName };
      this.dispatch(archive.busName, copy, { ruleNames: input.ruleNames, archive: false });
      replayed++;
    }
    return { replayed };
  }

  private archive(name: string): Archive {
    const a = this.archives.get(name);
    if (!a) throw new AwsServiceError('ResourceNotFoundException', `Archive ${name} does not exist.`);
    return a;
  }

  // ---------------------------------------------------------------- routing and delivery

  private envelope(entry: PutEventsEntry): EventBridgeEnvelope {
    const time = entry.time === undefined ? new Date(this.clock.now()) : new Date(entry.time);
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.detailType as string,
      source: entry.source as string,
      account: this.accountId,
      // EventBridge writes event times to the second.
      time: (Number.isNaN(time.getTime()) ? new Date(this.clock.now()) : time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.region,
      resources: entry.resources ?? [],
      detail: JSON.parse(entry.detail as string) as Record<string, unknown>,
    };
  }

  private route(busRef: string, event: EventBridgeEnvelope): void {
    const busName = busRef.startsWith('arn:') ? busRef.slice(busRef.lastIndexOf('event-bus/') + 'event-bus/'.length) : busRef;
    if (!this.buses.has(busName)) {
      this.droppedForUnknownBus++;
      return;
    }
    this.dispatch(busName, event, { archive: true });
  }

  private dispatch(busName: string, event: EventBridgeEnvelope, options: { ruleNames?: string[] | undefined; archive: boolean }): void {
    const bus = this.bus(busName);
    if (options.archive) {
      for (const a of this.archives.values()) {
        if (a.busName === busName && (!a.pattern || matchesEventPattern(a.pattern, event))) {
          a.events.push({ event, receivedAt: this.clock.now() });
        }
      }
    }
    for (const rule of bus.rules.values()) {
      if (!rule.enabled) continue;
      if (options.ruleNames && !options.ruleNames.includes(rule.name)) continue;
      if (!matchesEventPattern(rule.pattern, event)) continue;
      for (const target of rule.targets.values()) {
        this.startAttempt({ rule, target, event, firstAttemptAt: this.clock.now(), attempts: 0 });
      }
    }
  }

  private startAttempt(d: PendingDelivery): void {
    const p = (async () => {
      // Deliveries happen after PutEvents has answered, as with the real service.
      await Promise.resolve();
      await this.attempt(d);
    })();
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  private async attempt(d: PendingDelivery): Promise<void> {
    d.attempts += 1;
    try {
      this.faults?.check('events.TargetDelivery');
      this.calls?.record('events', 'TargetDelivery');
      await this.deliver(d.target, d.event);
      this.log(d, 'delivered');
    } catch (err) {
      const { code, message } = describeError(err);
      const policy = { ...DEFAULT_RETRY, ...stripUndefined(d.target.spec.retryPolicy ?? {}) };
      const now = this.clock.now();
      const retriesDone = d.attempts - 1;
      if (!isRetryable(err)) {
        this.deadLetter(d, code, message, undefined);
        return;
      }
      if (retriesDone >= policy.maximumRetryAttempts) {
        this.deadLetter(d, code, message, 'MaximumRetryAttemptsExhausted');
        return;
      }
      const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retriesDone);
      const delay = Math.round(base / 2 + (this.random() * base) / 2);
      if (now + delay - d.firstAttemptAt > policy.maximumEventAgeInSeconds * 1000) {
        this.deadLetter(d, code, message, 'MaximumEventAgeExceeded');
        return;
      }
      this.log(d, 'retrying', code);
      const cancel = this.clock.setTimer(delay, () => {
        this.cancelRetries.delete(cancel);
        this.startAttempt(d);
      });
      this.cancelRetries.add(cancel);
    }
  }

  private async deliver(target: Target, event: EventBridgeEnvelope): Promise<void> {
    if (target.spec.invoke) {
      await target.spec.invoke(structuredClone(event));
      return;
    }
    const fifo = this.sqs.isFifo(target.arn);
    this.sqs.sendMessage(target.arn, {
      body: JSON.stringify(event),
      ...(target.spec.messageGroupId !== undefined ? { messageGroupId: target.spec.messageGroupId } : {}),
      // A FIFO target deduplicates on the event id, so a retried delivery is not enqueued twice.
      ...(fifo ? { messageDeduplicationId: event.id } : {}),
      senderId: 'AROAEVENTBRIDGE:events.amazonaws.com',
    });
  }

  /**
   * The dead-letter message is the event itself, with attributes saying which rule and target failed
   * and why, as EventBridge writes it. Without a dead-letter queue the event is dropped.
   */
  private deadLetter(d: PendingDelivery, code: string, message: string, exhausted: string | undefined): void {
    const dlq = d.target.spec.deadLetterQueue;
    const dlqRef = dlq?.arn ?? (dlq?.queueName !== undefined ? this.sqs.queueArn(dlq.queueName) : undefined);
    if (dlqRef === undefined) {
      this.log(d, 'dropped', code);
      return;
    }
    try {
      this.sqs.sendMessage(dlqRef, {
        body: JSON.stringify(d.event),
        messageAttributes: {
          RULE_ARN: { DataType: 'String', StringValue: d.rule.arn },
          TARGET_ARN: { DataType: 'String', StringValue: d.target.arn },
          ERROR_CODE: { DataType: 'String', StringValue: code },
          ERROR_MESSAGE: { DataType: 'String', StringValue: message.slice(0, 1024) || code },
          ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: { DataType: 'String', StringValue: exhausted } } : {}),
          RETRY_ATTEMPTS: { DataType: 'Number', StringValue: String(d.attempts - 1) },
        },
        senderId: 'AROAEVENTBRIDGE:events.amazonaws.com',
      });
      this.log(d, 'dead-lettered', code);
    } catch {
      this.log(d, 'dropped', code);
    }
  }

  private log(d: PendingDelivery, outcome: DeliveryRecord['outcome'], errorCode?: string): void {
    this.deliveries.push({
      eventId: d.event.id,
      ruleArn: d.rule.arn,
      targetId: d.target.id,
      outcome,
      attempts: d.attempts,
      ...(errorCode !== undefined ? { errorCode } : {}),
    });
  }

  private bus(name: string): Bus {
    const busName = name.startsWith('arn:') ? name.slice(name.lastIndexOf('event-bus/') + 'event-bus/'.length) : name;
    const bus = this.buses.get(busName);
    if (!bus) throw new AwsServiceError('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
    return bus;
  }

  private findRule(rule: RuleRef | string): Rule {
    if (typeof rule !== 'string') {
      const r = this.bus(rule.busName).rules.get(rule.name);
      if (!r) throw new AwsServiceError('ResourceNotFoundException', `Rule ${rule.name} does not exist on EventBus ${rule.busName}.`);
      return r;
    }
    const found = [...this.buses.values()].map((b) => b.rules.get(rule)).filter((r): r is Rule => r !== undefined);
    if (found.length === 0) throw new AwsServiceError('ResourceNotFoundException', `Rule ${rule} does not exist.`);
    if (found.length > 1) throw eventBridgeValidationError(`Rule name ${rule} exists on several buses; pass the RuleRef.`);
    return found[0] as Rule;
  }

  /** Looks a rule up by bus and name (for the wire API). */
  ruleRef(busName: string, ruleName: string): RuleRef {
    const r = this.bus(busName).rules.get(ruleName);
    if (!r) throw new AwsServiceError('ResourceNotFoundException', `Rule ${ruleName} does not exist on EventBus ${busName}.`);
    return { busName: r.busName, name: r.name, arn: r.arn };
  }
}

interface PendingDelivery {
  rule: Rule;
  target: Target;
  event: EventBridgeEnvelope;
  firstAttemptAt: number;
  attempts: number;
}

/** Entry size as EventBridge computes it: time, source, detail type, detail and resources. */
export function entrySize(e: PutEventsEntry): number {
  let size = e.time !== undefined ? 14 : 0;
  size += Buffer.byteLength(e.source ?? '') + Buffer.byteLength(e.detailType ?? '') + Buffer.byteLength(e.detail ?? '');
  for (const r of e.resources ?? []) size += Buffer.byteLength(r);
  return size;
}

function validateEntry(e: PutEventsEntry): PutEventsResultEntry | undefined {
  const required = (field: string) => ({
    errorCode: 'InvalidArgument',
    errorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
  });
  if (!e.source) return required('Source');
  if (!e.detailType) return required('DetailType');
  if (!e.detail) return required('Detail');
  if (e.source.startsWith('aws.')) return { errorCode: 'NotAuthorizedForSourceException', errorMessage: 'Not authorized for the source.' };
  if (e.source.length > 256) return { errorCode: 'InvalidArgument', errorMessage: 'Parameter Source is not valid. Reason: Source is too long.' };
  if (e.detailType.length > 128) {
    return { errorCode: 'InvalidArgument', errorMessage: 'Parameter DetailType is not valid. Reason: DetailType is too long.' };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(e.detail);
  } catch {
    return { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  }
  return undefined;
}

function describeError(err: unknown): { code: string; message: string } {
  if (isAwsServiceError(err)) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: err.name || 'Error', message: err.message };
  return { code: 'Error', message: String(err) };
}

const THROTTLING = new Set(['ThrottlingException', 'RequestThrottled', 'TooManyRequestsException', 'Throttling', 'SlowDown']);

/** Missing targets and other client errors go straight to the dead-letter queue; outages are retried. */
function isRetryable(err: unknown): boolean {
  if (isAwsServiceError(err)) return err.statusCode >= 500 || THROTTLING.has(err.code);
  return true;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
