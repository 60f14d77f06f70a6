import { z } from 'zod';
import { wabaPk } from '#lambdas/accounts/channel-account';

/**
 * One item per approved-or-not WhatsApp template and language, under its WhatsApp Business Account:
 *
 *   pk              sk                              entity
 *   WABA#<waba id>  TEMPLATE#<name>#<language>      Template
 *   WABA#<waba id>  TEMPLATESYNC                    TemplateSync  (last run of the sync)
 *
 * Meta's `components` are kept whole as JSON (what a send is validated against); analysts read the
 * flat attributes (status, category, quality, parameter counts, button kinds) without parsing it.
 * Status, category and quality each carry the time of the news they came from, so an older webhook
 * or an older listing never overwrites a newer one.
 */
export const templateSk = (name: string, language: string) => `TEMPLATE#${name}#${language}`;
export const TEMPLATE_SK_PREFIX = 'TEMPLATE#';
export const TEMPLATE_SYNC_SK = 'TEMPLATESYNC';
export const templateKey = (wabaId: string, name: string, language: string) => ({ pk: wabaPk(wabaId), sk: templateSk(name, language) });

/** Meta's template statuses, plus `DELETED` for a template the listing no longer returns. */
export type TemplateStatus =
  | 'APPROVED'
  | 'PENDING'
  | 'REJECTED'
  | 'PAUSED'
  | 'DISABLED'
  | 'FLAGGED'
  | 'IN_APPEAL'
  | 'PENDING_DELETION'
  | 'REINSTATED'
  | 'LIMIT_EXCEEDED'
  | 'ARCHIVED'
  | 'DELETED'
  | (string & {});

export type ParameterFormat = 'POSITIONAL' | 'NAMED';

const componentSchema = z.looseObject({
  type: z.string().min(1),
  format: z.string().optional(),
  text: z.string().optional(),
  buttons: z
    .array(z.looseObject({ type: z.string().min(1), text: z.string().optional(), url: z.string().optional(), phone_number: z.string().optional() }))
    .optional(),
});
export type TemplateComponent = z.infer<typeof componentSchema>;

/** One entry of `GET /{waba-id}/message_templates` (the fields the sync asks for). */
export const graphTemplateSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  language: z.string().min(1),
  status: z.string().min(1),
  category: z.string().min(1),
  sub_category: z.string().optional(),
  previous_category: z.string().optional(),
  parameter_format: z.string().optional(),
  rejected_reason: z.string().optional(),
  quality_score: z.looseObject({ score: z.string().optional(), date: z.number().optional() }).nullish(),
  components: z.array(componentSchema).default([]),
});
export type GraphTemplate = z.infer<typeof graphTemplateSchema>;

/** What a send is checked against, read back from the item. */
export interface StoredTemplate {
  wabaId: string;
  templateId?: string;
  name: string;
  language: string;
  status: TemplateStatus;
  category?: string;
  parameterFormat: ParameterFormat;
  components: TemplateComponent[];
  needsSync?: boolean;
}

/** The fields the sync asks Meta for. */
export const TEMPLATE_FIELDS = [
  'id',
  'name',
  'language',
  'status',
  'category',
  'sub_category',
  'previous_category',
  'parameter_format',
  'rejected_reason',
  'quality_score',
  'components',
] as const;

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The variables of a text in order of appearance, each once: `['1', '2']` or `['first_name']`. */
export function variablesOf(text: string | undefined): string[] {
  if (!text) return [];
  const seen: string[] = [];
  for (const match of text.matchAll(VARIABLE)) if (!seen.includes(match[1]!)) seen.push(match[1]!);
  return seen;
}

/** Meta's default is positional; a template whose variables are names is named whatever the field says. */
export function parameterFormatOf(template: Pick<GraphTemplate, 'parameter_format' | 'components'>): ParameterFormat {
  if (template.parameter_format?.toUpperCase() === 'NAMED') return 'NAMED';
  if (template.parameter_format?.toUpperCase() === 'POSITIONAL') return 'POSITIONAL';
  const names = template.components.flatMap((c) => variablesOf(c.text));
  return names.some((n) => !/^\d+$/.test(n)) ? 'NAMED' : 'POSITIONAL';
}

export const componentOf = (components: readonly TemplateComponent[], type: string) => components.find((c) => c.type.toUpperCase() === type);

/** Flat attributes analysts read without parsing the components. */
export function flatTemplateAttributes(components: readonly TemplateComponent[]): Record<string, string | number | boolean> {
  const header = componentOf(components, 'HEADER');
  const body = componentOf(components, 'BODY');
  const buttons = componentOf(components, 'BUTTONS')?.buttons ?? [];
  const bodyVariables = variablesOf(body?.text);
  return {
    headerFormat: header?.format?.toUpperCase() ?? 'NONE',
    headerParameterCount: header?.format?.toUpperCase() === 'TEXT' ? variablesOf(header.text).length : 0,
    bodyParameterCount: bodyVariables.length,
    ...(bodyVariables.length > 0 ? { bodyParameterNames: bodyVariables.join(',') } : {}),
    hasFooter: componentOf(components, 'FOOTER') !== undefined,
    buttonCount: buttons.length,
    ...(buttons.length > 0 ? { buttonTypes: buttons.map((b) => b.type.toUpperCase()).join(',') } : {}),
    urlButtonVariableCount: buttons.filter((b) => b.type.toUpperCase() === 'URL' && variablesOf(b.url).length > 0).length,
  };
}

/** Reads a Template item back; `undefined` when the item is not one. */
export function storedTemplateOf(item: Record<string, unknown> | undefined): StoredTemplate | undefined {
  if (item?.entity !== 'Template') return undefined;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  let components: TemplateComponent[] = [];
  const json = str(item.componentsJson);
  if (json) {
    const parsed = z.array(componentSchema).safeParse(JSON.parse(json));
    if (parsed.success) components = parsed.data;
  }
  const wabaId = str(item.wabaId);
  const name = str(item.name);
  const language = str(item.language);
  if (!wabaId || !name || !language) return undefined;
  const templateId = str(item.templateId);
  const category = str(item.category);
  return {
    wabaId,
    name,
    language,
    status: str(item.status) ?? 'PENDING',
    parameterFormat: item.parameterFormat === 'NAMED' ? 'NAMED' : 'POSITIONAL',
    components,
    ...(templateId ? { templateId } : {}),
    ...(category ? { category } : {}),
    ...(item.needsSync === true ? { needsSync: true } : {}),
  };
}
