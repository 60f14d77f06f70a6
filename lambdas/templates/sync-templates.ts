import type { AccessTokenFor } from '#lambdas/outbound/access-tokens';
import { listGraphTemplates, type GraphGet } from '#lambdas/templates/list-graph-templates';
import { flatTemplateAttributes, parameterFormatOf, templateKey, templateSk, type GraphTemplate } from '#lambdas/templates/template-item';
import type { TemplateStore } from '#lambdas/templates/template-store';

export interface SyncTemplatesDeps {
  /** The stored templates and the WABA's sync state. */
  templates: TemplateStore;
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
  const store = deps.templates;
  await store.recordSyncState(wabaId, { lastRunStartedAt: syncedAt });
  const token = await deps.accessTokenFor(wabaId);
  const listed = new Set<string>();
  let pages = 0;
  let unreadable = 0;
  try {
    for await (const page of listGraphTemplates(wabaId, token, deps.graphGet, deps.pageSize)) {
      pages += 1;
      unreadable += page.unreadable;
      for (const template of page.templates) {
        await upsertTemplate(store, wabaId, template, syncedAt);
        listed.add(templateSk(template.name, template.language));
      }
    }
  } catch (err) {
    await store.recordSyncState(wabaId, { lastFailedAt: now().toISOString(), lastFailure: (err as Error).name ?? 'Error' });
    throw err;
  }
  const markedDeleted = await markUnlisted(store, wabaId, listed, syncedAt);
  await store.recordSyncState(wabaId, {
    lastCompletedAt: now().toISOString(),
    lastSyncedAt: syncedAt,
    templateCount: listed.size,
    unreadableCount: unreadable,
  });
  return { wabaId, pages, listed: listed.size, unreadable, markedDeleted, syncedAt };
}

/** Static fields always; status, category and quality only when this listing is not older than what is stored. */
async function upsertTemplate(store: TemplateStore, wabaId: string, t: GraphTemplate, syncedAt: string): Promise<void> {
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
  await store.upsertListed(templateKey(wabaId, t.name, t.language), definition, news, ['deletedAt'], syncedAt);
}

/** Stored templates of the WABA the complete listing did not name become `DELETED`. */
async function markUnlisted(store: TemplateStore, wabaId: string, listed: Set<string>, syncedAt: string): Promise<number> {
  let marked = 0;
  for await (const item of store.templatesOfWaba(wabaId, ['pk', 'sk', 'status'])) {
    if (listed.has(String(item.sk)) || item.status === 'DELETED') continue;
    if (await store.markDeleted({ pk: String(item.pk), sk: String(item.sk) }, syncedAt)) marked += 1;
  }
  return marked;
}
