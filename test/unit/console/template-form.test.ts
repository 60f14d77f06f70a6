import { describe, expect, it } from 'vitest';
import { proposedTemplate } from '#lambdas/workspace/approved-templates';
import { templateSendSchema } from '#lambdas/templates/request-template-send';
import type { StoredTemplate } from '#lambdas/templates/template-item';
import { ApiError } from '../../../console/src/platform/api-url.ts';
import { sendableFromForm, templateFields, templateParameters, templatePreview } from '../../../console/src/lib/template-form.ts';

const stored = (over: Partial<StoredTemplate>): StoredTemplate =>
  ({ name: 'order_update', language: 'es', status: 'APPROVED', category: 'UTILITY', parameterFormat: 'POSITIONAL', components: [], ...over }) as StoredTemplate;

/** The console's template form reads what the workspace API returns (proposedTemplate) and sends what the send path takes. */
describe('template form', () => {
  it('a positional body: one field per variable, a list of values, the preview filled', () => {
    const template = proposedTemplate(stored({ components: [{ type: 'BODY', text: 'Hola {{1}}, tu pedido {{2}} llega hoy. {{1}}' }] }));
    expect(templateFields(template).map((f) => f.id)).toEqual(['body:1', 'body:2']);
    const values = { 'body:1': ' Ana ', 'body:2': '1234' };
    expect(templateParameters(template, values)).toEqual(['Ana', '1234']);
    expect(templatePreview(template, { 'body:1': 'Ana' })).toBe('Hola Ana, tu pedido {{2}} llega hoy. Ana');
    expect(sendableFromForm(template)).toBe(true);
  });

  it('named variables, header and buttons: the full variables the send path validates', () => {
    const template = proposedTemplate(
      stored({
        parameterFormat: 'NAMED',
        components: [
          { type: 'HEADER', format: 'TEXT', text: 'Pedido {{order_id}}' },
          { type: 'BODY', text: 'Hola {{first_name}}' },
          {
            type: 'BUTTONS',
            buttons: [
              { type: 'QUICK_REPLY', text: 'OK' },
              { type: 'URL', text: 'Ver', url: 'https://shop.example/o/{{1}}' },
            ],
          },
        ],
      }),
    );
    expect(templateFields(template).map((f) => f.id)).toEqual(['header:order_id', 'body:first_name', 'button:1']);
    const parameters = templateParameters(template, { 'header:order_id': '1234', 'body:first_name': 'Ana', 'button:1': 'abc' });
    expect(parameters).toEqual({ header: { order_id: '1234' }, body: { first_name: 'Ana' }, buttons: { '1': 'abc' } });
    // What the console sends passes the send path's schema.
    const parsed = templateSendSchema.safeParse({
      accountId: '100',
      conversationKey: 'wa:100:1',
      name: template.name,
      language: template.language,
      variables: parameters,
      requestId: 'r1',
    });
    expect(parsed.success).toBe(true);
    expect(templatePreview(template, { 'body:first_name': 'Ana' })).toBe('Hola Ana');
  });

  it('a header that needs media cannot be sent from the form; hostile shapes give no fields', () => {
    const template = proposedTemplate(
      stored({
        components: [
          { type: 'HEADER', format: 'IMAGE' },
          { type: 'BODY', text: 'Hi' },
        ],
      }),
    );
    expect(sendableFromForm(template)).toBe(false);
    expect(templateFields({ name: 'x', language: 'es', bodyVariables: 'nope' as unknown as string[] })).toEqual([]);
    expect(templateFields({ name: 'x', language: 'es', bodyVariables: [1, '', 'x'.repeat(101), 'ok'] as unknown as string[] }).map((f) => f.key)).toEqual([
      'ok',
    ]);
  });
});

describe('API refusals keep their body', () => {
  it("the 400's problems travel on the error (the bot settings editor reads them through errorBody)", () => {
    const body = { error: 'invalid_settings', problems: [{ path: 'greeting.es', message: 'Required' }] };
    const err = new ApiError(400, 'invalid_settings', 'Invalid', body);
    expect(err.body).toBe(body);
    expect(new ApiError(0, 'network', 'unreachable').body).toBeUndefined();
  });
});
