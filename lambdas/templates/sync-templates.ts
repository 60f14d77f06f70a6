import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { wabaPk } from '#lambdas/accounts/channel-account';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import type { AccessTokenFor } from '#lambdas/outbound/access-tokens';
import { listGraphTemplates, type GraphGet } from '#lambdas/templates/list-graph-templates';
import { queryWabaTemplates } from '#lambdas/templates/query-waba-templates';
import { flatTemplateAttributes, parameterFormatOf, TEMPLATE_SYNC_SK, templateKey, templateSk, type GraphTemplate } from '#lambdas/templates/template-item';

export interface SyncTemplatesDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  /** The WABA's token (see waba-access-token.ts), asked with the WABA id. */
  accessTokenFor: AccessTokenFor;
  /** Graph GETs (the Graph client of onboarding serves any read with a query). */
  graphGet: GraphGet;
  /** Templates asked for per page (Meta's answer may hold fewer). */
  pageSize?: number;
  now?: () => Date;
}

export interface SyncResult {
  wabaId: string;
  pages: number;
  /** Templates (name and language) Meta listed. */
  listed: number;
  /** Entries Meta listed that could not be read. */
  unreadable: number;
  /** Stored templates Meta no longer lists, marked `DELETED` by this run. */
  markedDeleted: number;
  syncedAt: string;
}

/**
 * Copies the WABA's templates from Meta into the table, one item per name and language. Every
 * write is an idempotent upsert, so a run that fails half-way leaves only correct items and the
 * next run simply goes through the listing again; only a run that read the listing to its end
 * marks the templates Meta no longer lists as `DELETED` (kept, never forgotten: old messages name them).
 */
export async function syncTemplates(wabaId: string, deps: SyncTemplatesDeps): Promise<SyncResult> {
  const now = () => (deps.now ?? (() => new Date()))();
  const syncedAt = now().toISOString();
  await recordSyncState(deps, wabaId, { lastRunStartedAt: syncedAt });
  const token = await deps.accessTokenFor(wabaId);
  const listed = new Set<string>();
  let pages = 0;
  let unreadable = 0;
  try {
    for await (const page of listGraphTemplates(wabaId, token, deps.graphGet, deps.pageSize)) {
      pages += 1;
      unreadable += page.unreadable;
      for (const template of page.templates) {
        await upsertTemplate(deps, wabaId, template, syncedAt);
        listed.add(templateSk(template.name, template.language));
      }
    }
  } catch (err) {
    await recordSyncState(deps, wabaId, { lastFailedAt: now().toISOString(), lastFailure: (err as Error).name ?? 'Error' });
    throw err;
  }
  const markedDeleted = await markUnlisted(deps, wabaId, listed, syncedAt);
  await recordSyncState(deps, wabaId, {
    lastCompletedAt: now().toISOString(),
    lastSyncedAt: syncedAt,
    templateCount: listed.size,
    unreadableCount: unreadable,
  });
  return { wabaId, pages, listed: listed.size, unreadable, markedDeleted, syncedAt };
}

/** Static fields always; status, category and quality only when this listing is not older than what is stored. */
async function upsertTemplate(deps: SyncTemplatesDeps, wabaId: string, t: GraphTemplate, syncedAt: string): Promise<void> {
  const definition: Record<string, unknown> = {
    entity: 'Template',
    wabaId,
    templateId: t.id,
    name: t.name,
    language: t.language,
    parameterFormat: parameterFormatOf(t),
    componentsJson: JSON.stringify(t.components),
    ...flatTemplateAttributes(t.components),
    syncedAt,
    needsSync: false,
    ...(t.sub_category ? { subCategory: t.sub_category } : {}),
  };
  const news: Record<string, unknown> = {
    status: t.status.toUpperCase(),
    statusUpdatedAt: syncedAt,
    category: t.category.toUpperCase(),
    categoryUpdatedAt: syncedAt,
    ...(t.previous_category ? { previousCategory: t.previous_category.toUpperCase() } : {}),
    ...(t.rejected_reason ? { rejectedReason: t.rejected_reason } : {}),
    ...(t.quality_score?.score ? { qualityScore: t.quality_score.score, qualityUpdatedAt: syncedAt } : {}),
  };
  try {
    await update(deps, templateKey(wabaId, t.name, t.language), { ...definition, ...news }, ['deletedAt'], {
      condition:
        '(attribute_not_exists(statusUpdatedAt) OR statusUpdatedAt <= :syncedAt) AND (attribute_not_exists(categoryUpdatedAt) OR categoryUpdatedAt <= :syncedAt)',
      values: { ':syncedAt': syncedAt },
    });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    // A webhook newer than this listing arrived meanwhile: its status and category stand.
    await update(deps, templateKey(wabaId, t.name, t.language), definition, ['deletedAt']);
  }
}

async function update(
  deps: SyncTemplatesDeps,
  key: Record<string, string>,
  fields: Record<string, unknown>,
  remove: string[] = [],
  condition?: { condition: string; values: Record<string, unknown> },
): Promise<void> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...condition?.values };
  const sets = Object.entries(fields).map(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:f${i}`] = v;
    return `#f${i} = :f${i}`;
  });
  const removes = remove.map((k, i) => {
    names[`#r${i}`] = k;
    return `#r${i}`;
  });
  await deps.db.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ...(condition ? { ConditionExpression: condition.condition } : {}),
    }),
  );
}

/** Stored templates of the WABA the complete listing did not name become `DELETED`. */
async function markUnlisted(deps: SyncTemplatesDeps, wabaId: string, listed: Set<string>, syncedAt: string): Promise<number> {
  let marked = 0;
  for await (const item of queryWabaTemplates(deps, wabaId, ['pk', 'sk', 'status'])) {
    if (listed.has(String(item.sk)) || item.status === 'DELETED') continue;
    try {
      await deps.db.send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET #status = :deleted, statusUpdatedAt = :at, deletedAt = :at, syncedAt = :at',
          // A template created after this listing was read (a webhook or a newer sync wrote it) stays.
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(statusUpdatedAt) OR statusUpdatedAt <= :at)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':deleted': 'DELETED', ':at': syncedAt },
        }),
      );
      marked += 1;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }
  return marked;
}

async function recordSyncState(deps: SyncTemplatesDeps, wabaId: string, fields: Record<string, unknown>): Promise<void> {
  await update(deps, { pk: wabaPk(wabaId), sk: TEMPLATE_SYNC_SK }, { entity: 'TemplateSync', wabaId, ...fields });
}
