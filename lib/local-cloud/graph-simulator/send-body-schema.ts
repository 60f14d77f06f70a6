import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { GRAPH_API_OPENAPI_SPEC_FILE } from '#lambdas/shared/graph-api-version';

/**
 * Turns the `Message` schema of Meta's OpenAPI spec into one plain JSON Schema (draft-07) that a
 * validator can compile: `$ref`s inlined, `allOf` parts merged, discriminators turned into
 * `if/then` branches. The spec is read as OpenAPI tools read it, not as raw JSON Schema (see the
 * quirks in `patchSpecQuirks`).
 */

export type JsonSchema = { [keyword: string]: unknown };

/** The vendored spec of the Graph API version the project speaks (lambdas/shared/graph-api-version.ts). */
export const DEFAULT_SPEC_PATH = fileURLToPath(new URL(`./openapi/${GRAPH_API_OPENAPI_SPEC_FILE}`, import.meta.url));

/** Keywords that only document; ajv in strict mode would reject some of them. */
const ANNOTATIONS = new Set([
  'description',
  'example',
  'examples',
  'externalDocs',
  'xml',
  'deprecated',
  'readOnly',
  'writeOnly',
  'title',
  'nullable',
]);

const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties']);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'oneOf', 'anyOf']);
const SCHEMA_KEYWORDS = new Set(['items', 'not', 'if', 'then', 'else', 'additionalProperties']);

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refName(ref: string): string {
  const prefix = '#/components/schemas/';
  if (!ref.startsWith(prefix)) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(prefix.length);
}

export async function loadSpecSchemas(specPath: string = DEFAULT_SPEC_PATH): Promise<Record<string, JsonSchema>> {
  const doc: unknown = parse(await readFile(specPath, 'utf8'));
  const schemas = isObject(doc) && isObject(doc.components) ? doc.components.schemas : undefined;
  if (!isObject(schemas)) throw new Error(`${specPath} has no components.schemas`);
  return schemas as Record<string, JsonSchema>;
}

/** The send body schema (`components/schemas/Message`) as one self-contained JSON Schema. */
export function buildSendBodySchema(specSchemas: Record<string, JsonSchema>): JsonSchema {
  const schemas = patchSpecQuirks(structuredClone(specSchemas));
  return new SchemaInliner(schemas).read({ $ref: '#/components/schemas/Message' });
}

function schemaAt(schemas: Record<string, JsonSchema>, name: string): JsonSchema {
  const schema = schemas[name];
  if (!schema) throw new Error(`the spec has no schema ${name}`);
  return schema;
}

/** The type-specific half of a message schema (`allOf: [BaseMessageProperties, <this>]`). */
function ownPart(schemas: Record<string, JsonSchema>, name: string): JsonSchema {
  const parts = schemaAt(schemas, name).allOf;
  const part = Array.isArray(parts) ? parts[1] : undefined;
  if (!isObject(part)) throw new Error(`${name} is not an allOf of two parts`);
  return part;
}

function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  if (!isObject(schema.properties)) schema.properties = {};
  return schema.properties as Record<string, JsonSchema>;
}

/**
 * Where the spec and the live API disagree, the simulator follows the live API (and Meta's own
 * examples), so that a body Meta accepts is never refused locally:
 * - `LanguageObject` requires `policy` although Meta's examples send only `code`;
 * - the template button `index` pattern `^[2-6, 11-14]$` rejects the documented `"0"`;
 * - location coordinates are typed string, but Meta's examples and clients send numbers;
 * - `biz_opaque_callback_data` is accepted by the API (and echoed in statuses) but absent here;
 * - template buttons know only quick_reply, url and catalog, with payload or text parameters, but
 *   Meta documents copy-code buttons (`sub_type: copy_code`, a `coupon_code` parameter) and flows.
 * And where the spec is silent about a limit the API enforces, the limit is added, so that the
 * project learns about it locally rather than in production:
 * - a text message needs `text.body`, at most 4096 characters;
 * - `messaging_product` must be `whatsapp`;
 * - interactive `button` and `list` messages need a body and their own kind of action.
 * `recipient_type` stays required, as the spec says (the live API defaults it): send it.
 */
