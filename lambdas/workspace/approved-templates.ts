import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { queryWabaTemplates } from '#lambdas/templates/query-waba-templates';
import { componentOf, storedTemplateOf, variablesOf, type StoredTemplate } from '#lambdas/templates/template-item';

/** An approved template as an agent fills it: what each part needs. */
export interface ProposedTemplate {
  name: string;
  language: string;
  category?: string;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  /** The body as approved, with its `{{…}}` placeholders. */
  bodyText?: string;
  headerVariables: string[];
  /** IMAGE, VIDEO, DOCUMENT or LOCATION when the header needs one. */
  headerMedia?: string;
  bodyVariables: string[];
  /** Indexes of buttons that need a value (URL suffix, copy code). */
  buttonVariables: string[];
}

export interface ApprovedTemplateSource {
  approvedTemplates(wabaId: string): Promise<ProposedTemplate[]>;
}

const ATTRIBUTES = ['entity', 'wabaId', 'templateId', 'name', 'language', 'status', 'category', 'parameterFormat', 'componentsJson', 'needsSync'] as const;

/** Templates stored by the templates API (synced from Meta), approved and with their components known. */
export function storedApprovedTemplates(deps: { db: DocumentClient; tableName: string }): ApprovedTemplateSource {
  return {
    async approvedTemplates(wabaId) {
      const out: ProposedTemplate[] = [];
      for await (const item of queryWabaTemplates(deps, wabaId, ATTRIBUTES)) {
        const template = storedTemplateOf(item);
        if (template && template.status === 'APPROVED' && template.components.length > 0) out.push(proposedTemplate(template));
        if (out.length >= 200) break;
      }
      return out;
    },
  };
}

export function proposedTemplate(template: StoredTemplate): ProposedTemplate {
  const header = componentOf(template.components, 'HEADER');
  const headerFormat = header?.format?.toUpperCase();
  const body = componentOf(template.components, 'BODY');
  const buttons = componentOf(template.components, 'BUTTONS')?.buttons ?? [];
  return {
    name: template.name,
    language: template.language,
    ...(template.category ? { category: template.category } : {}),
    parameterFormat: template.parameterFormat,
    ...(body?.text ? { bodyText: body.text } : {}),
    headerVariables: header && (headerFormat === 'TEXT' || headerFormat === undefined) ? variablesOf(header.text) : [],
    ...(headerFormat && headerFormat !== 'TEXT' ? { headerMedia: headerFormat } : {}),
    bodyVariables: variablesOf(body?.text),
    buttonVariables: buttons.flatMap((b, i) =>
      (b.type.toUpperCase() === 'URL' && variablesOf(b.url).length > 0) || b.type.toUpperCase() === 'COPY_CODE' ? [String(i)] : [],
    ),
  };
}
