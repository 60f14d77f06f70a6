/**
 * Rules on interactive messages that the API enforces but a JSON Schema cannot say (uniqueness,
 * totals across sections). Each returns the `error_data.details` Meta gives, or undefined.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function hasDuplicate(values: unknown[]): boolean {
  return new Set(values).size !== values.length;
}

const MAX_LIST_ROWS = 10;

export function findInteractiveProblem(body: unknown): string | undefined {
  if (!isObject(body) || body.type !== 'interactive' || !isObject(body.interactive)) return undefined;
  const { type, action } = body.interactive;
  if (!isObject(action)) return undefined;

  if (type === 'button') {
    const replies = objects(action.buttons).map((b) => (isObject(b.reply) ? b.reply : {}));
    if (replies.some((r) => typeof r.title === 'string' && r.title.trim() === '')) return 'Button title cannot be empty';
    if (hasDuplicate(replies.map((r) => r.id))) return 'Duplicate button id';
    if (hasDuplicate(replies.map((r) => r.title))) return 'Duplicate button title';
  }

  if (type === 'list') {
    const sections = objects(action.sections);
    if (typeof action.button === 'string' && action.button.trim() === '') return 'Button label cannot be empty';
    if (sections.length > 1 && sections.some((s) => typeof s.title !== 'string' || s.title === '')) {
      return 'Section title is required when a list has more than one section';
    }
    const rows = sections.flatMap((s) => objects(s.rows));
    if (rows.length === 0) return 'A list needs at least one row';
    if (rows.length > MAX_LIST_ROWS) return `Total row count exceed max allowed count: ${MAX_LIST_ROWS}`;
    if (hasDuplicate(rows.map((r) => r.id))) return 'Duplicate row id';
  }
  return undefined;
}
