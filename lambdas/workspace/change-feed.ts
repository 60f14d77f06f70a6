import { boundedId } from '#lambdas/shared/bounded-id';

/**
 * The changes a person of a business must see (a new offer, a customer message in an assigned
 * conversation, a status receipt, a transfer), kept for a day for clients that poll
 * (`GET /agent/updates?cursor=`). The WebSocket push consumer appends what it pushes; the polling
 * route reads what came after the caller's cursor. The table's feed is change-feed-store.ts.
 *
 *   pk                   sk                       entity
 *   FEED#<business>      <at>#<change id>         WorkspaceChange   (expiresAt: a day later)
 *
 * Ids only, never customer text: a client reads the conversation for the words.
 */
export interface WorkspaceChange {
  /** The bus detail type it came from (`conversation.offered`, `message.received`, `message.read`, …). */
  type: string;
  conversationKey?: string;
  queueId?: string;
  agentId?: string;
  messageId?: string;
  status?: string;
  /**
   * Agents who may see it (an offer is for the agent it was offered to); none: everyone of the
   * business. Supervisors see every change.
   */
  forAgentIds?: string[];
  at: string;
}

export interface FeedEntry extends WorkspaceChange {
  changeId: string;
}

export interface ChangeFeed {
  appendChange(businessId: string, change: WorkspaceChange): Promise<FeedEntry>;
  /** At most `limit` changes after the cursor (none: from `since`), and the cursor to ask with next. */
  changesSince(businessId: string, cursor: string | undefined, options: { limit: number; since: string }): Promise<{ items: FeedEntry[]; cursor: string }>;
}

export const FEED_TTL_SECONDS = 24 * 60 * 60;
/** How old a change must be before a poll hands it out (writers' clocks and write latency). */
export const FEED_SETTLE_MS = 1_000;
export const feedPk = (businessId: string) => `FEED#${boundedId(businessId)}`;
/** A cursor is the sort key of the last change read: an ISO time, `#`, an id. */
export const FEED_CURSOR = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z#[A-Za-z0-9-]{0,64}$/;
