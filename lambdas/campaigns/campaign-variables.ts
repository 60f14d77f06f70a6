import { componentOf, variablesOf, type StoredTemplate } from '#lambdas/templates/template-item';
import { buildTemplateComponents, type TemplateVariables } from '#lambdas/templates/template-variables';
import { TemplateVariablesError } from '#lambdas/templates/errors';

/**
 * A campaign names a template's variables flat, one value per name, the way a CSV header or a
 * variable mapping can: body variables as the template writes them (`1`, `2` or `first_name`),
 * header text variables with `header.` before them (`header.1`), and buttons that take a value
 * at send time (a URL suffix, a code to copy) as `button.<index>` (`button.0`). A recipient's
 * `variables` use these names; `templateVariablesFor` turns them into what
 * templates/template-variables.ts checks and sends.
 */
export interface CampaignParameter {
  name: string;
  component: 'header' | 'body' | 'button';
}

export type HeaderMediaKind = 'image' | 'video' | 'document';

/** The names a template's campaign variables take, header first, then body, then buttons. */
export function campaignParameters(template: Pick<StoredTemplate, 'components'>): CampaignParameter[] {
  const out: CampaignParameter[] = [];
  const header = componentOf(template.components, 'HEADER');
  const headerFormat = header?.format?.toUpperCase();
  if (header && (headerFormat === 'TEXT' || headerFormat === undefined)) {
    for (const v of variablesOf(header.text)) out.push({ name: `header.${v}`, component: 'header' });
  }
  for (const v of variablesOf(componentOf(template.components, 'BODY')?.text)) out.push({ name: v, component: 'body' });
  (componentOf(template.components, 'BUTTONS')?.buttons ?? []).forEach((button, index) => {
    const type = button.type.toUpperCase();
    if ((type === 'URL' && variablesOf(button.url).length > 0) || type === 'COPY_CODE') out.push({ name: `button.${index}`, component: 'button' });
  });
  return out;
}

/** The header's media kind when the template has an image, video or document header (a link is then needed). */
export function headerMediaKind(template: Pick<StoredTemplate, 'components'>): HeaderMediaKind | 'location' | undefined {
  const format = componentOf(template.components, 'HEADER')?.format?.toUpperCase();
  if (format === 'IMAGE' || format === 'VIDEO' || format === 'DOCUMENT') return format.toLowerCase() as HeaderMediaKind;
  if (format === 'LOCATION') return 'location';
  return undefined;
}

/** A recipient's flat values as the template sender's variables (missing values left out: the check names them). */
export function templateVariablesFor(
  template: Pick<StoredTemplate, 'components' | 'parameterFormat'>,
  values: Readonly<Record<string, string>>,
  headerMediaLink?: string,
): TemplateVariables {
  const named = template.parameterFormat === 'NAMED';
  const header = componentOf(template.components, 'HEADER');
  const textOf = (names: string[], prefix: string): string[] | Record<string, string> | undefined => {
    if (names.length === 0) return undefined;
    if (named) return Object.fromEntries(names.filter((n) => values[`${prefix}${n}`] !== undefined).map((n) => [n, values[`${prefix}${n}`]!]));
    // Positional: the n-th value fills {{n}}.
    return [...names].sort((a, b) => Number(a) - Number(b)).map((n) => values[`${prefix}${n}`] ?? '');
  };
  const out: TemplateVariables = {};
  const headerFormat = header?.format?.toUpperCase();
  if (header && (headerFormat === 'TEXT' || headerFormat === undefined)) {
    const h = textOf(variablesOf(header.text), 'header.');
    if (h !== undefined) out.header = h;
  }
  const media = headerMediaKind(template);
  if (media && media !== 'location' && headerMediaLink) out.headerMedia = { link: headerMediaLink };
  const body = textOf(variablesOf(componentOf(template.components, 'BODY')?.text), '');
  if (body !== undefined) out.body = body;
  const buttons = Object.fromEntries(
    Object.entries(values)
      .filter(([k]) => /^button\.\d{1,2}$/.test(k))
      .map(([k, v]) => [k.slice('button.'.length), v]),
  );
  if (Object.keys(buttons).length > 0) out.buttons = buttons;
  return out;
}

export type VariablesCheck = { ok: true; components: Array<Record<string, unknown>> } | { ok: false; message: string; parameter?: string };

/**
 * Whether a recipient's values fill the template as Meta will take it: every variable given and
 * no other, Meta's rules on parameter text (no empty value, no new lines or tabs in the body),
 * lengths, and the header's media. The send components when they do.
 */
export function checkCampaignVariables(template: StoredTemplate, values: Readonly<Record<string, string>>, headerMediaLink?: string): VariablesCheck {
  const expected = campaignParameters(template).map((p) => p.name);
  const missing = expected.find((name) => values[name] === undefined || values[name]!.trim().length === 0);
  if (missing !== undefined) return { ok: false, message: `{{${missing}}} has no value`, parameter: missing };
  const extra = Object.keys(values).find((name) => !expected.includes(name));
  if (extra !== undefined) return { ok: false, message: `the template has no variable ${extra}`, parameter: extra };
  try {
    return { ok: true, components: buildTemplateComponents(template, templateVariablesFor(template, values, headerMediaLink)) };
  } catch (err) {
    if (err instanceof TemplateVariablesError) return { ok: false, message: err.message, ...(err.parameter !== undefined ? { parameter: err.parameter } : {}) };
    throw err;
  }
}
