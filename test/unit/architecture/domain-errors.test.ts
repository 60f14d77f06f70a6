import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FinalError, isRetryable, RetryableError } from '#lambdas/shared/domain-error';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BASES = join('lambdas', 'shared', 'domain-error.ts');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface ErrorClass {
  file: string;
  name: string;
  parent: string;
}

const errorClasses: ErrorClass[] = sources(join(ROOT, 'lambdas'))
  .map((file) => relative(ROOT, file))
  .filter((file) => file !== BASES)
  .flatMap((file) =>
    [...readFileSync(join(ROOT, file), 'utf8').matchAll(/class ([A-Za-z]*Error) extends ([A-Za-z]+)/g)].map((m) => ({ file, name: m[1]!, parent: m[2]! })),
  );

describe('the project’s error classes', () => {
  it('finds them', () => {
    expect(errorClasses.length).toBeGreaterThan(20);
  });

  it('each declares its kind: RetryableError, FinalError, or another of the project’s errors', () => {
    const known = new Set(['RetryableError', 'FinalError', ...errorClasses.map((c) => c.name)]);
    const undeclared = errorClasses.filter((c) => !known.has(c.parent)).map((c) => `${c.file}: ${c.name} extends ${c.parent}`);
    expect(undeclared).toEqual([]);
  });

  it('live in their domain’s errors.ts (the adapters and shared helpers keep theirs)', () => {
    const elsewhere = errorClasses
      .filter((c) => !c.file.endsWith('/errors.ts') && !c.file.startsWith('lambdas/adapters/') && !c.file.startsWith('lambdas/shared/'))
      .map((c) => `${c.file}: ${c.name}`);
    expect(elsewhere).toEqual([]);
  });
});

describe('isRetryable', () => {
  class RaceLost extends RetryableError {}
  class Refused extends FinalError {}

  it('retries a RetryableError and not a FinalError', () => {
    expect(isRetryable(new RaceLost('lost'))).toBe(true);
    expect(isRetryable(new Refused('no'))).toBe(false);
  });

  it('retries what it does not know, as the consumers do today', () => {
    expect(isRetryable(new Error('boom'))).toBe(true);
    expect(isRetryable(undefined)).toBe(true);
    expect(isRetryable('a string')).toBe(true);
  });

  it('names the error after its class and keeps the message and cause', () => {
    const cause = new Error('underneath');
    const err = new Refused('no', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('Refused');
    expect(err.message).toBe('no');
    expect(err.cause).toBe(cause);
    expect(err.retryable).toBe(false);
    expect(new RaceLost().retryable).toBe(true);
  });

  it('follows an error that decides per failure', () => {
    class Answered extends RetryableError {
      constructor(private readonly transient: boolean) {
        super('answered');
      }
      override get retryable(): boolean {
        return this.transient;
      }
    }
    expect(isRetryable(new Answered(false))).toBe(false);
    expect(isRetryable(new Answered(true))).toBe(true);
  });
});
