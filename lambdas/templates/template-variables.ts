import { z } from 'zod';
import { componentOf, variablesOf, type StoredTemplate } from '#lambdas/templates/template-item';
import { TemplateVariablesError } from '#lambdas/templates/errors';

/**
 * What the caller fills a template with. `header` and `body` are a list for positional templates
 * (`{{1}}`, `{{2}}`, … in order) and a map for named ones (`{{first_name}}`); `buttons` maps a
 * button's index to its value (a URL button's suffix, a copy-code button's code).
 */
export const templateVariablesSchema = z
  .object({
    header: z.union([z.array(z.string()), z.record(z.string(), z.string())]).optional(),
    headerMedia: z
      .object({ link: z.url().optional(), id: z.string().min(1).optional(), filename: z.string().min(1).optional() })
      .refine((m) => (m.link === undefined) !== (m.id === undefined), 'headerMedia needs exactly one of link or id')
      .optional(),
    headerLocation: z
      .object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), name: z.string().optional(), address: z.string().optional() })
      .optional(),
    body: z.union([z.array(z.string()), z.record(z.string(), z.string())]).optional(),
    buttons: z.record(z.string().regex(/^\d+$/), z.string()).optional(),
  })
  .strict();
export type TemplateVariables = z.infer<typeof templateVariablesSchema>;

/** Meta's limits on what a parameter may hold (error 132018 and the component lengths). */
const BODY_MAX = 1024;
const HEADER_TEXT_MAX = 60;
const URL_SUFFIX_MAX = 2000;

type Values = string[] | Record<string, string> | undefined;
type SendParameter = Record<string, unknown>;

/**
 * Checks the caller's variables against the stored template and builds the `components` of the
 * Graph send: every variable the template has is given, none it lacks, in the template's parameter
 * format, with media of the header's kind. Throws TemplateVariablesError otherwise.
 */
export function buildTemplateComponents(template: StoredTemplate, variables: TemplateVariables = {}): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const named = template.parameterFormat === 'NAMED';

  const header = componentOf(template.components, 'HEADER');
  const headerFormat = header?.format?.toUpperCase();
  if (!header) {
    if (variables.header !== undefined || variables.headerMedia || variables.headerLocation) {
      throw new TemplateVariablesError('header', 'the template has no header; remove the header variables');
    }
  } else if (headerFormat === 'TEXT' || headerFormat === undefined) {
    if (variables.headerMedia || variables.headerLocation) throw new TemplateVariablesError('header', 'the header is text; it takes no media or location');
    const parameters = textParameters('header', variablesOf(header.text), variables.header, named);
    checkLength('header', header.text, parameters, HEADER_TEXT_MAX);
    if (parameters.length > 0) out.push({ type: 'header', parameters });
  } else if (headerFormat === 'IMAGE' || headerFormat === 'VIDEO' || headerFormat === 'DOCUMENT') {
    const kind = headerFormat.toLowerCase();
    if (variables.header !== undefined || variables.headerLocation)
      throw new TemplateVariablesError('header', `the header is ${kind === 'image' ? 'an' : 'a'} ${kind}; give headerMedia only`);
    const media = variables.headerMedia;
    if (!media)
      throw new TemplateVariablesError(
        'header',
        `the header needs ${kind === 'image' ? 'an' : 'a'} ${kind}: give headerMedia with a link or an uploaded media id`,
        kind,
      );
    if (media.filename && kind !== 'document') throw new TemplateVariablesError('header', 'only a document header takes a filename', 'filename');
    const value = { ...(media.id ? { id: media.id } : { link: media.link }), ...(media.filename ? { filename: media.filename } : {}) };
    out.push({ type: 'header', parameters: [{ type: kind, [kind]: value }] });
  } else if (headerFormat === 'LOCATION') {
    if (variables.header !== undefined || variables.headerMedia)
      throw new TemplateVariablesError('header', 'the header is a location; give headerLocation only');
    if (!variables.headerLocation)
      throw new TemplateVariablesError('header', 'the header needs a location: give headerLocation with latitude and longitude', 'location');
    out.push({ type: 'header', parameters: [{ type: 'location', location: variables.headerLocation }] });
  }

  const body = componentOf(template.components, 'BODY');
  const bodyParameters = textParameters('body', variablesOf(body?.text), variables.body, named);
  checkLength('body', body?.text, bodyParameters, BODY_MAX);
  if (bodyParameters.length > 0) out.push({ type: 'body', parameters: bodyParameters });

  out.push(...buttonComponents(template, variables.buttons ?? {}));
  return out;
}

