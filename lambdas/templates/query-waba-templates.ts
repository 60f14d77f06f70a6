import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { TEMPLATE_SK_PREFIX } from '#lambdas/templates/template-item';
import { createTemplateStore } from '#lambdas/templates/template-store';

/**
 * Every Template item of a WABA (one partition, sort keys `TEMPLATE#…`), page by page, with only
 * the attributes asked for: the template store's `templatesOfWaba`, for callers holding the client.
 */
export function queryWabaTemplates(
  deps: { db: DocumentClient; tableName: string },
  wabaId: string,
  attributes: readonly string[],
  skPrefix: string = TEMPLATE_SK_PREFIX,
): AsyncGenerator<Record<string, unknown>> {
  return createTemplateStore(deps.db, deps.tableName).templatesOfWaba(wabaId, attributes, skPrefix);
}
