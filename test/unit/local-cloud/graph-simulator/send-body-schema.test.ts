import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildSendBodySchema,
  DEFAULT_SPEC_PATH,
  loadSpecSchemas,
  type JsonSchema,
} from '#lib/local-cloud/graph-simulator/send-body-schema';
import { cachedSendBodySchema } from '#lib/local-cloud/graph-simulator/send-body-schema-cache';
import { graphParamName, loadSendBodyValidator } from '#lib/local-cloud/graph-simulator/send-body-validator';

const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '15557654321' };

describe('reading the Message schema from the OpenAPI spec', () => {
  let schema: JsonSchema;
  let specSchemas: Record<string, JsonSchema>;

  beforeAll(async () => {
    specSchemas = await loadSpecSchemas(DEFAULT_SPEC_PATH);
    schema = buildSendBodySchema(specSchemas);
  });

  it('inlines every $ref and keeps no discriminator or documentation keyword', () => {
    const text = JSON.stringify(schema);
    expect(text).not.toContain('$ref');
    expect(text).not.toContain('discriminator');
    expect(text).not.toContain('"example"');
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

  it('caches the same schema it builds', async () => {
    expect(await cachedSendBodySchema(DEFAULT_SPEC_PATH)).toEqual(schema);
  });
});

describe('graphParamName', () => {
  it('writes a JSON pointer the way Meta names parameters', () => {
    expect(graphParamName('')).toBe('message');
    expect(graphParamName('', 'to')).toBe('to');
    expect(graphParamName('/interactive/action/buttons/0/reply', 'title')).toBe(
      "interactive['action']['buttons'][0]['reply']['title']",
    );
  });
});
