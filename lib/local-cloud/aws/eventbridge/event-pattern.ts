import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';

/**
 * EventBridge event patterns, evaluated the way the service does:
 * - a pattern is an object whose keys name event fields; an array lists acceptable values for a
 *   leaf field, a nested object descends into an object field; every key must match (AND);
 * - `$or` takes a list of sub-patterns, at least one of which must match;
 * - a leaf matches when any listed matcher matches; when the event field is an array, it matches
 *   when any element matches (arrays of objects: any one element must match the whole sub-pattern);
 * - matchers: exact string, number, boolean or null; `prefix`, `suffix` (either may wrap
 *   `equals-ignore-case`); `anything-but` (a value, a list, or `prefix`/`suffix`/`equals-ignore-case`/
 *   `wildcard`); `numeric` ranges; `exists`; `equals-ignore-case`; `wildcard`.
 * `exists` looks only at leaf values: a field holding an object or an empty array does not "exist".
 * `cidr` is not implemented; a pattern using it is rejected rather than silently never matching.
 */
export type EventPattern = { [key: string]: unknown };

export function invalidPattern(reason: string): AwsServiceError {
  return new AwsServiceError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);
}

type Scalar = string | number | boolean | null;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ------------------------------------------------------------------ validation

/** Parses (if given as text) and checks a pattern; throws InvalidEventPatternException like PutRule. */
export function parseEventPattern(input: string | EventPattern): EventPattern {
  let pattern: unknown = input;
  if (typeof input === 'string') {
    try {
      pattern = JSON.parse(input);
    } catch {
      throw invalidPattern('Filter is not an object');
    }
  }
  if (!isPlainObject(pattern)) throw invalidPattern('Filter is not an object');
  if (Object.keys(pattern).length === 0) throw invalidPattern('Empty pattern');
  validateObject(pattern, '');
  return pattern;
}

function validateObject(pattern: Record<string, unknown>, path: string): void {
  for (const [key, value] of Object.entries(pattern)) {
    const here = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
        throw invalidPattern(`$or at ${path || 'top level'} must be a list of at least two patterns`);
      }
      for (const sub of value as Record<string, unknown>[]) {
        if (Object.keys(sub).length === 0) throw invalidPattern('Empty objects are not allowed');
        validateObject(sub, path);
      }
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) throw invalidPattern(`Empty arrays are not allowed (at ${here})`);
      for (const m of value) validateMatcher(m, here);
    } else if (isPlainObject(value)) {
      if (Object.keys(value).length === 0) throw invalidPattern(`Empty objects are not allowed (at ${here})`);
      validateObject(value, here);
    } else {
      throw invalidPattern(`Match value must be String, number, true, false, or null (at ${here}); leaf values go in an array`);
    }
  }
}

function validateMatcher(m: unknown, here: string): void {
  if (m === null || typeof m === 'string' || typeof m === 'number' || typeof m === 'boolean') return;
  if (!isPlainObject(m)) throw invalidPattern(`Match value must be String, number, true, false, or null (at ${here})`);
  const keys = Object.keys(m);
  if (keys.length !== 1) throw invalidPattern(`An operator object takes exactly one key (at ${here})`);
  const op = keys[0] as string;
  const arg = m[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      if (typeof arg === 'string') return;
      if (isPlainObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') return;
      throw invalidPattern(`${op} match pattern must be a string (at ${here})`);
    case 'equals-ignore-case':
      if (typeof arg !== 'string') throw invalidPattern(`equals-ignore-case match pattern must be a string (at ${here})`);
      return;
    case 'wildcard':
      if (typeof arg !== 'string') throw invalidPattern(`wildcard match pattern must be a string (at ${here})`);
      wildcardToRegExp(arg);
      return;
    case 'exists':
      if (typeof arg !== 'boolean') throw invalidPattern(`exists match pattern must be either true or false (at ${here})`);
      return;
    case 'numeric':
      parseNumericRange(arg, here);
      return;
    case 'anything-but':
      validateAnythingBut(arg, here);
      return;
    case 'cidr':
      throw invalidPattern('cidr matching is not supported by the local emulator');
    default:
      throw invalidPattern(`Unrecognized match type ${op} (at ${here})`);
  }
}

function validateAnythingBut(arg: unknown, here: string): void {
  if (typeof arg === 'string' || typeof arg === 'number') return;
  if (Array.isArray(arg)) {
    if (arg.length === 0 || !arg.every((x) => typeof x === 'string' || typeof x === 'number')) {
      throw invalidPattern(`Inside anything but list, start|null|boolean is not supported (at ${here})`);
    }
    return;
  }
  if (isPlainObject(arg) && Object.keys(arg).length === 1) {
    const [op, v] = Object.entries(arg)[0] as [string, unknown];
    if ((op === 'prefix' || op === 'suffix') && typeof v === 'string' && v.length > 0) return;
    if (
      (op === 'equals-ignore-case' || op === 'wildcard') &&
      (typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')))
    ) {
      if (op === 'wildcard') for (const w of [v].flat() as string[]) wildcardToRegExp(w);
      return;
    }
  }
  throw invalidPattern(
    `Value of anything-but must be an array or single string/number value, or a prefix, suffix, equals-ignore-case or wildcard (at ${here})`,
  );
}

interface NumericRange {
  lower?: { value: number; inclusive: boolean };
  upper?: { value: number; inclusive: boolean };
  equals?: number;
}

function parseNumericRange(arg: unknown, here: string): NumericRange {
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) {
    throw invalidPattern(`Value of numeric must be an array of one or two comparisons (at ${here})`);
  }
  const range: NumericRange = {};
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const value = arg[i + 1];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidPattern(`Value of ${String(op)} must be a number (at ${here})`);
    if (op === '=' && arg.length === 2) range.equals = value;
    else if ((op === '>' || op === '>=') && !range.lower) range.lower = { value, inclusive: op === '>=' };
    else if ((op === '<' || op === '<=') && !range.upper) range.upper = { value, inclusive: op === '<=' };
    else throw invalidPattern(`Bad numeric range operator ${String(op)} (at ${here})`);
  }
  if (range.lower && range.upper && range.lower.value >= range.upper.value) {
    throw invalidPattern(`Bottom must be less than top (at ${here})`);
  }
  return range;
}

