import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { GRAPH_API_OPENAPI_SPEC_FILE } from '#lambdas/shared/graph-api-version';

/**
 * Turns the `Message` schema of Meta's OpenAPI spec into one plain JSON Schema (draft-07) that a
 * validator can compile: `$ref`s inlined (json-schema-ref-parser), `allOf` parts merged
 * (json-schema-merge-allof), discriminators turned into `if/then` branches. The spec is read as
 * OpenAPI tools read it, not as raw JSON Schema (see `patchSpecQuirks` and `MERGE_OPTIONS`).
 */

export type JsonSchema = { [keyword: string]: unknown };

/** The vendored spec of the Graph API version the project speaks (lambdas/shared/graph-api-version.ts). */
export const DEFAULT_SPEC_PATH = fileURLToPath(new URL(`./openapi/${GRAPH_API_OPENAPI_SPEC_FILE}`, import.meta.url));

const SCHEMAS_POINTER = '#/components/schemas/';

/** Keywords that only document; ajv in strict mode would reject some of them. */
const ANNOTATIONS = ['description', 'example', 'examples', 'externalDocs', 'xml', 'deprecated', 'readOnly', 'writeOnly', 'title', 'nullable'];

/**
 * The libraries are loaded on first use: a start with the built schema cached
 * (send-body-schema-cache.ts) never needs them, and they take about 0.2 s to load.
 */
const libraries = () =>
  Promise.all([import('@apidevtools/json-schema-ref-parser'), import('json-schema-merge-allof'), import('json-schema-traverse')]).then(
    ([refParser, mergeAllOf, traverse]) => ({ $RefParser: refParser.default, mergeAllOf: mergeAllOf.default, traverse: traverse.default }),
  );

type Libraries = Awaited<ReturnType<typeof libraries>>;

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refName(ref: string): string {
  if (!ref.startsWith(SCHEMAS_POINTER)) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(SCHEMAS_POINTER.length);
}

export async function loadSpecSchemas(specPath: string = DEFAULT_SPEC_PATH): Promise<Record<string, JsonSchema>> {
  const { $RefParser } = await libraries();
  // Parsed only: no `$ref` is followed here, and nothing outside the file is read.
  const doc: unknown = await $RefParser.parse(specPath, { resolve: { external: false } });
  const schemas = isObject(doc) && isObject(doc.components) ? doc.components.schemas : undefined;
  if (!isObject(schemas)) throw new Error(`${specPath} has no components.schemas`);
  return schemas as Record<string, JsonSchema>;
}

/** The send body schema (`components/schemas/Message`) as one self-contained JSON Schema. */
export async function buildSendBodySchema(specSchemas: Record<string, JsonSchema>): Promise<JsonSchema> {
  const { $RefParser, mergeAllOf, traverse } = await libraries();
  const schemas = expandDiscriminators(withoutAnnotations(patchSpecQuirks(structuredClone(specSchemas)), traverse));
  const doc = (await $RefParser.dereference(
    { components: { schemas } },
    // A cycle would make the merged schema infinite: refuse it rather than loop.
    { resolve: { external: false }, dereference: { circular: false } },
  )) as { components: { schemas: Record<string, unknown> } };
  const message = doc.components.schemas.Message;
  if (!isObject(message)) throw new Error('the spec has no schema Message');
  // Cast: @types/json-schema-merge-allof describes an older version, without `complexResolvers`.
  return mergeAllOf(message as never, MERGE_OPTIONS as never) as JsonSchema;
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

  for (const index of [propertiesOf(schemaAt(schemas, 'TemplateComponent')).index, propertiesOf(ownPart(schemas, 'ButtonComponent')).index]) {
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
    mapping.coupon_code = `${SCHEMAS_POINTER}ButtonCouponCodeParameter`;
    mapping.action = `${SCHEMAS_POINTER}ButtonActionParameter`;
  }
  return schemas;
}

/** Drops documentation keywords from every schema (a property named `title` stays: it is no keyword). */
function withoutAnnotations(schemas: Record<string, JsonSchema>, traverse: Libraries['traverse']): Record<string, JsonSchema> {
  for (const schema of Object.values(schemas)) {
    traverse(schema, (node: JsonSchema) => {
      for (const keyword of ANNOTATIONS) delete node[keyword];
    });
  }
  return schemas;
}

