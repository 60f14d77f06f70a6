import { GraphApiError } from '#lambdas/adapters/graph-api-client';
import type { OnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';
import { AccessNotProven } from '#lambdas/onboarding/errors';

/**
 * Proof, with the token a code exchange just handed out, that the business may onboard the ids its
 * browser sent: Meta lets the token read the WABA (or Page), and the number (or Instagram account)
 * is one of that WABA's (or the Page's linked one). The ids come from the browser, so nothing is
 * written for them before this passes.
 */

/** Pages of `phone_numbers` read at most (100 numbers each): a WABA has far fewer numbers. */
const MAX_NUMBER_PAGES = 20;
/** Waits before the second and third try of a read Meta answered with a temporary error. */
const DEFAULT_RETRY_DELAYS_MS = [300, 1_000];

export interface ProofOptions {
  retryDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

const WRONG_IDS_ADVICE =
  'Check the ids the signup returned to the browser (the session-info event names the WABA and its number); the business must pick this account in the signup. Have it finish the signup again and re-run with the new code.';

export async function proveWhatsAppAccess(
  graph: OnboardingGraph,
  token: string,
  ids: { wabaId: string; phoneNumberId: string },
  options: ProofOptions = {},
): Promise<void> {
  const read = (path: string, query: Record<string, string>, what: string) =>
    withRetry(() => graph.get(path, query, token), options).catch((err: unknown) => {
      throw err instanceof GraphApiError ? new AccessNotProven(`the new token cannot read ${what}`, WRONG_IDS_ADVICE, err) : err;
    });

  const waba = await read(ids.wabaId, { fields: 'id,name' }, `WhatsApp Business Account ${ids.wabaId}`);
  if (String(waba.id ?? '') !== ids.wabaId) {
    throw new AccessNotProven(`Meta answered for another object than WhatsApp Business Account ${ids.wabaId}`, WRONG_IDS_ADVICE);
  }

  let after: string | undefined;
  for (let page = 0; page < MAX_NUMBER_PAGES; page += 1) {
    const out = await read(
      `${ids.wabaId}/phone_numbers`,
      { fields: 'id', limit: '100', ...(after ? { after } : {}) },
      `the numbers of WhatsApp Business Account ${ids.wabaId}`,
    );
    const data = Array.isArray(out.data) ? (out.data as Array<{ id?: unknown }>) : [];
    if (data.some((n) => String(n?.id ?? '') === ids.phoneNumberId)) return;
    const paging = out.paging as { next?: unknown; cursors?: { after?: unknown } } | undefined;
    const next = typeof paging?.cursors?.after === 'string' ? paging.cursors.after : undefined;
    if (typeof paging?.next !== 'string' || !next || next === after) break;
    after = next;
  }
  throw new AccessNotProven(`phone number ${ids.phoneNumberId} is not one of the numbers of WhatsApp Business Account ${ids.wabaId}`, WRONG_IDS_ADVICE);
}

export interface LinkedPage {
  /** The Page token Meta hands out to someone who manages the Page. */
  pageToken: string;
  instagramAccountId: string;
}

const PAGE_ADVICE =
  'The person who logged in must manage this Page and grant pages_show_list, pages_manage_metadata, pages_messaging and instagram_manage_messages; check the Page id, log in again and re-run with the new code.';

/**
 * Reads the Page with the user token: Meta answers only someone who may see it, and names the Page
 * token and the Instagram professional account linked to it. The account the request named, if
 * any, must be that one.
 */
export async function proveInstagramAccess(
  graph: OnboardingGraph,
  userToken: string,
  ids: { pageId: string; instagramAccountId?: string },
  options: ProofOptions = {},
): Promise<LinkedPage> {
  const page = await withRetry(() => graph.get(ids.pageId, { fields: 'id,access_token,instagram_business_account' }, userToken), options).catch(
    (err: unknown) => {
      throw err instanceof GraphApiError ? new AccessNotProven(`the new token cannot read Page ${ids.pageId}`, PAGE_ADVICE, err) : err;
    },
  );
  if (String(page.id ?? '') !== ids.pageId) throw new AccessNotProven(`Meta answered for another object than Page ${ids.pageId}`, PAGE_ADVICE);
  const pageToken = page.access_token;
  if (typeof pageToken !== 'string' || pageToken === '') throw new AccessNotProven(`Meta gave no token for Page ${ids.pageId}`, PAGE_ADVICE);
  const linked = (page.instagram_business_account as { id?: unknown } | undefined)?.id;
  if (linked === undefined || linked === null || String(linked) === '') {
    throw new AccessNotProven(
      `Page ${ids.pageId} has no Instagram professional account linked`,
      'Link the Instagram professional account to the Page (Instagram settings → Business tools → Connect a Facebook Page), then log in again and re-run with the new code.',
    );
  }
  const instagramAccountId = String(linked);
  if (!/^\d+$/.test(instagramAccountId)) throw new AccessNotProven(`Meta named no usable Instagram account for Page ${ids.pageId}`, PAGE_ADVICE);
  if (ids.instagramAccountId && ids.instagramAccountId !== instagramAccountId) {
    throw new AccessNotProven(
      `Page ${ids.pageId} is linked to Instagram account ${instagramAccountId}, not ${ids.instagramAccountId}`,
      'Check which account the business meant; re-run with the right ids and a new code.',
    );
  }
  return { pageToken, instagramAccountId };
}

/** Tries a read again after Meta's temporary errors: the code is spent, so a lost proof costs a new signup. */
async function withRetry<T>(read: () => Promise<T>, options: ProofOptions): Promise<T> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await read();
    } catch (err) {
      const delay = delays[attempt];
      if (!(err instanceof GraphApiError) || !err.retryable || delay === undefined) throw err;
      await sleep(delay);
    }
  }
}
