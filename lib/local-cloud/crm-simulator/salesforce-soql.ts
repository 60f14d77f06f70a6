/**
 * The part of SOQL the simulator answers: one object, selected fields, a WHERE of comparisons
 * joined by AND / OR / NOT with parentheses, ORDER BY one field, LIMIT.
 *
 *   SELECT Id, Name FROM Contact WHERE Omnichannel_Contact_Id__c = 'c_1' OR (Phone = '+5511…' AND NOT LastName = 'x') ORDER BY CreatedDate ASC LIMIT 10
 *
 * String literals follow SOQL's rules: single quotes, and inside them only the escapes `\n \r \t
 * \b \f \" \' \\` (and `\_ \%` for LIKE). Anything else is MALFORMED_QUERY, as Salesforce answers:
 * a value that was pasted into a query without escaping fails here the way it would there, and a
 * value that was escaped stays a value.
 */

export class SoqlError extends Error {
  readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE';

  constructor(errorCode: SoqlError['errorCode'], message: string) {
    super(message);
    this.name = 'SoqlError';
    this.errorCode = errorCode;
  }
}

type Literal = string | number | boolean | null;

type Token =
  | { kind: 'ident'; value: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; value: number; at: number }
  | { kind: 'op'; value: string; at: number }
  | { kind: 'punct'; value: '(' | ')' | ','; at: number };

export type Condition =
  | { kind: 'and' | 'or'; parts: Condition[] }
  | { kind: 'not'; part: Condition }
  | { kind: 'compare'; field: string; op: string; value: Literal }
  | { kind: 'in'; field: string; values: Literal[]; negated: boolean }
  | { kind: 'like'; field: string; pattern: string };

export interface SoqlQuery {
  fields: string[];
  object: string;
  where?: Condition;
  orderBy?: { field: string; descending: boolean };
  limit?: number;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\', _: '\\_', '%': '\\%' };
const KEYWORDS = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'ORDER',
  'BY',
  'ASC',
  'DESC',
  'LIMIT',
  'IN',
  'LIKE',
  'NULLS',
  'FIRST',
  'LAST',
  'TRUE',
  'FALSE',
  'NULL',
]);

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= soql.length) throw new SoqlError('MALFORMED_QUERY', `unterminated string literal starting at column ${start + 1}`);
        const ch = soql[i]!;
        if (ch === "'") break;
        if (ch === '\\') {
          const next = soql[i + 1];
          const escaped = next === undefined ? undefined : ESCAPES[next];
          if (escaped === undefined) throw new SoqlError('MALFORMED_QUERY', `Invalid string literal at column ${start + 1}: illegal escape sequence`);
          value += escaped;
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', value, at: start });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < soql.length && /[A-Za-z0-9_.]/.test(soql[i]!)) i++;
      tokens.push({ kind: 'ident', value: soql.slice(start, i), at: start });
      continue;
    }
    if (/[0-9-]/.test(c) && /[0-9]/.test(c === '-' ? (soql[i + 1] ?? '') : c)) {
      const start = i;
      i++;
      while (i < soql.length && /[0-9.]/.test(soql[i]!)) i++;
      tokens.push({ kind: 'number', value: Number(soql.slice(start, i)), at: start });
      continue;
    }
    const two = soql.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', value: two === '<>' ? '!=' : two, at: i });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', value: c, at: i });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', value: c, at: i });
      i++;
      continue;
    }
    throw new SoqlError('MALFORMED_QUERY', `unexpected character '${c}' at column ${i + 1}`);
  }
  return tokens;
}

