/**
 * Hosts of the Instagram API with Instagram Login, overridable by environment (the local cloud
 * points both at the Graph simulator). Meta serves the authorization-code exchange on
 * api.instagram.com and everything else (token exchange and refresh, `/me`, `subscribed_apps`,
 * messages) on graph.instagram.com, with the same version segment as graph.facebook.com.
 */
export const INSTAGRAM_LOGIN_ENV = {
  graphBaseUrl: 'INSTAGRAM_GRAPH_API_BASE_URL',
  oauthBaseUrl: 'INSTAGRAM_OAUTH_BASE_URL',
} as const;

export const DEFAULT_INSTAGRAM_GRAPH_API_BASE_URL = 'https://graph.instagram.com';
export const DEFAULT_INSTAGRAM_OAUTH_BASE_URL = 'https://api.instagram.com';

/** What the business login asks for: the account's profile and its messages (docs/instagram-login.md). */
export const INSTAGRAM_LOGIN_SCOPES = ['instagram_business_basic', 'instagram_business_manage_messages'] as const;

/**
 * Fields our app subscribes the account to. Meta sends an account every field the app subscribed
 * to in the App Dashboard once the account is subscribed to at least one, so `messages` is what
 * the health check insists on.
 */
export const INSTAGRAM_LOGIN_WEBHOOK_FIELDS = ['messages', 'messaging_postbacks', 'messaging_seen', 'message_reactions', 'messaging_referral'] as const;
