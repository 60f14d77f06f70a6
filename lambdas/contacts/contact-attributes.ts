import { attributeSchemaSchema, type AttributeDefinition, type AttributeSchema, type AttributeValue } from '#lambdas/contacts/contact-model';
import { describeIssues } from '#lambdas/shared/http-json';

/** A string attribute holds at most this many characters (a hundred of them keep a contact far below DynamoDB's 400 KB). */
export const MAX_ATTRIBUTE_STRING_CHARS = 500;
/** Values set in one change at most. */
export const MAX_ATTRIBUTES_PER_CHANGE = 100;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * An admin's attribute schema as it may be saved: the contract's shape, each key once, options
 * given for an `enum` and only for it.
 */
export function checkAttributeSchema(input: unknown): Checked<{ attributes: AttributeDefinition[] }> {
  const parsed = attributeSchemaSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: describeIssues(parsed.error.issues, '(schema)') };
  const seen = new Set<string>();
  for (const [i, a] of parsed.data.attributes.entries()) {
    if (seen.has(a.key)) return { ok: false, message: `attributes.${i}.key: ${a.key} is defined twice` };
    seen.add(a.key);
    if (a.type === 'enum' && !a.options) return { ok: false, message: `attributes.${i}.options: an enum lists its allowed values` };
    if (a.type !== 'enum' && a.options) return { ok: false, message: `attributes.${i}.options: only an enum has options` };
    if (a.options && new Set(a.options).size !== a.options.length) return { ok: false, message: `attributes.${i}.options: each value once` };
  }
  return { ok: true, value: parsed.data };
}

/** One value checked against its definition; dates are kept as the ISO text given. */
export function checkAttributeValue(definition: AttributeDefinition, value: unknown): Checked<AttributeValue> {
  switch (definition.type) {
    case 'string':
      return typeof value === 'string' && value.length <= MAX_ATTRIBUTE_STRING_CHARS
        ? { ok: true, value }
        : { ok: false, message: `a text of at most ${MAX_ATTRIBUTE_STRING_CHARS} characters` };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? { ok: true, value } : { ok: false, message: 'a finite number' };
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, message: 'true or false' };
    case 'date':
      return typeof value === 'string' && isIsoDate(value)
        ? { ok: true, value }
        : { ok: false, message: 'an ISO-8601 date (2025-01-31) or date and time with its offset' };
    case 'enum':
      return typeof value === 'string' && (definition.options ?? []).includes(value)
        ? { ok: true, value }
        : { ok: false, message: `one of ${(definition.options ?? []).join(', ')}` };
  }
}

/** Every value must be defined in the business's schema and of its type. */
export function checkAttributeValues(schema: Pick<AttributeSchema, 'attributes'>, values: Record<string, unknown>): Checked<Record<string, AttributeValue>> {
  const entries = Object.entries(values);
  if (entries.length > MAX_ATTRIBUTES_PER_CHANGE) return { ok: false, message: `attributes: at most ${MAX_ATTRIBUTES_PER_CHANGE} at once` };
  const out: Record<string, AttributeValue> = {};
  for (const [key, value] of entries) {
    const definition = schema.attributes.find((a) => a.key === key);
    if (!definition) return { ok: false, message: `attributes.${key.slice(0, 40)}: not an attribute of this business (define it first)` };
    const checked = checkAttributeValue(definition, value);
    if (!checked.ok) return { ok: false, message: `attributes.${key}: ${checked.message}` };
    out[key] = checked.value;
  }
  return { ok: true, value: out };
}

/** The values that fit the schema, the rest dropped: for what a CRM sends, which no admin controls. */
export function fittingAttributeValues(schema: Pick<AttributeSchema, 'attributes'>, values: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(values).slice(0, MAX_ATTRIBUTES_PER_CHANGE)) {
    const definition = schema.attributes.find((a) => a.key === key);
    if (!definition) continue;
    const checked = checkAttributeValue(definition, value);
    if (checked.ok) out[key] = checked.value;
  }
  return out;
}

function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value) && !ISO_DATE_TIME.test(value)) return false;
  const parsed = Date.parse(ISO_DATE.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(parsed)) return false;
  // Date.parse rolls 2025-02-30 over to March: the calendar date must survive the round trip.
  return ISO_DATE.test(value) ? new Date(parsed).toISOString().slice(0, 10) === value : true;
}
