import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '#lib/local-cloud/aws/clock';
import { AwsServiceError, isAwsServiceError } from '#lib/local-cloud/aws/aws-error';
import type { FaultInjector } from '#lib/local-cloud/aws/fault-injector';
import type { CallCounter } from '#lib/local-cloud/aws/call-counter';
import { matchesEventPattern, parseEventPattern, type EventPattern } from '#lib/local-cloud/aws/eventbridge/event-pattern';
import type { SqsEngine } from '#lib/local-cloud/aws/sqs/sqs-engine';
import type { SecretsEngine } from '#lib/local-cloud/aws/secrets/secrets-engine';
import {
  ApiDestinationInvoker,
  isApiDestinationArn,
  validateHttpParameters,
  type HttpParametersSpec,
} from '#lib/local-cloud/aws/eventbridge/api-destination-invoker';
import { ApiDestinationStore } from '#lib/local-cloud/aws/eventbridge/api-destinations';
import { ConnectionStore } from '#lib/local-cloud/aws/eventbridge/connections';
import { isTargetDeliveryError } from '#lib/local-cloud/aws/eventbridge/target-delivery-error';
import { resolveDynamicPath } from '#lib/local-cloud/aws/eventbridge/json-path';
import { renderTargetInput, validateTargetInput, type InputTransformerSpec } from '#lib/local-cloud/aws/eventbridge/target-input';

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
  /** Target ARN: an SQS queue ARN, an API destination ARN, or any ARN naming an `invoke` target. */
  arn?: string;
  /** The role EventBridge assumes to call the target; required for API destinations, as in the service. */
  roleArn?: string;
  /** Constant JSON text sent instead of the event (SQS and API destination targets). */
  input?: string;
  /** JSON path selecting the part of the event sent (SQS and API destination targets). */
  inputPath?: string;
  /** Variables from the event filled into a template (SQS and API destination targets). */
  inputTransformer?: InputTransformerSpec;
  /** Path, header and query parameters of an API destination call. */
  httpParameters?: HttpParametersSpec;
  /** Shorthand for an SQS queue target in this emulator. */
  queueName?: string;
  /** MessageGroupId of a FIFO or fair queue target (EventBridge's SqsParameters): literal, or a dynamic path into the event. */
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
  /** For API destinations: the HTTP status the endpoint answered this attempt, if it answered. */
  httpStatus?: number;
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
  arn: string;
  busName: string;
  pattern: EventPattern | undefined;
  /** The pattern as given, for DescribeArchive. */
  patternText: string | undefined;
  description: string | undefined;
  /** 0 means forever, as in the service. */
  retentionDays: number;
  creationTime: number;
  events: ArchivedEvent[];
}

export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface ArchiveDescription {
  name: string;
  arn: string;
  busArn: string;
  description: string | undefined;
  eventPattern: string | undefined;
  state: 'ENABLED';
  retentionDays: number;
  eventCount: number;
  sizeBytes: number;
  creationTime: number;
}

export interface ReplayDescription {
  name: string;
  arn: string;
  description: string | undefined;
  archiveArn: string;
  destinationArn: string;
  filterArns: string[] | undefined;
  eventStartTime: number;
  eventEndTime: number;
  state: ReplayState;
  stateReason: string | undefined;
  replayStartTime: number;
  replayEndTime: number | undefined;
  /** Event time of the last event replayed so far. */
  eventLastReplayedTime: number | undefined;
  /** Events sent to the bus again so far. */
  replayedCount: number;
}

export interface StartReplayInput {
  replayName: string;
  /** The archive's ARN (as StartReplay's EventSourceArn) or its name. */
  archive: string;
  from: Date;
  to: Date;
  /** The bus to replay to: it must be the archive's own bus (default). */
  destinationArn?: string;
  /** Rule ARNs on that bus; when given, only these rules receive the replayed events. */
  filterArns?: string[];
  description?: string;
}

const MAX_ENTRIES = 10;
/** 256 KB: the PutEvents request size limit, computed the way EventBridge documents it. */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;
const DEFAULT_RETRY: Required<RetryPolicy> = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 };
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 5 * 60_000;
/** "You can define up to five targets for each rule" (user guide, targets). */
const MAX_TARGETS_PER_RULE = 5;

