import { ENV } from '#lambdas/shared/event-contract';
import { DEFAULT_GRAPH_API_BASE_URL, GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { FinalError } from '#lambdas/shared/domain-error';

/**
 * Each handler's configuration is one schema of the environment variables it reads (kept in
 * lambdas/handlers/environment/<handler>.ts), read once when the module loads: a variable that is
 * missing or malformed fails the function's init with a message naming it, instead of an
 * `undefined` or `NaN` surfacing mid-message. The handler then reads only the parsed, typed object.
 * This module is the one place Lambda code reads `process.env` for our own settings
 * (test/unit/architecture/handler-environment.test.ts).
 *
 * The schema is a plain object of variables rather than zod: the webhook's bundle has a size budget
 * (lib/constructs/lambda-bundling.ts, BUNDLE_TARGETS) and carries no zod, whose smallest build
 * (zod/mini) would add about 21 KB to it for a few strings and numbers.
 *
 * A blank value counts as unset, so `.default(…)` applies to it as to a missing variable. Error
 * messages name variables, never their values.
 */
export class EnvironmentError extends FinalError {
  constructor(readonly problems: readonly string[]) {
    super(`The function's environment is not usable: ${problems.join('; ')}`);
    this.name = 'EnvironmentError';
  }
}

/** One variable of a schema: its value from the variable's text (undefined when unset). */
export interface VariableSpec<T> {
  resolve(text: string | undefined): T;
}

class NotSet extends Error {}

/** A variable that must be set; `.optional()` and `.default(…)` make it one that may be left out. */
export class Variable<T> implements VariableSpec<T> {
  constructor(private readonly read: (text: string) => T) {}

  resolve(text: string | undefined): T {
    if (text === undefined) throw new NotSet();
    return this.read(text);
  }

  optional(): VariableSpec<T | undefined> {
    return { resolve: (text) => (text === undefined ? undefined : this.read(text)) };
  }

  default(fallback: T): VariableSpec<T> {
    return { resolve: (text) => (text === undefined ? fallback : this.read(text)) };
  }
}

export type EnvironmentSchema = Readonly<Record<string, VariableSpec<unknown>>>;
export type Environment<S extends EnvironmentSchema> = { readonly [K in keyof S]: ReturnType<S[K]['resolve']> };

export function readEnvironment<S extends EnvironmentSchema>(schema: S, env: Readonly<Record<string, string | undefined>> = process.env): Environment<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    const text = env[name];
    try {
      values[name] = spec.resolve(text === undefined || text.trim() === '' ? undefined : text);
    } catch (err) {
      problems.push(err instanceof NotSet ? `${name} is not set` : `${name}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new EnvironmentError(problems);
  return values as Environment<S>;
}

const WHOLE_NUMBER = /^\s*\d+\s*$/;

/** The kinds of value our variables hold, each read from the variable's text. */
export const variable = {
  /** Any text: a name, an id, an ARN, a prefix. */
  text: (): Variable<string> => new Variable((text) => text),
  /** An http(s) URL: a queue, an endpoint, an API's base. */
  url: (): Variable<string> =>
    new Variable((text) => {
      const protocol = URL.canParse(text) ? new URL(text).protocol : undefined;
      if (protocol !== 'https:' && protocol !== 'http:') throw new Error('expected an http(s) URL');
      return text;
    }),
  /** A whole number, at least `min` (0 unless said). */
  wholeNumber: (min = 0): Variable<number> =>
    new Variable((text) => {
      const value = Number(text);
      if (!WHOLE_NUMBER.test(text) || !Number.isSafeInteger(value)) throw new Error('expected a whole number');
      if (value < min) throw new Error(`expected at least ${min}`);
      return value;
    }),
  /** `true` or `false`. */
  flag: (): Variable<boolean> =>
    new Variable((text) => {
      if (text !== 'true' && text !== 'false') throw new Error('expected true or false');
      return text === 'true';
    }),
  /** One of the values listed. */
  oneOf: <const T extends readonly string[]>(values: T): Variable<T[number]> =>
    new Variable((text) => {
      if (!values.includes(text)) throw new Error(`expected one of ${values.join(', ')}`);
      return text as T[number];
    }),
  /** Comma-separated values, at least one; blanks between commas are dropped. */
  list: (): Variable<string[]> =>
    new Variable((text) => {
      const values = text
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
      if (values.length === 0) throw new Error('expected at least one value');
      return values;
    }),
  /** JSON text, checked by `check` (which throws an Error saying what is wrong, without the value). */
  json: <T>(check: (value: unknown) => T): Variable<T> =>
    new Variable((text) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new Error('expected JSON');
      }
      return check(value);
    }),
} as const;

/**
 * Variables many functions read, spread into their schemas (`{ ...TABLE, ...BUS }`). The stack sets
 * them (lib/), except where a default stands for the deployed value.
 */
export const TABLE = { [ENV.tableName]: variable.text() } as const;
export const BUS = { [ENV.eventBusName]: variable.text() } as const;
/** Days a written item is kept (its TTL); the stack leaves the default. */
export const RETENTION = { [ENV.retentionDays]: variable.wholeNumber(1).default(400) } as const;
/** An event consumer's own queue, to bring a failed record back after its backoff (unset: the record's source ARN names it). */
export const OWN_QUEUE = { [ENV.queueUrl]: variable.url().optional() } as const;
/** Meta's Graph API host and version, overridable (the local cloud points at its simulator). */
export const GRAPH = {
  [ENV.graphApiBaseUrl]: variable.url().default(DEFAULT_GRAPH_API_BASE_URL),
  [ENV.graphApiVersion]: variable.text().default(GRAPH_API_VERSION),
} as const;
