import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';

export interface LocalFunctionSpec {
  logicalId: string;
  functionName: string;
  /** Absolute path of the bundled ESM module (from the cloud assembly). */
  modulePath: string;
  exportName: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  /** Execution environments that may run at once (reserved concurrency, or a local default). */
  concurrency: number;
}

export class LambdaInvocationError extends Error {
  override name = 'LambdaInvocationError';
  constructor(
    message: string,
    readonly errorType: string,
    readonly remoteStack?: string,
  ) {
    super(message);
  }
}

/** Receives every line a function writes to stdout/stderr (its CloudWatch log stream, locally). */
export type LogSink = (functionName: string, line: string) => void;

/**
 * Decides, per invocation, whether to crash it before it runs (fault injection for local chaos
 * runs only; never part of the deployed code).
 */
/**
 * Local-only crash injection, asked once per invocation: `true` or `'before'` crashes the
 * execution environment before the handler runs; `'after'` lets the handler run to the end and
 * then fails the invocation, as a crash between its last write and its answer would (the event
 * source then redelivers work that was already done).
 */
export type FaultInjector = (functionName: string) => boolean | 'before' | 'after';

interface Instance {
  worker: Worker;
  busy: boolean;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  instance: Instance;
}

/**
 * Runs one function's bundle in worker threads, each with the environment variables the
 * template gives that function. Invocations beyond `concurrency` wait, as throttled Lambda
 * invocations from an event source do; a timeout kills the instance, as Lambda does.
 */
export class FunctionPool {
  private readonly idle: Instance[] = [];
  private readonly all = new Set<Instance>();
  private readonly waiting: Array<(i: Instance) => void> = [];
  private readonly pending = new Map<string, Pending>();
  invocations = 0;
  errors = 0;
  /** Milliseconds spent running invocations (billed duration, before rounding). */
  busyMs = 0;
  maxDurationMs = 0;
  /** Milliseconds invocations waited for a free execution environment (local throttling). */
  waitMs = 0;
  private closed = false;

  constructor(
    readonly spec: LocalFunctionSpec,
    private readonly logSink: LogSink,
    private readonly faults?: FaultInjector,
  ) {}

  async invoke<T = unknown>(event: unknown): Promise<T> {
    if (this.closed) throw new Error(`${this.spec.functionName} is stopped`);
    const queuedAt = performance.now();
    const instance = await this.acquire();
    const startedAt = performance.now();
    this.waitMs += startedAt - queuedAt;
    this.invocations++;
    const id = randomUUID();
    try {
      const fault = this.faults?.(this.spec.functionName);
      if (fault === true || fault === 'before') {
        throw new LambdaInvocationError('Injected fault: the execution environment crashed', 'Runtime.InjectedFault');
      }
      const result = await new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          this.discard(instance);
          reject(new LambdaInvocationError(`Task timed out after ${this.spec.timeoutSeconds} seconds`, 'Sandbox.Timedout'));
        }, this.spec.timeoutSeconds * 1000);
        this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, instance });
        instance.worker.postMessage({ id, event: structuredClone(event), requestId: id });
      });
      if (fault === 'after') {
        throw new LambdaInvocationError('Injected fault: the execution environment crashed after the handler ran', 'Runtime.InjectedFault');
      }
      return result;
    } catch (err) {
      this.errors++;
      this.logInvokeError(id, err);
      throw err;
    } finally {
      const duration = performance.now() - startedAt;
      this.busyMs += duration;
      this.maxDurationMs = Math.max(this.maxDurationMs, duration);
      this.release(instance);
    }
  }

  /**
   * As Lambda's runtime does, a failed invocation leaves a line in the function's log: the error's
   * type and message (the stack stays out, as it would in a JSON-format log without a handler catch).
   */
  private logInvokeError(requestId: string, err: unknown): void {
    const e = err as { name?: string; errorType?: string; message?: string };
    const line = JSON.stringify({
      timestamp: new Date().toISOString(),
      level: 'ERROR',
      requestId,
      message: 'Invoke Error',
      errorType: e?.errorType ?? e?.name ?? 'Error',
      errorMessage: String(e?.message ?? err).slice(0, 300),
    });
    this.logSink(this.spec.functionName, line);
  }

  stats(): { invocations: number; errors: number; busyMs: number; maxDurationMs: number; waitMs: number } {
    return { invocations: this.invocations, errors: this.errors, busyMs: this.busyMs, maxDurationMs: this.maxDurationMs, waitMs: this.waitMs };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((i) => i.worker.terminate()));
    this.all.clear();
  }

  private acquire(): Promise<Instance> {
    const ready = this.idle.pop();
    if (ready) {
      ready.busy = true;
      return Promise.resolve(ready);
    }
    if (this.all.size < this.spec.concurrency) {
      const created = this.spawn();
      created.busy = true;
      return Promise.resolve(created);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(instance: Instance): void {
    if (!this.all.has(instance)) {
      // The instance died (timeout or crash); let a waiter create a fresh one.
      const next = this.waiting.shift();
      if (next) {
        const created = this.spawn();
        created.busy = true;
        next(created);
      }
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      next(instance);
      return;
    }
    instance.busy = false;
    this.idle.push(instance);
  }

  private spawn(): Instance {
    const worker = new Worker(new URL('./lambda-worker.mjs', import.meta.url), {
      workerData: {
        modulePath: this.spec.modulePath,
        exportName: this.spec.exportName,
        functionName: this.spec.functionName,
        memoryMb: this.spec.memoryMb,
        timeoutMs: this.spec.timeoutSeconds * 1000,
      },
      env: this.spec.environment,
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(128, this.spec.memoryMb) },
    });
    const instance: Instance = { worker, busy: false };
    this.all.add(instance);
    for (const stream of [worker.stdout, worker.stderr]) {
      createInterface({ input: stream }).on('line', (line) => this.logSink(this.spec.functionName, line));
    }
    worker.on('message', (msg: { id: string; ok: boolean; result?: unknown; error?: { name: string; message: string; stack?: string } }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new LambdaInvocationError(msg.error?.message ?? 'error', msg.error?.name ?? 'Error', msg.error?.stack));
    });
    worker.on('error', (err) => this.fail(instance, err));
    worker.on('exit', (code) => this.fail(instance, new Error(`execution environment exited with code ${code}`)));
    return instance;
  }

  private fail(instance: Instance, err: Error): void {
    this.all.delete(instance);
    const i = this.idle.indexOf(instance);
    if (i >= 0) this.idle.splice(i, 1);
    for (const [id, p] of this.pending) {
      if (p.instance !== instance) continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new LambdaInvocationError(err.message, 'Runtime.ExitError'));
    }
  }

  private discard(instance: Instance): void {
    this.all.delete(instance);
    void instance.worker.terminate();
  }
}