export function eventBridgeValidationError(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}

/**
 * Buses, rules and targets in memory. PutEvents validates entries as EventBridge does and answers
 * per entry; each accepted event goes to every enabled rule whose pattern matches, and each of that
 * rule's targets receives the standard envelope (or what its input settings make of it): an SQS
 * queue, a local `invoke` function, or an API destination called over HTTP with its connection's
 * credentials, at no more than its rate limit. Failed deliveries are retried with exponential
 * back-off within the target's retry policy, then written to the target's dead-letter queue.
 */
export class EventBridgeEngine {
  readonly deliveries: DeliveryRecord[] = [];
  /** Events sent to a bus that does not exist: EventBridge accepts and drops them silently. */
  droppedForUnknownBus = 0;
  private readonly buses = new Map<string, Bus>();
  private readonly archives = new Map<string, Archive>();
  private readonly replays = new Map<string, ReplayDescription>();
  private readonly running = new Set<Promise<void>>();
  private readonly cancelRetries = new Set<() => void>();
  /** Attempts waiting for their API destination's rate limit. */
  private readonly cancelQueued = new Set<() => void>();
  /** Connections and API destinations (CreateConnection, CreateApiDestination...). */
  readonly connections: ConnectionStore;
  readonly apiDestinations: ApiDestinationStore;
  private readonly invoker: ApiDestinationInvoker;
  private readonly clock: Clock;
  private readonly region: string;
  private readonly accountId: string;
  private readonly sqs: SqsEngine;
  private readonly faults: FaultInjector | undefined;
  private readonly calls: CallCounter | undefined;
  private readonly random: () => number;

  constructor(options: {
    sqs: SqsEngine;
    /** Where connections keep their credentials (`events!connection/...` secrets); optional. */
    secrets?: SecretsEngine;
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
    const place = { clock: this.clock, region: this.region, accountId: this.accountId };
    this.connections = new ConnectionStore({ ...place, ...(options.secrets ? { secrets: options.secrets } : {}) });
    this.apiDestinations = new ApiDestinationStore({ ...place, connections: this.connections });
    this.invoker = new ApiDestinationInvoker({ connections: this.connections, destinations: this.apiDestinations, clock: this.clock, calls: this.calls });
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
      throw eventBridgeValidationError("Rule can't be deleted since it has targets.");
    }
    bus.rules.delete(ruleName);
  }

  /** Adds or replaces a target (PutTargets). `rule` is a RuleRef or the name of a rule on any bus. */
  putTarget(rule: RuleRef | string, target: TargetSpec): { id: string } {
    const r = this.findRule(rule);
    const arn = target.arn ?? (target.queueName !== undefined ? this.sqs.queueArn(target.queueName) : undefined);
    if (arn === undefined) throw eventBridgeValidationError('A target needs an Arn (or a queueName).');
    const apiDestination = isApiDestinationArn(arn);
    if (!arn.startsWith('arn:aws:sqs:') && !apiDestination && !target.invoke) {
      throw eventBridgeValidationError(`Target ${arn}: only SQS queues, API destinations and local invoke targets are emulated.`);
    }
    if (apiDestination && !target.invoke) {
      if (!target.roleArn) throw eventBridgeValidationError(`RoleArn is required for target arn ${arn}.`);
      if (!this.apiDestinations.byArn(arn)) throw eventBridgeValidationError(`Parameter ${arn} is not valid. Reason: the API destination does not exist.`);
    }
    validateTargetInput(target, target.id ?? arn);
    validateHttpParameters(target.httpParameters, target.id ?? arn);
    const retry = target.retryPolicy;
    if (retry?.maximumRetryAttempts !== undefined && (retry.maximumRetryAttempts < 0 || retry.maximumRetryAttempts > 185)) {
      throw eventBridgeValidationError('MaximumRetryAttempts must be between 0 and 185.');
    }
    if (retry?.maximumEventAgeInSeconds !== undefined && (retry.maximumEventAgeInSeconds < 60 || retry.maximumEventAgeInSeconds > 86_400)) {
      throw eventBridgeValidationError('MaximumEventAgeInSeconds must be between 60 and 86400.');
    }
    const id = target.id ?? `target-${r.targets.size + 1}`;
    if (!r.targets.has(id) && r.targets.size >= MAX_TARGETS_PER_RULE) {
      throw new AwsServiceError(
        'LimitExceededException',
        `The requested resource exceeds the maximum number allowed: ${MAX_TARGETS_PER_RULE} targets per rule.`,
      );
    }
    r.targets.set(id, { id, arn, spec: target });
    return { id };
  }