/** One text parameter per variable, checked for presence, count, names and Meta's character rules. */
function textParameters(component: string, expected: string[], given: Values, named: boolean): SendParameter[] {
  if (expected.length === 0) {
    const count = given === undefined ? 0 : Array.isArray(given) ? given.length : Object.keys(given).length;
    if (count > 0) throw new TemplateVariablesError(component, `the ${component} has no variables; got ${count}`);
    return [];
  }
  if (given === undefined) {
    throw new TemplateVariablesError(
      component,
      `the ${component} needs ${expected.length} variable${expected.length > 1 ? 's' : ''}: ${expected.map((v) => `{{${v}}}`).join(', ')}`,
      expected[0],
    );
  }
  if (named) {
    if (Array.isArray(given))
      throw new TemplateVariablesError(component, `the ${component} uses named parameters (${expected.join(', ')}); give a map of name to value, not a list`);
    for (const name of expected) {
      if (given[name] === undefined) throw new TemplateVariablesError(component, `the ${component} parameter {{${name}}} is missing`, name);
    }
    const extra = Object.keys(given).find((k) => !expected.includes(k));
    if (extra)
      throw new TemplateVariablesError(
        component,
        `the ${component} has no parameter {{${extra}}}; it has ${expected.map((v) => `{{${v}}}`).join(', ')}`,
        extra,
      );
    return expected.map((name) => ({ type: 'text', parameter_name: name, text: checkedText(component, name, given[name]!) }));
  }
  if (!Array.isArray(given)) throw new TemplateVariablesError(component, `the ${component} uses positional parameters ({{1}} …); give a list, not a map`);
  if (given.length !== expected.length) {
    throw new TemplateVariablesError(
      component,
      `the ${component} expects ${expected.length} parameter${expected.length > 1 ? 's' : ''}, got ${given.length}`,
      String(Math.min(given.length, expected.length) + 1),
    );
  }
  // Positional variables are numbered 1..n; the n-th value fills {{n}} wherever it appears.
  const ordered = [...expected].sort((a, b) => Number(a) - Number(b));
  return ordered.map((n, i) => ({ type: 'text', text: checkedText(component, n, given[i]!) }));
}

/** Meta refuses empty parameters and, in a body, new lines, tabs and more than four spaces in a row. */
function checkedText(component: string, parameter: string, value: string): string {
  if (value.trim().length === 0) throw new TemplateVariablesError(component, `the ${component} parameter {{${parameter}}} is empty`, parameter);
  if (/[\n\t]| {5,}/.test(value)) {
    throw new TemplateVariablesError(
      component,
      `the ${component} parameter {{${parameter}}} has a new line, a tab or more than four spaces in a row`,
      parameter,
    );
  }
  return value;
}

function checkLength(component: string, text: string | undefined, parameters: SendParameter[], max: number): void {
  if (!text) return;
  let filled = text;
  parameters.forEach((p, i) => {
    const key = (p.parameter_name as string | undefined) ?? String(i + 1);
    filled = filled.replaceAll(new RegExp(`\\{\\{\\s*${key}\\s*\\}\\}`, 'g'), String(p.text));
  });
  if (filled.length > max) throw new TemplateVariablesError(component, `the ${component} would be ${filled.length} characters long; the limit is ${max}`);
}

/**
 * Buttons that take a value at send time: a URL with a variable (its suffix) and a copy-code button
 * (the code). Quick replies, phone numbers, plain URLs and flows are sent as approved.
 */
function buttonComponents(template: StoredTemplate, given: Record<string, string>): Array<Record<string, unknown>> {
  const buttons = componentOf(template.components, 'BUTTONS')?.buttons ?? [];
  const out: Array<Record<string, unknown>> = [];
  const used = new Set<string>();
  buttons.forEach((button, index) => {
    const type = button.type.toUpperCase();
    const key = String(index);
    const label = `button ${index} (${type}${button.text ? ` "${button.text}"` : ''})`;
    if (type === 'URL' && variablesOf(button.url).length > 0) {
      const value = given[key];
      if (value === undefined) throw new TemplateVariablesError('buttons', `${label} needs its URL suffix`, key);
      if (value.trim().length === 0 || value.length > URL_SUFFIX_MAX)
        throw new TemplateVariablesError('buttons', `${label} has an empty or too long URL suffix`, key);
      used.add(key);
      out.push({ type: 'button', sub_type: 'url', index: key, parameters: [{ type: 'text', text: value }] });
    } else if (type === 'COPY_CODE') {
      const value = given[key];
      if (value === undefined) throw new TemplateVariablesError('buttons', `${label} needs the code to copy`, key);
      if (value.length === 0 || value.length > 15) throw new TemplateVariablesError('buttons', `${label} takes a code of 1 to 15 characters`, key);
      used.add(key);
      out.push({ type: 'button', sub_type: 'copy_code', index: key, parameters: [{ type: 'coupon_code', coupon_code: value }] });
    }
  });
  const extra = Object.keys(given).find((k) => !used.has(k));
  if (extra !== undefined) {
    const button = buttons[Number(extra)];
    throw new TemplateVariablesError(
      'buttons',
      button ? `button ${extra} (${button.type.toUpperCase()}) takes no value` : `the template has no button ${extra}`,
      extra,
    );
  }
  return out;
}