/** `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
function wildcardToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw invalidPattern(`Invalid escape in wildcard pattern ${pattern}`);
      source += `\\${next}`;
      i++;
    } else if (c === '*') {
      if (pattern[i + 1] === '*') throw invalidPattern(`Consecutive wildcard characters in ${pattern}`);
      source += '[\\s\\S]*';
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

// ------------------------------------------------------------------ matching

/** True when `event` (the full envelope: source, detail-type, detail...) matches `pattern`. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event);
}

function matchObject(pattern: Record<string, unknown>, value: unknown): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(sub as Record<string, unknown>[]).some((p) => matchObject(p, value))) return false;
      continue;
    }
    const field = isPlainObject(value) ? value[key] : undefined;
    const ok = Array.isArray(sub) ? matchLeaf(sub, field) : matchNested(sub as Record<string, unknown>, field);
    if (!ok) return false;
  }
  return true;
}

function matchNested(pattern: Record<string, unknown>, field: unknown): boolean {
  if (Array.isArray(field)) {
    if (field.length === 0) return matchObject(pattern, undefined);
    return field.some((el) => matchNested(pattern, el));
  }
  return matchObject(pattern, field);
}

function leafValues(field: unknown): Scalar[] {
  if (field === undefined) return [];
  const flat = Array.isArray(field) ? (field.flat(Infinity) as unknown[]) : [field];
  return flat.filter((v): v is Scalar => v === null || ['string', 'number', 'boolean'].includes(typeof v));
}

function matchLeaf(matchers: unknown[], field: unknown): boolean {
  const values = leafValues(field);
  return matchers.some((m) => matchOne(m, values));
}

function matchOne(m: unknown, values: Scalar[]): boolean {
  if (m === null || typeof m !== 'object') return values.some((v) => v === m);
  const [op, arg] = Object.entries(m as Record<string, unknown>)[0] as [string, unknown];
  const strings = values.filter((v): v is string => typeof v === 'string');
  switch (op) {
    case 'exists':
      return arg === true ? values.length > 0 : values.length === 0;
    case 'prefix':
      return strings.some((s) => affixMatches(s, arg, 'prefix'));
    case 'suffix':
      return strings.some((s) => affixMatches(s, arg, 'suffix'));
    case 'equals-ignore-case':
      return strings.some((s) => s.toLowerCase() === (arg as string).toLowerCase());
    case 'wildcard': {
      const re = wildcardToRegExp(arg as string);
      return strings.some((s) => re.test(s));
    }
    case 'numeric': {
      const range = parseNumericRange(arg, '');
      return values.some((v) => typeof v === 'number' && inRange(v, range));
    }
    case 'anything-but':
      return values.some((v) => anythingButMatches(v, arg));
    default:
      return false;
  }
}

function affixMatches(s: string, arg: unknown, kind: 'prefix' | 'suffix'): boolean {
  const ignoreCase = typeof arg === 'object' && arg !== null;
  const needle = ignoreCase ? String((arg as Record<string, unknown>)['equals-ignore-case']) : String(arg);
  const hay = ignoreCase ? s.toLowerCase() : s;
  const n = ignoreCase ? needle.toLowerCase() : needle;
  return kind === 'prefix' ? hay.startsWith(n) : hay.endsWith(n);
}

function inRange(v: number, r: NumericRange): boolean {
  if (r.equals !== undefined) return v === r.equals;
  if (r.lower && (r.lower.inclusive ? v < r.lower.value : v <= r.lower.value)) return false;
  if (r.upper && (r.upper.inclusive ? v > r.upper.value : v >= r.upper.value)) return false;
  return true;
}

function anythingButMatches(v: Scalar, arg: unknown): boolean {
  if (typeof arg === 'string' || typeof arg === 'number') return v !== arg;
  if (Array.isArray(arg)) return !arg.includes(v as string | number);
  const [op, inner] = Object.entries(arg as Record<string, unknown>)[0] as [string, unknown];
  // The string operators inside anything-but never match numbers, booleans or null.
  if (typeof v !== 'string') return false;
  switch (op) {
    case 'prefix':
      return !v.startsWith(inner as string);
    case 'suffix':
      return !v.endsWith(inner as string);
    case 'equals-ignore-case':
      return !([inner].flat() as string[]).some((x) => x.toLowerCase() === v.toLowerCase());
    case 'wildcard':
      return !([inner].flat() as string[]).some((x) => wildcardToRegExp(x).test(v));
    default:
      return false;
  }
}