export function patchSpecQuirks(schemas: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const language = schemaAt(schemas, 'LanguageObject');
  language.required = ['code'];

  for (const index of [
    propertiesOf(schemaAt(schemas, 'TemplateComponent')).index,
    propertiesOf(ownPart(schemas, 'ButtonComponent')).index,
  ]) {
    if (isObject(index)) delete index.pattern;
  }

  const location = propertiesOf(ownPart(schemas, 'LocationMessage')).location;
  if (isObject(location)) {
    for (const coordinate of ['latitude', 'longitude']) {
      const property = propertiesOf(location)[coordinate];
      if (property) property.type = ['string', 'number'];
    }
  }

  const base = propertiesOf(schemaAt(schemas, 'BaseMessageProperties'));
  base.biz_opaque_callback_data = { type: 'string', maxLength: 512 };
  if (base.messaging_product) base.messaging_product.enum = ['whatsapp'];

  const text = propertiesOf(ownPart(schemas, 'TextMessage')).text;
  if (isObject(text)) {
    text.required = ['body'];
    const body = propertiesOf(text).body;
    if (body) body.maxLength = 4096;
  }

  const interactive = schemaAt(schemas, 'InteractiveObject');
  interactive.allOf = [
    {
      if: { properties: { type: { const: 'button' } }, required: ['type'] },
      then: { required: ['body'], properties: { action: { required: ['buttons'] } } },
    },
    {
      if: { properties: { type: { const: 'list' } }, required: ['type'] },
      then: { required: ['body'], properties: { action: { required: ['button', 'sections'] } } },
    },
  ];

  for (const subType of [propertiesOf(schemaAt(schemas, 'TemplateComponent')).sub_type, propertiesOf(ownPart(schemas, 'ButtonComponent')).sub_type]) {
    if (Array.isArray(subType?.enum)) subType.enum = [...subType.enum, 'copy_code', 'flow'];
  }
  const buttonParameter = schemaAt(schemas, 'ButtonParameterObject');
  const parameterType = propertiesOf(buttonParameter).type;
  if (Array.isArray(parameterType?.enum)) parameterType.enum = [...parameterType.enum, 'coupon_code', 'action'];
  schemas.ButtonCouponCodeParameter = {
    type: 'object',
    required: ['type', 'coupon_code'],
    properties: { type: { enum: ['coupon_code'] }, coupon_code: { type: 'string', minLength: 1, maxLength: 15 } },
  };
  schemas.ButtonActionParameter = {
    type: 'object',
    required: ['type', 'action'],
    properties: { type: { enum: ['action'] }, action: { type: 'object' } },
  };
  const mapping = (buttonParameter.discriminator as JsonSchema | undefined)?.mapping;
  if (isObject(mapping)) {
    mapping.coupon_code = '#/components/schemas/ButtonCouponCodeParameter';
    mapping.action = '#/components/schemas/ButtonActionParameter';
  }
  return schemas;
}

class SchemaInliner {
  /** Names being inlined, outermost first: a name seen twice is a cycle. */
  private readonly stack: string[] = [];

  constructor(private readonly schemas: Record<string, JsonSchema>) {}

