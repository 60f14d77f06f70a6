import { describe, expect, it } from 'vitest';
import type { StoredTemplate, TemplateComponent } from '#lambdas/templates/template-item';
import { parameterFormatOf, variablesOf, flatTemplateAttributes } from '#lambdas/templates/template-item';
import { buildTemplateComponents, type TemplateVariables } from '#lambdas/templates/template-variables';
import { TemplateVariablesError } from '#lambdas/templates/errors';

function template(components: TemplateComponent[], parameterFormat: 'POSITIONAL' | 'NAMED' = 'POSITIONAL'): StoredTemplate {
  return { wabaId: '1', name: 't', language: 'en_US', status: 'APPROVED', category: 'UTILITY', parameterFormat, components };
}

function refusal(t: StoredTemplate, variables: TemplateVariables): TemplateVariablesError {
  try {
    buildTemplateComponents(t, variables);
  } catch (err) {
    if (err instanceof TemplateVariablesError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

const positional = template([
  { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
  { type: 'BODY', text: 'Your order {{1}} arrives on {{2}}; {{1}} again.' },
  { type: 'FOOTER', text: 'Bye' },
  {
    type: 'BUTTONS',
    buttons: [
      { type: 'URL', text: 'Track', url: 'https://example.com/t/{{1}}' },
      { type: 'QUICK_REPLY', text: 'Stop' },
      { type: 'PHONE_NUMBER', text: 'Call', phone_number: '+1555' },
      { type: 'URL', text: 'Site', url: 'https://example.com/' },
    ],
  },
]);
const named = template([{ type: 'BODY', text: 'Hi {{first_name}}, see you on {{date}}.' }], 'NAMED');

describe('template variables', () => {
  it('reads variables in order, each once, and tells the parameter format', () => {
    expect(variablesOf('a {{2}} b {{1}} c {{2}}')).toEqual(['2', '1']);
    expect(variablesOf('Hi {{ first_name }}')).toEqual(['first_name']);
    expect(parameterFormatOf({ components: named.components })).toBe('NAMED');
    expect(parameterFormatOf({ parameter_format: 'positional', components: named.components })).toBe('POSITIONAL');
    expect(flatTemplateAttributes(positional.components)).toMatchObject({
      headerFormat: 'TEXT',
      headerParameterCount: 1,
      bodyParameterCount: 2,
      bodyParameterNames: '1,2',
      buttonTypes: 'URL,QUICK_REPLY,PHONE_NUMBER,URL',
      urlButtonVariableCount: 1,
      hasFooter: true,
    });
  });

  it('builds header, body and URL button parameters of a positional template', () => {
    expect(buildTemplateComponents(positional, { header: ['A-1'], body: ['A-1', 'Friday'], buttons: { '0': 'A-1' } })).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: 'A-1' }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'A-1' },
          { type: 'text', text: 'Friday' },
        ],
      },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'A-1' }] },
    ]);
  });

  it('builds named parameters with their names', () => {
    expect(buildTemplateComponents(named, { body: { date: 'Friday', first_name: 'Ana' } })).toEqual([
      {
        type: 'body',
        parameters: [
          { type: 'text', parameter_name: 'first_name', text: 'Ana' },
          { type: 'text', parameter_name: 'date', text: 'Friday' },
        ],
      },
    ]);
  });

  it.each([
    ['a missing body', { header: ['A'], buttons: { '0': 'x' } }, 'body', /needs 2 variables/],
    ['too few body parameters', { header: ['A'], body: ['A'], buttons: { '0': 'x' } }, 'body', /expects 2 parameters, got 1/],
    ['too many body parameters', { header: ['A'], body: ['A', 'B', 'C'], buttons: { '0': 'x' } }, 'body', /expects 2 parameters, got 3/],
    ['a map for a positional body', { header: ['A'], body: { '1': 'A', '2': 'B' }, buttons: { '0': 'x' } }, 'body', /positional parameters/],
    ['a missing header variable', { body: ['A', 'B'], buttons: { '0': 'x' } }, 'header', /header needs 1 variable/],
    ['a missing URL suffix', { header: ['A'], body: ['A', 'B'] }, 'buttons', /button 0 \(URL "Track"\) needs its URL suffix/],
    ['a value for a quick reply', { header: ['A'], body: ['A', 'B'], buttons: { '0': 'x', '1': 'y' } }, 'buttons', /button 1 \(QUICK_REPLY\) takes no value/],
    ['a value for a button that is not there', { header: ['A'], body: ['A', 'B'], buttons: { '0': 'x', '9': 'y' } }, 'buttons', /no button 9/],
    [
      'media for a text header',
      { header: ['A'], headerMedia: { link: 'https://e.com/a.png' }, body: ['A', 'B'], buttons: { '0': 'x' } },
      'header',
      /header is text/,
    ],
    ['a new line in a body parameter', { header: ['A'], body: ['A\nB', 'B'], buttons: { '0': 'x' } }, 'body', /new line/],
    ['an empty body parameter', { header: ['A'], body: [' ', 'B'], buttons: { '0': 'x' } }, 'body', /\{\{1\}\} is empty/],
    ['a body over 1,024 characters', { header: ['A'], body: ['x'.repeat(1100), 'B'], buttons: { '0': 'x' } }, 'body', /limit is 1024/],
  ] as const)('refuses %s, naming the component', (_case, variables, component, message) => {
    const err = refusal(positional, variables as unknown as TemplateVariables);
    expect(err.component).toBe(component);
    expect(err.message).toMatch(message);
  });

  it.each([
    ['a list for a named body', { body: ['Ana', 'Friday'] }, /named parameters \(first_name, date\)/, undefined],
    ['a missing name', { body: { first_name: 'Ana' } }, /\{\{date\}\} is missing/, 'date'],
    ['an unknown name', { body: { first_name: 'Ana', date: 'Fri', city: 'Lima' } }, /no parameter \{\{city\}\}/, 'city'],
  ] as const)('refuses %s in a named template', (_case, variables, message, parameter) => {
    const err = refusal(named, variables as unknown as TemplateVariables);
    expect(err.component).toBe('body');
    expect(err.message).toMatch(message);
    expect(err.parameter).toBe(parameter);
  });

  it.each(['IMAGE', 'VIDEO', 'DOCUMENT'] as const)('needs media of a %s header, by link or id', (format) => {
    const t = template([
      { type: 'HEADER', format },
      { type: 'BODY', text: 'Hello' },
    ]);
    const kind = format.toLowerCase();
    expect(buildTemplateComponents(t, { headerMedia: { id: 'm1' } })).toEqual([{ type: 'header', parameters: [{ type: kind, [kind]: { id: 'm1' } }] }]);
    expect(refusal(t, {}).message).toMatch(new RegExp(`needs an? ${kind}`));
    expect(refusal(t, { header: ['x'] }).component).toBe('header');
    if (format !== 'DOCUMENT') expect(refusal(t, { headerMedia: { id: 'm1', filename: 'a.pdf' } }).parameter).toBe('filename');
  });

  it('needs a location for a location header', () => {
    const t = template([
      { type: 'HEADER', format: 'LOCATION' },
      { type: 'BODY', text: 'Here' },
    ]);
    expect(buildTemplateComponents(t, { headerLocation: { latitude: 1, longitude: 2, name: 'Shop' } })).toEqual([
      { type: 'header', parameters: [{ type: 'location', location: { latitude: 1, longitude: 2, name: 'Shop' } }] },
    ]);
    expect(refusal(t, {}).message).toMatch(/needs a location/);
  });

  it('needs the code of a copy-code button, at most 15 characters', () => {
    const t = template([
      { type: 'BODY', text: 'Your offer' },
      { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE' }, { type: 'QUICK_REPLY', text: 'Stop' }] },
    ]);
    expect(buildTemplateComponents(t, { buttons: { '0': 'SAVE20' } })).toEqual([
      { type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: 'SAVE20' }] },
    ]);
    expect(refusal(t, {}).message).toMatch(/needs the code/);
    expect(refusal(t, { buttons: { '0': 'X'.repeat(16) } }).message).toMatch(/1 to 15/);
  });

  it('sends a template without variables with no components, and refuses variables it has no room for', () => {
    const t = template([
      { type: 'BODY', text: 'Hello' },
      { type: 'BUTTONS', buttons: [{ type: 'FLOW', text: 'Open' }] },
    ]);
    expect(buildTemplateComponents(t, {})).toEqual([]);
    expect(refusal(t, { body: ['x'] }).message).toMatch(/no variables; got 1/);
    expect(refusal(t, { header: ['x'] }).message).toMatch(/no header/);
  });
});
