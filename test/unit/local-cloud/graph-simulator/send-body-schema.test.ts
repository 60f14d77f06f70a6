import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSendBodySchema, DEFAULT_SPEC_PATH, loadSpecSchemas, type JsonSchema } from '#lib/local-cloud/graph-simulator/send-body-schema';
import { cachedSendBodySchema } from '#lib/local-cloud/graph-simulator/send-body-schema-cache';
import { graphParamName, loadSendBodyValidator } from '#lib/local-cloud/graph-simulator/send-body-validator';

const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '15557654321' };

describe('reading the Message schema from the OpenAPI spec', () => {
  let schema: JsonSchema;
  let specSchemas: Record<string, JsonSchema>;

  beforeAll(async () => {
    specSchemas = await loadSpecSchemas(DEFAULT_SPEC_PATH);
    schema = await buildSendBodySchema(specSchemas);
  });

  it('inlines every $ref, merges every allOf part and keeps no discriminator or documentation keyword', () => {
    const text = JSON.stringify(schema);
    expect(text).not.toContain('$ref');
    expect(text).not.toContain('discriminator');
    expect(text).not.toContain('"example"');
    // The keyword goes (its value is text); a property named `description` (a list row's) stays.
    expect(text).not.toMatch(/"description":"/);
    expect(text).toContain('"description":{"type":"string","maxLength":72}');
    // What stays in an allOf is only what cannot be merged key by key: the if/then conditionals.
    const allOfParts = [...text.matchAll(/"allOf":\[/g)].length;
    expect(allOfParts).toBeGreaterThan(0);
    expect(text.match(/"allOf":\[\{"(?!if")/)).toBeNull();
  });

  it('does not modify the schemas it was given', () => {
    expect((specSchemas.LanguageObject as { required: string[] }).required).toEqual(['policy', 'code']);
  });

  it('compiles with a plain draft-07 validator and separates message types by `type`', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);

    // The spec's allOf parts each forbid additional properties; merged, a text message passes.
    expect(validate({ ...base, type: 'text', text: { body: 'hi' } })).toBe(true);
    // ...but the text part does not leak into an image message.
    expect(validate({ ...base, type: 'image', image: { id: '1' }, text: { body: 'hi' } })).toBe(false);
  });

  it.each([
    ['a language without policy', { ...base, type: 'template', template: { name: 't', language: { code: 'en' } } }],
    [
      'the documented button index "0"',
      {
        ...base,
        type: 'template',
        template: {
          name: 't',
          language: { code: 'en' },
          components: [{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'P' }] }],
        },
      },
    ],
    ['numeric coordinates', { ...base, type: 'location', location: { latitude: 38.7, longitude: -9.1 } }],
    ['biz_opaque_callback_data', { ...base, biz_opaque_callback_data: 'ref-1', type: 'text', text: { body: 'x' } }],
    ['a reply in context', { ...base, context: { message_id: 'wamid.1' }, type: 'text', text: { body: 'x' } }],
    ['a document with filename and caption', { ...base, type: 'document', document: { link: 'https://example.com/a.pdf', filename: 'a.pdf', caption: 'c' } }],
    ['a reaction', { ...base, type: 'reaction', reaction: { message_id: 'wamid.1', emoji: '👍' } }],
  ])('accepts %s, as the live API does', async (_case, body) => {
    const validator = await loadSendBodyValidator();
    expect(validator.validate(body)).toBeUndefined();
  });

  it.each([
    ['a template body parameter without text', { type: 'body', parameters: [{ type: 'text' }] }, /\['parameters'\]\[0\]\['text'\] is required/],
    ['an unknown component type', { type: 'footer' }, /must be one of \{header, body, button\}/],
    ['a button component without sub_type', { type: 'button', index: '0', parameters: [{ type: 'payload', payload: 'P' }] }, /sub_type'\] is required/],
  ])('follows the template discriminators: refuses %s', async (_case, component, details) => {
    const validator = await loadSendBodyValidator();
    const refusal = validator.validate({
      ...base,
      type: 'template',
      template: { name: 't', language: { code: 'en' }, components: [component] },
    });
    expect(refusal?.body.error.error_data?.details).toMatch(details);
  });

  it.each([
    [
      "a body missing two required properties, naming the first in the spec's order",
      { messaging_product: 'whatsapp', recipient_type: 'individual', type: 'text' },
      'The parameter to is required.',
    ],
    ['a key no part of the message declares', { ...base, type: 'text', text: { body: 'x' }, extra: 1 }, 'Unexpected key "extra" on param "message".'],
    ['a key the text object does not declare', { ...base, type: 'text', text: { body: 'x', extra: 1 } }, 'Unexpected key "extra" on param "text".'],
    [
      'a message type the spec does not know, listing the known ones in its order',
      { ...base, type: 'fax', fax: {} },
      'Param type must be one of {text, audio, document, image, location, video, sticker, reaction, interactive, template, contacts} - got "fax".',
    ],
    [
      'an image given both by id and by link',
      { ...base, type: 'image', image: { id: '1', link: 'https://example.com/a.jpg' } },
      'Param image must take exactly one of its allowed forms.',
    ],
  ])('refuses %s', async (_case, body, details) => {
    const validator = await loadSendBodyValidator();
    expect(validator.validate(body)?.body.error.error_data?.details).toBe(details);
  });

  it('refuses a spec whose schemas refer to themselves, instead of building an endless schema', async () => {
    const cyclic = structuredClone(specSchemas);
    const context = cyclic.MessageContext as { properties: Record<string, unknown> };
    context.properties.quoted = { $ref: '#/components/schemas/MessageContext' };
    await expect(buildSendBodySchema(cyclic)).rejects.toThrow(/circular/i);
  });

  it('caches the same schema it builds', async () => {
    expect(await cachedSendBodySchema(DEFAULT_SPEC_PATH)).toEqual(schema);
  });
});

describe('graphParamName', () => {
  it('writes a JSON pointer the way Meta names parameters', () => {
    expect(graphParamName('')).toBe('message');
    expect(graphParamName('', 'to')).toBe('to');
    expect(graphParamName('/interactive/action/buttons/0/reply', 'title')).toBe("interactive['action']['buttons'][0]['reply']['title']");
  });
});
