import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';

export interface FaultSpec {
  /** Error name the caller sees, e.g. `ThrottlingException`, `InternalError`, `ServiceUnavailable`. */
  code: string;
  message?: string;
  /** 5xx and throttling errors are what the SDK and EventBridge retry; default 500. */
  statusCode?: number;
}

interface CountedFault extends FaultSpec {
  remaining: number;
}

interface RandomFault extends FaultSpec {
  probability: number;
}

/**
 * Makes chosen calls fail on purpose, keyed like the call counter (`sqs.SendMessageBatch`,
 * `events.PutEvents`, `events.TargetDelivery`...), so chaos runs can check that retries and
 * dead-letter queues do their job.
 */
export class FaultInjector {
  private counted = new Map<string, CountedFault[]>();
  private random = new Map<string, RandomFault>();

  constructor(private readonly rng: () => number = Math.random) {}

  /** The next `count` calls of `key` fail with `fault`. */
  failNext(key: string, fault: FaultSpec & { count?: number }): void {
    const list = this.counted.get(key) ?? [];
    list.push({ ...fault, remaining: fault.count ?? 1 });
    this.counted.set(key, list);
  }

  /** Each call of `key` fails with the given probability until cleared. */
  failRandomly(key: string, probability: number, fault: FaultSpec): void {
    if (!(probability >= 0 && probability <= 1)) throw new RangeError('probability must be within [0, 1]');
    this.random.set(key, { ...fault, probability });
  }

  clear(key?: string): void {
    if (key === undefined) {
      this.counted.clear();
      this.random.clear();
      return;
    }
    this.counted.delete(key);
    this.random.delete(key);
  }

  /** Throws the injected error if one is due for this call. */
  check(key: string): void {
    const list = this.counted.get(key);
    const next = list?.[0];
    if (list && next) {
      next.remaining -= 1;
      if (next.remaining <= 0) list.shift();
      if (list.length === 0) this.counted.delete(key);
      throw toError(next);
    }
    const random = this.random.get(key);
    if (random && this.rng() < random.probability) throw toError(random);
  }
}

function toError(fault: FaultSpec): AwsServiceError {
  return new AwsServiceError(fault.code, fault.message ?? `Injected fault: ${fault.code}`, {
    statusCode: fault.statusCode ?? 500,
  });
}