/** Parses one query; throws SoqlError(MALFORMED_QUERY) as Salesforce's parser would refuse it. */
export function parseSoql(soql: string): SoqlQuery {
  const tokens = tokenize(soql);
  let pos = 0;
  const peek = () => tokens[pos];
  const unexpected = (): never => {
    const t = peek();
    throw new SoqlError('MALFORMED_QUERY', t ? `unexpected token: '${String(t.value)}' at column ${t.at + 1}` : 'unexpected end of query');
  };
  const isKeyword = (word: string) => {
    const t = peek();
    return t?.kind === 'ident' && t.value.toUpperCase() === word;
  };
  const keyword = (word: string) => {
    if (!isKeyword(word)) unexpected();
    pos++;
  };
  const identifier = (): string => {
    const t = peek();
    if (t?.kind !== 'ident' || KEYWORDS.has(t.value.toUpperCase())) return unexpected();
    pos++;
    return t.value;
  };
  const literal = (): Literal => {
    const t = peek();
    if (t?.kind === 'string' || t?.kind === 'number') {
      pos++;
      return t.value;
    }
    if (t?.kind === 'ident') {
      const word = t.value.toUpperCase();
      if (word === 'TRUE' || word === 'FALSE' || word === 'NULL') {
        pos++;
        return word === 'NULL' ? null : word === 'TRUE';
      }
    }
    return unexpected();
  };
  const punct = (p: '(' | ')' | ',') => {
    const t = peek();
    if (t?.kind !== 'punct' || t.value !== p) unexpected();
    pos++;
  };

  const atom = (): Condition => {
    const t = peek();
    if (t?.kind === 'punct' && t.value === '(') {
      pos++;
      const inner = orExpr();
      punct(')');
      return inner;
    }
    const field = identifier();
    const negatedIn = isKeyword('NOT') && tokens[pos + 1]?.kind === 'ident' && (tokens[pos + 1]!.value as string).toUpperCase() === 'IN';
    if (negatedIn) pos++;
    if (isKeyword('IN')) {
      pos++;
      punct('(');
      const values = [literal()];
      while (peek()?.kind === 'punct' && peek()!.value === ',') {
        pos++;
        values.push(literal());
      }
      punct(')');
      return { kind: 'in', field, values, negated: negatedIn };
    }
    if (isKeyword('LIKE')) {
      pos++;
      const pattern = literal();
      if (typeof pattern !== 'string') return unexpected();
      return { kind: 'like', field, pattern };
    }
    const op = peek();
    if (op?.kind !== 'op') return unexpected();
    pos++;
    return { kind: 'compare', field, op: op.value, value: literal() };
  };
  const notExpr = (): Condition => {
    if (isKeyword('NOT')) {
      pos++;
      return { kind: 'not', part: atom() };
    }
    return atom();
  };
  const andExpr = (): Condition => {
    const parts = [notExpr()];
    while (isKeyword('AND')) {
      pos++;
      parts.push(notExpr());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'and', parts };
  };
  const orExpr = (): Condition => {
    const parts = [andExpr()];
    while (isKeyword('OR')) {
      pos++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'or', parts };
  };

  keyword('SELECT');
  const fields = [identifier()];
  while (peek()?.kind === 'punct' && peek()!.value === ',') {
    pos++;
    fields.push(identifier());
  }
  keyword('FROM');
  const object = identifier();
  const query: SoqlQuery = { fields, object };
  if (isKeyword('WHERE')) {
    pos++;
    query.where = orExpr();
  }
  if (isKeyword('ORDER')) {
    pos++;
    keyword('BY');
    const field = identifier();
    let descending = false;
    if (isKeyword('ASC') || isKeyword('DESC')) {
      descending = isKeyword('DESC');
      pos++;
    }
    if (isKeyword('NULLS')) {
      pos++;
      if (isKeyword('FIRST') || isKeyword('LAST')) pos++;
      else unexpected();
    }
    query.orderBy = { field, descending };
  }
  if (isKeyword('LIMIT')) {
    pos++;
    const t = peek();
    if (t?.kind !== 'number' || !Number.isInteger(t.value) || t.value < 0) return unexpected();
    pos++;
    query.limit = t.value;
  }
  if (pos < tokens.length) unexpected();
  return query;
}

/** Every field a condition names. */
export function fieldsOf(condition: Condition | undefined): string[] {
  if (!condition) return [];
  switch (condition.kind) {
    case 'and':
    case 'or':
      return condition.parts.flatMap(fieldsOf);
    case 'not':
      return fieldsOf(condition.part);
    default:
      return [condition.field];
  }
}

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);

function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '_' || pattern[i + 1] === '%')) {
      source += pattern[i + 1] === '_' ? '_' : '%';
      i++;
    } else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

/** Does a record satisfy the condition? Text compares without regard to case, as SOQL's `=` does. */
export function matches(record: Record<string, unknown>, condition: Condition | undefined): boolean {
  if (!condition) return true;
  switch (condition.kind) {
    case 'and':
      return condition.parts.every((p) => matches(record, p));
    case 'or':
      return condition.parts.some((p) => matches(record, p));
    case 'not':
      return !matches(record, condition.part);
    case 'in': {
      const found = condition.values.some((v) => lower(record[condition.field] ?? null) === lower(v));
      return condition.negated ? !found : found;
    }
    case 'like': {
      const value = record[condition.field];
      return typeof value === 'string' && likeToRegExp(condition.pattern).test(value);
    }
    case 'compare': {
      const a = lower(record[condition.field] ?? null);
      const b = lower(condition.value);
      switch (condition.op) {
        case '=':
          return a === b;
        case '!=':
          return a !== b;
        default: {
          if (a === null || b === null) return false;
          const [x, y] = [a as string | number | boolean, b as string | number | boolean];
          return condition.op === '<' ? x < y : condition.op === '>' ? x > y : condition.op === '<=' ? x <= y : x >= y;
        }
      }
    }
  }
}
