import { graphTemplateSchema, TEMPLATE_FIELDS, type GraphTemplate } from '#lambdas/templates/template-item';

/** One page of `GET /{version}/{waba-id}/message_templates`. */
export interface TemplatePage {
  templates: GraphTemplate[];
  /** Entries the schema refused (counted, never stored half-read). */
  unreadable: number;
  /** `paging.cursors.after` when Meta says there is more (`paging.next`), else undefined. */
  after?: string;
}

/** A Graph GET of `path` (after the version) with a query, the token in the Authorization header. */
export type GraphGet = (path: string, query: Record<string, string>, accessToken: string) => Promise<unknown>;

/** 100 per page: few round trips for a large catalogue, small enough answers (components included). */
export const TEMPLATE_PAGE_SIZE = 100;
/** A guard against a paging loop (the same cursor handed back): far above any real catalogue. */
const MAX_PAGES = 500;

export function templatesQuery(after?: string, limit = TEMPLATE_PAGE_SIZE): Record<string, string> {
  return { fields: TEMPLATE_FIELDS.join(','), limit: String(limit), ...(after ? { after } : {}) };
}

/**
 * Meta pages with cursors: `paging.cursors.after` is always there, `paging.next` only while more
 * entries follow. The next page is asked for with `after` (not by following `next` blindly, which
 * carries the token in its query string).
 */
export function parseTemplatePage(body: unknown): TemplatePage {
  const b = (body ?? {}) as { data?: unknown; paging?: { next?: unknown; cursors?: { after?: unknown } } };
  const data = Array.isArray(b.data) ? b.data : [];
  const templates: GraphTemplate[] = [];
  let unreadable = 0;
  for (const entry of data) {
    const parsed = graphTemplateSchema.safeParse(entry);
    if (parsed.success) templates.push(parsed.data);
    else unreadable += 1;
  }
  const after = b.paging?.cursors?.after;
  const more = typeof b.paging?.next === 'string' && b.paging.next.length > 0;
  return { templates, unreadable, ...(more && typeof after === 'string' && after.length > 0 ? { after } : {}) };
}

/** Every page of the WABA's templates, first to last; a failed page throws (nothing is guessed). */
export async function* listGraphTemplates(wabaId: string, accessToken: string, get: GraphGet, pageSize = TEMPLATE_PAGE_SIZE): AsyncGenerator<TemplatePage> {
  let after: string | undefined;
  const seen = new Set<string>();
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = parseTemplatePage(await get(`${encodeURIComponent(wabaId)}/message_templates`, templatesQuery(after, pageSize), accessToken));
    yield result;
    if (!result.after || seen.has(result.after)) return;
    seen.add(result.after);
    after = result.after;
  }
  throw new Error(`template listing of a WABA did not end after ${MAX_PAGES} pages`);
}
