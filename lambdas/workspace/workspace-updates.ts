import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';
import { FEED_CURSOR, type ChangeFeed, type FeedEntry } from '#lambdas/workspace/change-feed';

/** Changes meant for one agent: an offer and its withdrawal are that agent's alone. */
const PERSONAL_TYPES: readonly string[] = [DETAIL_TYPE.conversationOffered, DETAIL_TYPE.conversationOfferWithdrawn];

/** How far back a first poll (no cursor) starts. */
export const FIRST_POLL_LOOKBACK_MS = 5 * 60 * 1000;

/**
 * The changes of the caller's business after the cursor, as the WebSocket pushes them, minus the
 * ones meant for other agents (a supervisor sees all). The cursor moves past what was left out.
 */
export async function workspaceUpdates(
  input: { businessId: string; viewer: { agentId: string; supervisor: boolean }; cursor?: string; limit: number },
  deps: { feed: ChangeFeed; now: Date },
): Promise<{ items: FeedEntry[]; cursor: string }> {
  if (input.cursor !== undefined && !FEED_CURSOR.test(input.cursor)) {
    throw new HumanAgentRequestError(400, 'invalid_cursor', 'The cursor is not one this list handed out');
  }
  const since = new Date(deps.now.getTime() - FIRST_POLL_LOOKBACK_MS).toISOString();
  const page = await deps.feed.changesSince(input.businessId, input.cursor, { limit: input.limit, since });
  const items = page.items.filter((change) => input.viewer.supervisor || maySee(change, input.viewer.agentId));
  return { items, cursor: page.cursor };
}

export function maySee(change: FeedEntry, agentId: string): boolean {
  if (change.forAgentIds) return change.forAgentIds.includes(agentId);
  if (PERSONAL_TYPES.includes(change.type)) return change.agentId === agentId;
  return true;
}
