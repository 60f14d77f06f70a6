/**
 * The Campaigns screen's form and figures, kept pure (unit-tested without a browser). The API checks
 * everything again (lambdas/campaigns/campaign-input.ts): this only shapes what the person typed.
 */
import type { Campaign, CampaignInput, CampaignState, VariableSource } from '../../../lambdas/campaigns/campaign-model.ts';

export type { Campaign, CampaignState };

/**
 * A template as the templates API lists it (`GET /templates?wabaId=`: flat attributes,
 * lambdas/templates/list-templates.ts), or with Meta's components when a caller has them.
 */
export interface TemplateRow {
  name: string;
  language: string;
  status?: string;
  category?: string;
  parameterFormat?: string;
  headerFormat?: string;
  headerParameterCount?: number;
  bodyParameterCount?: number;
  bodyParameterNames?: string;
  buttonTypes?: string;
  urlButtonVariableCount?: number;
  components?: Array<{ type?: string; format?: string; text?: string; buttons?: Array<{ type?: string; url?: string }> }>;
}

export type VariableChoice = { from: 'contact'; field: 'name' | 'first_name' | 'phone' } | { from: 'attribute'; key: string } | { from: 'text'; value: string };

export interface CampaignForm {
  name: string;
  accountId: string;
  /** `<name>|<language>` of the chosen template. */
  template: string;
  headerMediaLink: string;
  audience: 'contacts' | 'csv';
  /** Comma or space separated. */
  tags: string;
  excludeTags: string;
  /** One `key=value` a line. */
  attributes: string;
  variables: Record<string, VariableChoice>;
  csv: string;
  defaultCountry: string;
  /** `datetime-local` value in the browser's zone; empty: start when scheduled. */
  startAt: string;
}

export function newCampaignForm(): CampaignForm {
  return {
    name: '',
    accountId: '',
    template: '',
    headerMediaLink: '',
    audience: 'contacts',
    tags: '',
    excludeTags: '',
    attributes: '',
    variables: {},
    csv: '',
    defaultCountry: '',
    startAt: '',
  };
}

export const templateKey = (t: Pick<TemplateRow, 'name' | 'language'>) => `${t.name}|${t.language}`;

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const variablesIn = (text: string | undefined) => [...new Set([...(text ?? '').matchAll(VARIABLE)].map((m) => m[1]!))];

/**
 * The names a campaign gives the template's variables, as the API names them
 * (campaigns/campaign-variables.ts): `header.<v>`, the body's own, `button.<index>`.
 */
export function templateVariables(template: TemplateRow | undefined): string[] {
  if (template && !template.components) return variablesOfSummary(template);
  const components = template?.components ?? [];
  const of = (type: string) => components.find((c) => c.type?.toUpperCase() === type);
  const header = of('HEADER');
  const out: string[] = [];
  if (header && (header.format === undefined || header.format.toUpperCase() === 'TEXT')) out.push(...variablesIn(header.text).map((v) => `header.${v}`));
  out.push(...variablesIn(of('BODY')?.text));
  (of('BUTTONS')?.buttons ?? []).forEach((b, i) => {
    const type = (b.type ?? '').toUpperCase();
    if ((type === 'URL' && variablesIn(b.url).length > 0) || type === 'COPY_CODE') out.push(`button.${i}`);
  });
  return out;
}

/**
 * The same names from the listing's flat attributes: positional header variables `header.1…`, the
 * body's names (or `1…n`), `button.<i>` for a code to copy and for URL buttons when the template's
 * URL buttons take a variable. A named header's variables are not listed: the API names any missing.
 */
function variablesOfSummary(t: TemplateRow): string[] {
  const out: string[] = [];
  const positional = (t.parameterFormat ?? 'POSITIONAL').toUpperCase() !== 'NAMED';
  if ((t.headerFormat ?? '').toUpperCase() === 'TEXT' && positional) for (let i = 1; i <= (t.headerParameterCount ?? 0); i++) out.push(`header.${i}`);
  const body = t.bodyParameterNames
    ? t.bodyParameterNames.split(',').filter(Boolean)
    : Array.from({ length: t.bodyParameterCount ?? 0 }, (_, i) => String(i + 1));
  out.push(...body);
  let urlVariables = t.urlButtonVariableCount ?? 0;
  (t.buttonTypes ?? '').split(',').forEach((type, i) => {
    if (type === 'COPY_CODE') out.push(`button.${i}`);
    else if (type === 'URL' && urlVariables > 0) {
      urlVariables--;
      out.push(`button.${i}`);
    }
  });
  return out;
}

/** Whether the template's header is a photo, video or document (the campaign then needs a link to one). */
export function needsHeaderMedia(template: TemplateRow | undefined): boolean {
  const format = (template?.components?.find((c) => c.type?.toUpperCase() === 'HEADER')?.format ?? template?.headerFormat)?.toUpperCase();
  return format === 'IMAGE' || format === 'VIDEO' || format === 'DOCUMENT';
}