  removeTarget(rule: RuleRef | string, targetId: string): void {
    this.findRule(rule).targets.delete(targetId);
  }

  /** ListTargetsByRule: the targets as they were put, in the order they were first added. */
  listTargets(rule: RuleRef | string): Array<TargetSpec & { id: string; arn: string }> {
    return [...this.findRule(rule).targets.values()].map((t) => ({ ...t.spec, id: t.id, arn: t.arn }));
  }

  /** DescribeRule. */
  describeRule(busName: string, ruleName: string): RuleRef & { eventPattern: EventPattern; enabled: boolean } {
    const r = this.bus(busName).rules.get(ruleName);
    if (!r) throw new AwsServiceError('ResourceNotFoundException', `Rule ${ruleName} does not exist on EventBus ${busName}.`);
    return { busName: r.busName, name: r.name, arn: r.arn, eventPattern: r.pattern, enabled: r.enabled };
  }

  /** EnableRule / DisableRule: a disabled rule matches nothing. */
  setRuleEnabled(busName: string, ruleName: string, enabled: boolean): void {
    const r = this.bus(busName).rules.get(ruleName);
    if (!r) throw new AwsServiceError('ResourceNotFoundException', `Rule ${ruleName} does not exist on EventBus ${busName}.`);
    r.enabled = enabled;
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

  /**
   * Resolves once no delivery attempt and no connection authorization is running (scheduled
   * retries and attempts waiting for a rate limit are not waited for).
   */
  async settled(): Promise<void> {
    await this.connections.settled();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    await this.connections.settled();
  }

  /** Number of deliveries waiting for a retry. */
  pendingRetries(): number {
    return this.cancelRetries.size;
  }

  /** Number of API destination deliveries waiting for their destination's rate limit. */
  queuedByRateLimit(): number {
    return this.cancelQueued.size;
  }

  /** Stops scheduled retries and rate-limited attempts (used when the emulator closes). */
  cancelPendingRetries(): void {
    for (const cancel of [...this.cancelRetries, ...this.cancelQueued]) cancel();
    this.cancelRetries.clear();
    this.cancelQueued.clear();
  }

  // ---------------------------------------------------------------- archive and replay

  /**
   * Records every event reaching `busName` (or those matching `eventPattern`) for later replay
   * (CreateArchive). Events replayed from an archive are never archived again.
   */
  createArchive(
    busName: string,
    archiveName: string,
    eventPattern?: string | EventPattern,
    options: { description?: string; retentionDays?: number } = {},
  ): { arn: string; creationTime: number } {
    const bus = this.bus(busName);
    if (!/^[.\-_A-Za-z0-9]{1,48}$/.test(archiveName)) throw eventBridgeValidationError(`Archive name ${archiveName} is not valid.`);
    if (this.archives.has(archiveName)) throw new AwsServiceError('ResourceAlreadyExistsException', `Archive ${archiveName} already exists.`);
    const archive: Archive = {
      name: archiveName,
      arn: `arn:aws:events:${this.region}:${this.accountId}:archive/${archiveName}`,
      busName: bus.name,
      pattern: eventPattern === undefined ? undefined : parseEventPattern(eventPattern),
      patternText: eventPattern === undefined ? undefined : typeof eventPattern === 'string' ? eventPattern : JSON.stringify(eventPattern),
      description: options.description,
      retentionDays: options.retentionDays ?? 0,
      creationTime: this.clock.now(),
      events: [],
    };
    this.archives.set(archiveName, archive);
    return { arn: archive.arn, creationTime: archive.creationTime };
  }

  archivedEvents(archiveName: string): EventBridgeEnvelope[] {
    return this.archive(archiveName).events.map((a) => a.event);
  }

  describeArchive(archiveName: string): ArchiveDescription {
    return this.describe(this.archive(archiveName));
  }

  /** ListArchives: by name prefix and/or source bus ARN, in name order. */
  listArchives(filter: { namePrefix?: string; eventSourceArn?: string } = {}): ArchiveDescription[] {
    return [...this.archives.values()]
      .filter((a) => filter.namePrefix === undefined || a.name.startsWith(filter.namePrefix))
      .filter((a) => filter.eventSourceArn === undefined || this.bus(a.busName).arn === filter.eventSourceArn)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((a) => this.describe(a));
  }

  /**
   * Sends archived events whose event time lies in [from, to) to the archive's bus again, at once and
   * in event-time order, marked with `replay-name`, optionally only to the named rules. Returns how
   * many were sent. The replay is recorded as COMPLETED (DescribeReplay).
   */
  startReplay(input: { replayName: string; archiveName: string; from: Date; to: Date; ruleNames?: string[] }): { replayed: number } {
    const archive = this.archive(input.archiveName);
    const filterArns = input.ruleNames?.map((name) => this.ruleRef(archive.busName, name).arn);
    const replay = this.registerReplay({
      replayName: input.replayName,
      archive: archive.arn,
      from: input.from,
      to: input.to,
      ...(filterArns ? { filterArns } : {}),
    });
    this.runReplay(replay);
    return { replayed: replay.replayedCount };
  }

  /**
   * StartReplay as the service does it: validated and registered now (state STARTING), the events
   * sent right after the call answers (RUNNING, then COMPLETED). `settled()` waits for it.
   */
  beginReplay(input: StartReplayInput): ReplayDescription {
    const replay = this.registerReplay(input);
    const started = { ...replay };
    const p = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      this.runReplay(replay);
    })();
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return started;
  }

  describeReplay(replayName: string): ReplayDescription {
    const replay = this.replays.get(replayName);
    if (!replay) throw new AwsServiceError('ResourceNotFoundException', `Replay ${replayName} does not exist.`);
    return { ...replay };
  }

  /** ListReplays: newest first, by name prefix, state and/or archive ARN. */
  listReplays(filter: { namePrefix?: string; state?: string; eventSourceArn?: string } = {}): ReplayDescription[] {
    return [...this.replays.values()]
      .filter((r) => filter.namePrefix === undefined || r.name.startsWith(filter.namePrefix))
      .filter((r) => filter.state === undefined || r.state === filter.state)
      .filter((r) => filter.eventSourceArn === undefined || r.archiveArn === filter.eventSourceArn)
      .sort((a, b) => b.replayStartTime - a.replayStartTime)
      .map((r) => ({ ...r }));
  }

  /** CancelReplay: only a replay that has not finished can be cancelled. */
  cancelReplay(replayName: string): ReplayDescription {
    const replay = this.replays.get(replayName);
    if (!replay) throw new AwsServiceError('ResourceNotFoundException', `Replay ${replayName} does not exist.`);
    if (replay.state !== 'STARTING' && replay.state !== 'RUNNING') {
      throw new AwsServiceError('IllegalStatusException', `Replay ${replayName} is not in a state that can be cancelled.`);
    }
    replay.state = 'CANCELLED';
    replay.replayEndTime = this.clock.now();
    return { ...replay, state: 'CANCELLING' };
  }

  private registerReplay(input: StartReplayInput): ReplayDescription {
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(input.replayName)) throw eventBridgeValidationError(`Replay name ${input.replayName} is not valid.`);
    if (this.replays.has(input.replayName)) throw new AwsServiceError('ResourceAlreadyExistsException', `Replay ${input.replayName} already exists.`);
    const archive = input.archive.startsWith('arn:') ? [...this.archives.values()].find((a) => a.arn === input.archive) : this.archives.get(input.archive);
    if (!archive) throw new AwsServiceError('ResourceNotFoundException', `Archive ${input.archive} does not exist.`);
    const busArn = this.bus(archive.busName).arn;
    if (input.destinationArn !== undefined && input.destinationArn !== busArn) {
      throw eventBridgeValidationError('Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.');
    }
    const from = input.from.getTime();
    const to = input.to.getTime();
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
      throw eventBridgeValidationError('Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.');
    }
    const rules = this.bus(archive.busName).rules;
    for (const arn of input.filterArns ?? []) {
      if (![...rules.values()].some((r) => r.arn === arn)) {
        throw new AwsServiceError('ResourceNotFoundException', `Rule ${arn} does not exist on EventBus ${archive.busName}.`);
      }
    }
    const replay: ReplayDescription = {
      name: input.replayName,
      arn: `arn:aws:events:${this.region}:${this.accountId}:replay/${input.replayName}`,
      description: input.description,
      archiveArn: archive.arn,
      destinationArn: busArn,
      filterArns: input.filterArns,
      eventStartTime: from,
      eventEndTime: to,
      state: 'STARTING',
      stateReason: undefined,
      replayStartTime: this.clock.now(),
      replayEndTime: undefined,
      eventLastReplayedTime: undefined,
      replayedCount: 0,
    };
    this.replays.set(replay.name, replay);
    return replay;
  }

  private runReplay(replay: ReplayDescription): void {
    if (replay.state !== 'STARTING') return;
    const archive = [...this.archives.values()].find((a) => a.arn === replay.archiveArn);
    if (!archive) {
      replay.state = 'FAILED';
      replay.stateReason = 'The archive was deleted.';
      replay.replayEndTime = this.clock.now();
      return;
    }
    replay.state = 'RUNNING';
    const rules = this.bus(archive.busName).rules;
    const ruleNames = replay.filterArns?.map((arn) => [...rules.values()].find((r) => r.arn === arn)?.name ?? arn);
    const inRange = archive.events
      .map(({ event }) => ({ event, at: Date.parse(event.time) }))
      .filter(({ at }) => at >= replay.eventStartTime && at < replay.eventEndTime)
      .sort((a, b) => a.at - b.at);
    for (const { event, at } of inRange) {
      this.dispatch(archive.busName, { ...event, 'replay-name': replay.name }, { ruleNames, archive: false });
      replay.replayedCount += 1;
      replay.eventLastReplayedTime = at;
    }
    replay.state = 'COMPLETED';
    replay.replayEndTime = this.clock.now();
  }

  private describe(a: Archive): ArchiveDescription {
    return {
      name: a.name,
      arn: a.arn,
      busArn: this.bus(a.busName).arn,
      description: a.description,
      eventPattern: a.patternText,
      state: 'ENABLED',
      retentionDays: a.retentionDays,
      eventCount: a.events.length,
      sizeBytes: a.events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.event)), 0),
      creationTime: a.creationTime,
    };
  }

  private archive(name: string): Archive {
    const a = this.archives.get(name);
    if (!a) throw new AwsServiceError('ResourceNotFoundException', `Archive ${name} does not exist.`);
    return a;
  }

  /** DescribeEventBus. */
  describeEventBus(name: string): { name: string; arn: string } {
    const bus = this.bus(name);
    return { name: bus.name, arn: bus.arn };
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
        this.scheduleAttempt({ rule, target, event, firstAttemptAt: this.clock.now(), attempts: 0 });
      }
    }
  }

  /** An API destination attempt waits for a start its rate limit allows; other attempts start now. */
  private scheduleAttempt(d: PendingDelivery): void {
    const wait = this.isApiDestinationTarget(d.target) ? this.invoker.reserveStart(d.target.arn) - this.clock.now() : 0;
    if (wait <= 0) {
      this.startAttempt(d);
      return;
    }
    const cancel = this.clock.setTimer(wait, () => {
      this.cancelQueued.delete(cancel);
      this.startAttempt(d);
    });
    this.cancelQueued.add(cancel);
  }

  private isApiDestinationTarget(target: Target): boolean {
    return !target.spec.invoke && isApiDestinationArn(target.arn);
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
      const { httpStatus } = await this.deliver(d.rule, d.target, d.event);
      this.log(d, 'delivered', undefined, httpStatus);
    } catch (err) {
      const { code, message } = describeError(err);
      const httpStatus = isTargetDeliveryError(err) ? err.httpStatus : undefined;
      const policy = { ...DEFAULT_RETRY, ...stripUndefined(d.target.spec.retryPolicy ?? {}) };
      const now = this.clock.now();
      const retriesDone = d.attempts - 1;
      const retryAfter = isTargetDeliveryError(err) ? err.retryAfterMs : undefined;
      // A negative Retry-After asks EventBridge to stop retrying the event (user guide, API destinations).
      if (!isRetryable(err) || (retryAfter !== undefined && retryAfter < 0)) {
        this.deadLetter(d, code, message, undefined, httpStatus);
        return;
      }
      if (retriesDone >= policy.maximumRetryAttempts) {
        this.deadLetter(d, code, message, 'MaximumRetryAttempts', httpStatus);
        return;
      }
      const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retriesDone);
      // Of the back-off and the endpoint's Retry-After, EventBridge takes the more conservative.
      const delay = Math.max(Math.round(base / 2 + (this.random() * base) / 2), retryAfter ?? 0);
      if (now + delay - d.firstAttemptAt > policy.maximumEventAgeInSeconds * 1000) {
        this.deadLetter(d, code, message, 'MaximumEventAgeInSeconds', httpStatus);
        return;
      }
      this.log(d, 'retrying', code, httpStatus);
      const cancel = this.clock.setTimer(delay, () => {
        this.cancelRetries.delete(cancel);
        this.scheduleAttempt(d);
      });
      this.cancelRetries.add(cancel);
    }
  }

  private async deliver(rule: Rule, target: Target, event: EventBridgeEnvelope): Promise<{ httpStatus?: number }> {
    if (target.spec.invoke) {
      await target.spec.invoke(structuredClone(event));
      return {};
    }
    const payload = renderTargetInput(target.spec, event as unknown as Record<string, unknown>, rule, new Date(this.clock.now()).toISOString());
    if (isApiDestinationArn(target.arn)) {
      const { status } = await this.invoker.invoke({ targetArn: target.arn, payload, event, httpParameters: target.spec.httpParameters });
      return { httpStatus: status };
    }
    const fifo = this.sqs.isFifo(target.arn);
    // The group may be a dynamic path into the event (`$.detail.accountId`): a fair queue's tenant.
    const groupId = target.spec.messageGroupId !== undefined ? resolveDynamicPath(target.spec.messageGroupId, event) : undefined;
    this.sqs.sendMessage(target.arn, {
      body: payload,
      ...(groupId ? { messageGroupId: groupId } : {}),
      // A FIFO target deduplicates on the event id, so a retried delivery is not enqueued twice.
      ...(fifo ? { messageDeduplicationId: event.id } : {}),
      senderId: 'AROAEVENTBRIDGE:events.amazonaws.com',
    });
    return {};
  }

  /**
   * The dead-letter message is the event itself, with attributes saying which rule and target failed
   * and why, as EventBridge writes it. Without a dead-letter queue the event is dropped.
   */
  private deadLetter(d: PendingDelivery, code: string, message: string, exhausted: string | undefined, httpStatus?: number): void {
    const dlq = d.target.spec.deadLetterQueue;
    const dlqRef = dlq?.arn ?? (dlq?.queueName !== undefined ? this.sqs.queueArn(dlq.queueName) : undefined);
    if (dlqRef === undefined) {
      this.log(d, 'dropped', code, httpStatus);
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
          RETRY_ATTEMPTS: { DataType: 'String', StringValue: String(d.attempts - 1) },
        },
        senderId: 'AROAEVENTBRIDGE:events.amazonaws.com',
      });
      this.log(d, 'dead-lettered', code, httpStatus);
    } catch {
      this.log(d, 'dropped', code, httpStatus);
    }
  }

  private log(d: PendingDelivery, outcome: DeliveryRecord['outcome'], errorCode?: string, httpStatus?: number): void {
    this.deliveries.push({
      eventId: d.event.id,
      ruleArn: d.rule.arn,
      targetId: d.target.id,
      outcome,
      attempts: d.attempts,
      ...(errorCode !== undefined ? { errorCode } : {}),
      ...(httpStatus !== undefined ? { httpStatus } : {}),
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
  if (isTargetDeliveryError(err)) return err.retryable;
  if (isAwsServiceError(err)) return err.statusCode >= 500 || THROTTLING.has(err.code);
  return true;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
