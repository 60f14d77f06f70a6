import type { TemplateStore } from '#lambdas/templates/template-store';

/** A stored template as the API and the CLI list it: the flat attributes, not the components. */
export interface TemplateSummary {
  name: string;
  language: string;
  status: string;
  category?: string;
  pendingCategory?: string;
  qualityScore?: string;
  parameterFormat?: string;
  bodyParameterCount?: number;
  headerFormat?: string;
  /** The header's text variables (0 for a media header); with the names below, what a campaign form asks for. */
  headerParameterCount?: number;
  /** The body's variables in order, comma-separated (`1,2` or `first_name,date`). */
  bodyParameterNames?: string;
  buttonTypes?: string;
  urlButtonVariableCount?: number;
  needsSync?: boolean;
  statusUpdatedAt?: string;
  syncedAt?: string;
}

const FIELDS = [
  'name',
  'language',
  'status',
  'category',
  'pendingCategory',
  'qualityScore',
  'parameterFormat',
  'bodyParameterCount',
  'headerFormat',
  'headerParameterCount',
  'bodyParameterNames',
  'buttonTypes',
  'urlButtonVariableCount',
  'needsSync',
  'statusUpdatedAt',
  'syncedAt',
] as const;

/** Every stored template of a WABA, by name then language. */
export async function listTemplates(wabaId: string, deps: { templates: Pick<TemplateStore, 'templatesOfWaba'> }): Promise<TemplateSummary[]> {
  const out: TemplateSummary[] = [];
  for await (const item of deps.templates.templatesOfWaba(wabaId, FIELDS)) out.push(item as unknown as TemplateSummary);
  return out;
}
