import { describe, expect, it } from 'vitest';
import {
  badLinesOf,
  campaignActions,
  campaignInputOf,
  newCampaignForm,
  parseAttributes,
  templateVariables,
  type TemplateRow,
} from '../../../console/src/lib/campaign-form.ts';

const TEMPLATE: TemplateRow = {
  name: 'promo_nov',
  language: 'es',
  status: 'APPROVED',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Hola {{1}}' },
    { type: 'BODY', text: 'Tu cupón {{1}} vence el {{2}}' },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY' }, { type: 'URL', url: 'https://shop.example/{{1}}' }] },
  ],
};

describe('the campaign form', () => {
  it('names the template variables as the API does', () => {
    expect(templateVariables(TEMPLATE)).toEqual(['header.1', '1', '2', 'button.1']);
    expect(
      templateVariables({
        name: 'x',
        language: 'en',
        components: [
          { type: 'HEADER', format: 'IMAGE' },
          { type: 'BODY', text: 'Hi {{first_name}}' },
        ],
      }),
    ).toEqual(['first_name']);
    expect(templateVariables(undefined)).toEqual([]);
    // From the templates API's listing (flat attributes, no components).
    expect(
      templateVariables({
        name: 'delivery_update',
        language: 'en_US',
        parameterFormat: 'POSITIONAL',
        headerFormat: 'TEXT',
        headerParameterCount: 1,
        bodyParameterCount: 2,
        bodyParameterNames: '1,2',
        buttonTypes: 'URL,QUICK_REPLY',
        urlButtonVariableCount: 1,
      }),
    ).toEqual(['header.1', '1', '2', 'button.0']);
    expect(
      templateVariables({
        name: 'summer_offer',
        language: 'en_US',
        headerFormat: 'IMAGE',
        headerParameterCount: 0,
        bodyParameterCount: 2,
        buttonTypes: 'COPY_CODE,QUICK_REPLY',
        urlButtonVariableCount: 0,
      }),
    ).toEqual(['1', '2', 'button.0']);
  });

  it('builds a contacts campaign with its filters and every variable sourced', () => {
    const form = {
      ...newCampaignForm(),
      name: ' Black Friday ',
      accountId: '100',
      template: 'promo_nov|es',
      tags: 'VIP, clientes  vip',
      attributes: 'city=Lima\nvisits=3\nactive=true',
      variables: {
        'header.1': { from: 'contact' as const, field: 'first_name' as const },
        '1': { from: 'attribute' as const, key: 'coupon' },
        '2': { from: 'text' as const, value: '30/11' },
        'button.1': { from: 'attribute' as const, key: 'slug' },
      },
      startAt: '2026-11-27T09:00',
    };
    const built = campaignInputOf(form, TEMPLATE);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.input).toMatchObject({
      name: 'Black Friday',
      accountId: '100',
      template: { name: 'promo_nov', language: 'es' },
      audience: {
        kind: 'contacts',
        tags: ['vip', 'clientes'],
        attributes: { city: 'Lima', visits: 3, active: true },
        variables: { '1': { from: 'attribute', key: 'coupon' }, '2': { from: 'text', value: '30/11' } },
      },
    });
    expect(built.input.startAt).toBe(new Date('2026-11-27T09:00').toISOString());
    expect(campaignInputOf({ ...form, variables: {} }, TEMPLATE)).toEqual({ ok: false, problem: 'variables' });
    expect(campaignInputOf({ ...form, attributes: 'city' }, TEMPLATE)).toEqual({ ok: false, problem: 'attributes', line: 1 });
    expect(campaignInputOf({ ...form, name: ' ' }, TEMPLATE)).toEqual({ ok: false, problem: 'name' });
    expect(campaignInputOf({ ...form, accountId: 'x' }, TEMPLATE)).toEqual({ ok: false, problem: 'account' });
    expect(campaignInputOf(form, undefined)).toEqual({ ok: false, problem: 'template' });
  });

  it('builds a CSV campaign from the file text and its default country', () => {
    const built = campaignInputOf(
      { ...newCampaignForm(), name: 'Lista', accountId: '100', template: 'promo_nov|es', audience: 'csv', csv: 'phone,1\n+5511999,ABC', defaultCountry: 'br' },
      TEMPLATE,
    );
    expect(built).toMatchObject({ ok: true, input: { audience: { kind: 'csv', csv: 'phone,1\n+5511999,ABC', defaultCountry: 'BR' } } });
    expect(campaignInputOf({ ...newCampaignForm(), name: 'Lista', accountId: '100', template: 'promo_nov|es', audience: 'csv' }, TEMPLATE)).toEqual({
      ok: false,
      problem: 'csv',
    });
  });

  it('offers the actions each state allows', () => {
    expect(campaignActions('draft')).toEqual(['preview', 'schedule', 'cancel']);
    expect(campaignActions('running')).toEqual(['pause', 'cancel']);
    expect(campaignActions('paused')).toEqual(['resume', 'cancel']);
    expect(campaignActions('completed')).toEqual([]);
  });

  it("reads a refused file's bad lines and nothing else", () => {
    expect(badLinesOf({ error: 'invalid_rows', badLines: [{ line: 3, message: 'phone: not a number' }, { line: 'x' }], badLineCount: 7 })).toEqual({
      lines: [{ line: 3, message: 'phone: not a number' }],
      count: 7,
    });
    expect(badLinesOf({ error: 'invalid_request' })).toBeUndefined();
    expect(parseAttributes('\n a = b \n')).toEqual({ ok: true, value: { a: 'b' } });
  });
});
