/**
 * Metrics of the Instagram token refresh (service dimension `instagram-token-refresh`), shared by
 * its handler and the alarm on them (lib/constructs/instagram-token-refresh.ts).
 */
export const INSTAGRAM_TOKEN_REFRESH_SERVICE = 'instagram-token-refresh';

export const INSTAGRAM_TOKEN_METRIC = {
  /** Tokens renewed by the run. */
  refreshed: 'InstagramTokensRefreshed',
  /** Refreshes Meta or the network failed for now; tried again the next day. */
  retryLater: 'InstagramTokenRefreshRetried',
  /** Accounts whose token could not be renewed and now need the business to log in again: the alarm's metric. */
  needsReauthorisation: 'InstagramTokenNeedsReauthorisation',
} as const;