const tagList = (text: string) => [
  ...new Set(
    text
      .split(/[\s,;]+/)
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  ),
];

function attributeValue(raw: string): string | number | boolean {
  const v = raw.trim();
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^-?\d{1,15}(\.\d+)?$/.test(v)) return Number(v);
  return v;
}

/** `key=value` lines; a line without `=` is a problem the form names (its number). */
export function parseAttributes(text: string): { ok: true; value: Record<string, string | number | boolean> } | { ok: false; line: number } {
  const value: Record<string, string | number | boolean> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const at = line.indexOf('=');
    if (at <= 0) return { ok: false, line: i + 1 };
    value[line.slice(0, at).trim()] = attributeValue(line.slice(at + 1));
  }
  return { ok: true, value };
}

function sourceOf(choice: VariableChoice): VariableSource {
  if (choice.from === 'contact') return { from: 'contact', field: choice.field };
  if (choice.from === 'attribute') return { from: 'attribute', key: choice.key.trim() };
  return { from: 'text', value: choice.value };
}

/** The API's CampaignInput from the form; `problem` names what to fix first. */
export function campaignInputOf(
  form: CampaignForm,
  template: TemplateRow | undefined,
):
  | { ok: true; input: CampaignInput }
  | { ok: false; problem: 'name' | 'account' | 'template' | 'attributes' | 'variables' | 'csv' | 'startAt'; line?: number } {
  if (!form.name.trim()) return { ok: false, problem: 'name' };
  if (!/^\d+$/.test(form.accountId)) return { ok: false, problem: 'account' };
  const [name, language] = form.template.split('|');
  if (!template || !name || !language) return { ok: false, problem: 'template' };
  let startAt: string | undefined;
  if (form.startAt.trim()) {
    const at = new Date(form.startAt);
    if (!Number.isFinite(at.getTime())) return { ok: false, problem: 'startAt' };
    startAt = at.toISOString();
  }
  const base = {
    name: form.name.trim(),
    accountId: form.accountId,
    template: { name, language, ...(form.headerMediaLink.trim() ? { headerMediaLink: form.headerMediaLink.trim() } : {}) },
    ...(startAt ? { startAt } : {}),
  };
  if (form.audience === 'csv') {
    if (!form.csv.trim()) return { ok: false, problem: 'csv' };
    return {
      ok: true,
      input: {
        ...base,
        audience: { kind: 'csv', csv: form.csv, ...(form.defaultCountry.trim() ? { defaultCountry: form.defaultCountry.trim().toUpperCase() } : {}) },
      },
    };
  }
  const attributes = parseAttributes(form.attributes);
  if (!attributes.ok) return { ok: false, problem: 'attributes', line: attributes.line };
  const names = templateVariables(template);
  const variables: Record<string, VariableSource> = {};
  for (const v of names) {
    const choice = form.variables[v];
    if (!choice || (choice.from === 'attribute' && !choice.key.trim()) || (choice.from === 'text' && !choice.value.trim()))
      return { ok: false, problem: 'variables' };
    variables[v] = sourceOf(choice);
  }
  const tags = tagList(form.tags);
  const excludeTags = tagList(form.excludeTags);
  return {
    ok: true,
    input: {
      ...base,
      audience: {
        kind: 'contacts',
        ...(tags.length ? { tags } : {}),
        ...(excludeTags.length ? { excludeTags } : {}),
        ...(Object.keys(attributes.value).length ? { attributes: attributes.value } : {}),
        ...(names.length ? { variables } : {}),
      },
    },
  };
}

/** What a person may do with a campaign in its state (the API refuses anything else with 409). */
export function campaignActions(state: CampaignState | string): Array<'preview' | 'schedule' | 'pause' | 'resume' | 'cancel'> {
  switch (state) {
    case 'draft':
      return ['preview', 'schedule', 'cancel'];
    case 'scheduled':
    case 'running':
      return ['pause', 'cancel'];
    case 'paused':
      return ['resume', 'cancel'];
    default:
      return [];
  }
}

/** A refused CSV's bad lines (`400 invalid_rows`: `badLines`, `badLineCount`), when the refusal carries them. */
export function badLinesOf(body: unknown): { lines: Array<{ line: number; message: string }>; count: number } | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { badLines?: unknown; badLineCount?: unknown };
  if (!Array.isArray(b.badLines)) return undefined;
  const lines = b.badLines
    .filter(
      (l): l is { line: number; message: string } =>
        typeof l === 'object' && l !== null && typeof (l as { line?: unknown }).line === 'number' && typeof (l as { message?: unknown }).message === 'string',
    )
    .slice(0, 100);
  return { lines, count: typeof b.badLineCount === 'number' ? b.badLineCount : lines.length };
}