/**
 * `discriminator.mapping` picks the subtype by a property's value. As JSON Schema: the property
 * must be one of the mapped values, and each value brings its subtype's schema through if/then.
 * This replaces the `oneOf` list, whose errors would be one per subtype and useless to a caller.
 * A subtype starts with `allOf: [<the base>, ...]`: it is pointed at a copy of the base without
 * the discriminator, since the base with it would lead back to the subtype, endlessly.
 */
function expandDiscriminators(schemas: Record<string, JsonSchema>): Record<string, JsonSchema> {
  for (const [name, schema] of Object.entries(schemas)) {
    const { discriminator, ...withoutDiscriminator } = schema;
    if (!isObject(discriminator) || !isObject(discriminator.mapping)) continue;
    const property = String(discriminator.propertyName);
    const baseName = `${name}WithoutDiscriminator`;
    schemas[baseName] = withoutDiscriminator;

    const values = Object.keys(discriminator.mapping);
    const branches = Object.entries(discriminator.mapping).map(([value, ref]) => {
      const subtype = schemaAt(schemas, refName(String(ref)));
      if (Array.isArray(subtype.allOf)) {
        subtype.allOf = subtype.allOf.map((part: unknown) =>
          isObject(part) && part.$ref === `${SCHEMAS_POINTER}${name}` ? { $ref: `${SCHEMAS_POINTER}${baseName}` } : part,
        );
      }
      return { if: { properties: { [property]: { const: value } }, required: [property] }, then: { $ref: String(ref) } };
    });

    const { oneOf: _alternatives, ...rest } = withoutDiscriminator;
    const properties = { ...(isObject(rest.properties) ? rest.properties : {}) };
    properties[property] = properties[property] ? { allOf: [properties[property], { enum: values }] } : { enum: values };
    const required = Array.isArray(rest.required) ? rest.required : [];
    schemas[name] = {
      ...rest,
      type: 'object',
      properties,
      required: required.includes(property) ? required : [...required, property],
      allOf: [...(Array.isArray(rest.allOf) ? rest.allOf : []), ...branches],
    };
  }
  return schemas;
}

const CONDITIONAL_KEYWORDS = ['if', 'then', 'else'] as const;

/**
 * How `allOf` parts are merged:
 * - as OpenAPI tools read them (`ignoreAdditionalProperties`): read literally, a part with
 *   `additionalProperties: false` forbids every property of the other parts; merged, it forbids
 *   only properties that no part declares;
 * - `required` and `enum` keep the spec's order (the library sorts them), so that a refusal names
 *   the first missing property and lists allowed values as Meta's documentation does;
 * - conditionals cannot be merged key by key (two parts may each have an `if`): each is kept whole,
 *   in an `allOf` beside the merged schema.
 */
const MERGE_OPTIONS = {
  ignoreAdditionalProperties: true,
  resolvers: {
    required: (values: string[][]) => [...new Set(values.flat())],
    enum: (values: unknown[][]) => {
      const [first = [], ...others] = values;
      const common = first.filter((value) => others.every((other) => other.some((o) => isDeepStrictEqual(o, value))));
      // No common value: the library reports the parts as incompatible.
      return common.length > 0 ? common : undefined;
    },
  },
  complexResolvers: {
    if: {
      keywords: CONDITIONAL_KEYWORDS,
      resolver(values: JsonSchema[], _path: string[], mergers: Record<(typeof CONDITIONAL_KEYWORDS)[number], (schemas: unknown[]) => unknown>) {
        const conditionals = values
          .filter((schema) => CONDITIONAL_KEYWORDS.some((keyword) => schema[keyword] !== undefined))
          .map((schema) => {
            const conditional: JsonSchema = {};
            for (const keyword of CONDITIONAL_KEYWORDS) {
              if (schema[keyword] !== undefined) conditional[keyword] = mergers[keyword]([schema[keyword]]);
            }
            return conditional;
          });
        // A schema merged on its own keeps its conditional where it was.
        const [only] = conditionals;
        return values.length === 1 && only ? only : { allOf: conditionals };
      },
    },
  },
};
