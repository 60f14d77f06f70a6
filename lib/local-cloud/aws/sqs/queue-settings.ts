import { sqsErrors } from '#lib/local-cloud/aws/sqs/sqs-errors';

/** 1 MiB: the SQS maximum (and default) message size since August 2025, for one message and a whole batch. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface QueueSettings {
  fifo: boolean;
  contentBasedDeduplication: boolean;
  deduplicationScope: 'queue' | 'messageGroup';
  fifoThroughputLimit: 'perQueue' | 'perMessageGroupId';
  visibilityTimeoutSeconds: number;
  messageRetentionPeriodSeconds: number;
  delaySeconds: number;
  receiveMessageWaitTimeSeconds: number;
  maximumMessageSize: number;
  redrivePolicy: RedrivePolicy | undefined;
  /** Attributes kept only to be read back (encryption, access policy, redrive allow policy). */
  passthrough: Record<string, string>;
}

/** Attribute values may be given as the API strings or, programmatically, as numbers, booleans and objects. */
export type QueueAttributeInput = Record<string, string | number | boolean | object | undefined>;

const PASSTHROUGH = new Set(['Policy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled', 'RedriveAllowPolicy']);
const SETTABLE = new Set([
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'MaximumMessageSize',
  'RedrivePolicy',
  ...PASSTHROUGH,
]);

export function defaultQueueSettings(fifo: boolean): QueueSettings {
  return {
    fifo,
    contentBasedDeduplication: false,
    deduplicationScope: 'queue',
    fifoThroughputLimit: 'perQueue',
    visibilityTimeoutSeconds: 30,
    messageRetentionPeriodSeconds: 345_600,
    delaySeconds: 0,
    receiveMessageWaitTimeSeconds: 0,
    maximumMessageSize: SQS_MAX_MESSAGE_BYTES,
    redrivePolicy: undefined,
    passthrough: {},
  };
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function validateQueueName(name: string, fifo: boolean): void {
  const base = fifo ? name.replace(/\.fifo$/, '') : name;
  if (fifo !== name.endsWith('.fifo') || !QUEUE_NAME.test(base) || name.length > 80) {
    throw sqsErrors.invalidParameterValue(
      fifo
        ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
        : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
}

function asString(value: string | number | boolean | object): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function intInRange(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < min || n > max) {
    throw sqsErrors.invalidAttributeValue(`Invalid value for the parameter ${name}.`);
  }
  return n;
}

function bool(name: string, raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw sqsErrors.invalidAttributeValue(`Invalid value for the parameter ${name}.`);
}

function parseRedrivePolicy(raw: string): RedrivePolicy | undefined {
  if (raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw sqsErrors.invalidAttributeValue('Value for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.');
  }
  const p = parsed as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  const max = Number(p.maxReceiveCount);
  if (typeof p.deadLetterTargetArn !== 'string' || !p.deadLetterTargetArn.startsWith('arn:')) {
    throw sqsErrors.invalidAttributeValue('Value for parameter RedrivePolicy is invalid. Reason: Dead-letter target ARN is missing or invalid.');
  }
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw sqsErrors.invalidAttributeValue(
      'Value for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: must be an integer from 1 to 1000.',
    );
  }
  return { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: max };
}

/** Applies attribute changes to settings, rejecting unknown names and out-of-range values as SQS does. */
export function applyQueueAttributes(current: QueueSettings, input: QueueAttributeInput, creating: boolean): QueueSettings {
  const next: QueueSettings = { ...current, passthrough: { ...current.passthrough } };
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (!SETTABLE.has(name)) throw sqsErrors.invalidAttributeName(name);
    const raw = asString(value);
    switch (name) {
      case 'FifoQueue':
        if (!creating && bool(name, raw) !== current.fifo) {
          throw sqsErrors.invalidAttributeName(name);
        }
        next.fifo = bool(name, raw);
        break;
      case 'ContentBasedDeduplication':
        next.contentBasedDeduplication = bool(name, raw);
        break;
      case 'DeduplicationScope':
        if (raw !== 'queue' && raw !== 'messageGroup') throw sqsErrors.invalidAttributeValue(`Invalid value for the parameter ${name}.`);
        next.deduplicationScope = raw;
        break;
      case 'FifoThroughputLimit':
        if (raw !== 'perQueue' && raw !== 'perMessageGroupId') throw sqsErrors.invalidAttributeValue(`Invalid value for the parameter ${name}.`);
        next.fifoThroughputLimit = raw;
        break;
      case 'VisibilityTimeout':
        next.visibilityTimeoutSeconds = intInRange(name, raw, 0, 43_200);
        break;
      case 'MessageRetentionPeriod':
        next.messageRetentionPeriodSeconds = intInRange(name, raw, 60, 1_209_600);
        break;
      case 'DelaySeconds':
        next.delaySeconds = intInRange(name, raw, 0, 900);
        break;
      case 'ReceiveMessageWaitTimeSeconds':
        next.receiveMessageWaitTimeSeconds = intInRange(name, raw, 0, 20);
        break;
      case 'MaximumMessageSize':
        next.maximumMessageSize = intInRange(name, raw, 1024, SQS_MAX_MESSAGE_BYTES);
        break;
      case 'RedrivePolicy':
        next.redrivePolicy = parseRedrivePolicy(raw);
        break;
      default:
        next.passthrough[name] = raw;
    }
  }
  const fifoOnly = ['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'];
  if (!next.fifo && fifoOnly.some((n) => input[n] !== undefined)) {
    const bad = fifoOnly.find((n) => input[n] !== undefined) as string;
    throw sqsErrors.invalidAttributeName(bad);
  }
  return next;
}

/** The configurable attributes as GetQueueAttributes reports them. */
export function settingsToAttributes(s: QueueSettings): Record<string, string> {
  const out: Record<string, string> = {
    VisibilityTimeout: String(s.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(s.messageRetentionPeriodSeconds),
    DelaySeconds: String(s.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(s.receiveMessageWaitTimeSeconds),
    MaximumMessageSize: String(s.maximumMessageSize),
    ...s.passthrough,
  };
  if (s.redrivePolicy) out.RedrivePolicy = JSON.stringify(s.redrivePolicy);
  if (s.fifo) {
    out.FifoQueue = 'true';
    out.ContentBasedDeduplication = String(s.contentBasedDeduplication);
    out.DeduplicationScope = s.deduplicationScope;
    out.FifoThroughputLimit = s.fifoThroughputLimit;
  }
  return out;
}

/** Same configuration, as CreateQueue judges "same name, different attributes". */
export function sameSettings(a: QueueSettings, b: QueueSettings): boolean {
  const render = (s: QueueSettings) => JSON.stringify(Object.entries(settingsToAttributes(s)).sort(([x], [y]) => (x < y ? -1 : 1)));
  return render(a) === render(b);
}
