/**
 * The JSON path subset EventBridge evaluates in InputPath, InputTransformer's InputPathsMap and
 * dynamic target parameters: `$`, dot notation (names may hold letters, digits, `_`, `-`, `/`,
 * `:` and `@`), array indices (`[0]`), bracketed names (`['a b']`) and the `*` wildcard. A path
 * through a wildcard yields the list of what it matched.
 */
type Segment = { kind: 'name'; name: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

export class JsonPathError extends Error {
  override name = 'JsonPathError';
}

const NAME = /^[A-Za-z0-9_\-/:@]+/;
/** A whole value that is a path, as dynamic target parameters are written (`$.detail.id`). */
export const DYNAMIC_PATH = /^\$(\.[\w/_-]+(\[(\d+|\*)\])*)*$/;

export function parseJsonPath(path: string): Segment[] {
  if (typeof path !== 'string' || !path.startsWith('$')) throw new JsonPathError(`${String(path)} is not a JSON path (it must start with $)`);
  if (path.length > 256) throw new JsonPathError('a JSON path is at most 256 characters');
  const segments: Segment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    if (rest.startsWith('.*')) {
      segments.push({ kind: 'wildcard' });
      rest = rest.slice(2);
    } else if (rest.startsWith('.')) {
      const match = NAME.exec(rest.slice(1));
      if (!match) throw new JsonPathError(`${path}: a name is expected after "."`);
      segments.push({ kind: 'name', name: match[0] });
      rest = rest.slice(1 + match[0].length);
    } else if (rest.startsWith('[*]')) {
      segments.push({ kind: 'wildcard' });
      rest = rest.slice(3);
    } else if (rest.startsWith('[')) {
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\['([^']*)'\]/.exec(rest) ?? /^\["([^"]*)"\]/.exec(rest);
      if (index) {
        segments.push({ kind: 'index', index: Number(index[1]) });
        rest = rest.slice(index[0].length);
      } else if (quoted) {
        segments.push({ kind: 'name', name: quoted[1] as string });
        rest = rest.slice(quoted[0].length);
      } else {
        throw new JsonPathError(`${path}: unsupported bracket expression`);
      }
    } else {
      throw new JsonPathError(`${path}: unexpected "${rest.charAt(0)}"`);
    }
  }
  return segments;
}

/** The value at `path` in `doc`; `found: false` when the path leads nowhere. */
export function readJsonPath(doc: unknown, path: string): { found: boolean; value: unknown } {
  const segments = parseJsonPath(path);
  let current: unknown[] = [doc];
  let multiple = false;
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      if (segment.kind === 'wildcard') {
        multiple = true;
        if (Array.isArray(value)) next.push(...value);
        else if (value !== null && typeof value === 'object') next.push(...Object.values(value));
      } else if (segment.kind === 'index') {
        if (Array.isArray(value) && segment.index < value.length) next.push(value[segment.index]);
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, segment.name)) {
        next.push((value as Record<string, unknown>)[segment.name]);
      }
    }
    current = next;
  }
  if (multiple) return { found: current.length > 0, value: current };
  return current.length === 0 ? { found: false, value: undefined } : { found: true, value: current[0] };
}

/** A target parameter that is wholly a JSON path (`$.detail.id`) takes the event's value there (empty when absent); anything else is literal. */
export function resolveDynamicPath(value: string, event: unknown): string {
  if (!DYNAMIC_PATH.test(value)) return value;
  const { found, value: v } = readJsonPath(event, value);
  if (!found || v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