  read(node: unknown, withoutDiscriminator = false): JsonSchema {
    if (!isObject(node)) return node as JsonSchema;
    if (typeof node.$ref === 'string') return this.readRef(node.$ref);

    const out: JsonSchema = {};
    for (const [keyword, value] of Object.entries(node)) {
      if (ANNOTATIONS.has(keyword) || keyword === 'discriminator') continue;
      if (SCHEMA_MAP_KEYWORDS.has(keyword) && isObject(value)) {
        out[keyword] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.read(v)]));
      } else if (SCHEMA_LIST_KEYWORDS.has(keyword) && Array.isArray(value)) {
        out[keyword] = value.map((v) => this.read(v));
      } else if (SCHEMA_KEYWORDS.has(keyword) && isObject(value)) {
        out[keyword] = this.read(value);
      } else {
        out[keyword] = value;
      }
    }

    const merged = Array.isArray(out.allOf) ? mergeAllOf(out) : out;
    const discriminator = node.discriminator;
    if (!withoutDiscriminator && isObject(discriminator) && isObject(discriminator.mapping)) {
      return this.expandDiscriminator(merged, String(discriminator.propertyName), discriminator.mapping);
    }
    return merged;
  }

  private readRef(ref: string): JsonSchema {
    const name = refName(ref);
    const target = schemaAt(this.schemas, name);
    if (this.stack.includes(name)) {
      // The subtypes of a discriminated schema start with `allOf: [<the base>, ...]`: inside
      // them the base is read without its discriminator, which is what breaks the cycle.
      if (isObject(target.discriminator)) return this.read(target, true);
      throw new Error(`cyclic schema ${[...this.stack, name].join(' -> ')}`);
    }
    this.stack.push(name);
    try {
      return this.read(target);
    } finally {
      this.stack.pop();
    }
  }

  /**
   * `discriminator.mapping` picks the subtype by a property's value. As JSON Schema: the property
   * must be one of the mapped values, and each value brings its subtype's schema through if/then.
   * This replaces the `oneOf` list, whose errors would be one per subtype and useless to a caller.
   */
  private expandDiscriminator(schema: JsonSchema, property: string, mapping: JsonSchema): JsonSchema {
    const values = Object.keys(mapping);
    const branches = Object.entries(mapping).map(([value, ref]) => ({
      if: { properties: { [property]: { const: value } }, required: [property] },
      then: this.readRef(String(ref)),
    }));
    const { oneOf: _alternatives, ...rest } = schema;
    const properties = { ...(isObject(rest.properties) ? rest.properties : {}) };
    properties[property] = properties[property]
      ? { allOf: [properties[property], { enum: values }] }
      : { enum: values };
    const required = Array.isArray(rest.required) ? rest.required : [];
    return {
      ...rest,
      type: 'object',
      properties,
      required: required.includes(property) ? required : [...required, property],
      allOf: [...(Array.isArray(rest.allOf) ? rest.allOf : []), ...branches],
    };
  }
}

/**
 * Merges `allOf` parts into one object schema, as OpenAPI tools read it. Read literally, a part
 * with `additionalProperties: false` forbids every property of the other parts; merged, it
 * forbids only properties that no part declares.
 */
function mergeAllOf(schema: JsonSchema): JsonSchema {
  const { allOf, ...own } = schema;
  const parts = [own, ...(allOf as JsonSchema[])];
  const out: JsonSchema = {};
  const properties: Record<string, unknown> = {};
  const required = new Set<string>();
  const extraAllOf: unknown[] = [];
  let closed = false;

  for (const part of parts) {
    // Conditionals cannot be merged key by key (two parts may each have an `if`): keep each whole.
    const { if: condition, then, else: otherwise, not, ...mergeable } = part;
    if (condition !== undefined) {
      const conditional: JsonSchema = { if: condition };
      if (then !== undefined) conditional.then = then;
      if (otherwise !== undefined) conditional.else = otherwise;
      extraAllOf.push(conditional);
    }
    if (not !== undefined) extraAllOf.push({ not });
    for (const [keyword, value] of Object.entries(mergeable)) {
      if (keyword === 'properties' && isObject(value)) {
        for (const [name, propertySchema] of Object.entries(value)) {
          const existing = properties[name];
          properties[name] = existing === undefined ? propertySchema : { allOf: [existing, propertySchema] };
        }
      } else if (keyword === 'required' && Array.isArray(value)) {
        for (const name of value) required.add(String(name));
      } else if (keyword === 'additionalProperties') {
        if (value === false) closed = true;
        else if (isObject(value)) out.additionalProperties = value;
      } else if (keyword === 'allOf' && Array.isArray(value)) {
        extraAllOf.push(...value);
      } else if ((keyword === 'oneOf' || keyword === 'anyOf') && out[keyword] !== undefined) {
        extraAllOf.push({ [keyword]: value });
      } else if (out[keyword] === undefined) {
        out[keyword] = value;
      }
    }
  }

  if (Object.keys(properties).length > 0) out.properties = properties;
  if (required.size > 0) out.required = [...required];
  if (closed) out.additionalProperties = false;
  if (extraAllOf.length > 0) out.allOf = extraAllOf;
  return out;
}
