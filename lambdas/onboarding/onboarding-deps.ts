import type { AccountRegistry } from '#lambdas/accounts/account-registry';
import type { AccountTokenStore } from '#lambdas/onboarding/account-token-store';
import type { InstagramLoginApi } from '#lambdas/instagram-login/instagram-login-api';
import type { InstagramTokenStore } from '#lambdas/instagram-login/instagram-token-store';
import type { ProgressStore } from '#lambdas/onboarding/onboarding-progress';
import type { OnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';

/** The Meta app the business authorised: its id and secret, from the Meta app secret. */
export interface MetaApp {
  appId: string;
  appSecret: string;
}

export interface OnboardingDeps {
  /** Each onboarding's recorded steps (onboarding/onboarding-store.ts). */
  progress: ProgressStore;
  /** The channel account registry: the claims, the accounts and WABAs written. */
  registry: AccountRegistry;
  /** Instagram Login tokens' expiry, for their refresh (instagram-login/instagram-token-store.ts). */
  instagramTokens: InstagramTokenStore;
  graph: OnboardingGraph;
  tokens: AccountTokenStore;
  app: () => Promise<MetaApp>;
  /** The stack name: token secrets are `<prefix>/account-tokens/<owner id>`. */
  secretNamePrefix: string;
  now: () => Date;
  /** A fresh 6-digit two-step verification PIN, for numbers registered without one given. */
  newPin: () => string;
  /** Business Login for Instagram: graph.instagram.com and api.instagram.com. */
  instagramLogin?: InstagramLoginApi;
  /** The Instagram app id and secret (App Dashboard → Instagram → API setup with Instagram login). */
  instagramApp?: () => Promise<MetaApp>;
}

/** Reads the stored token once per run; later steps reuse it. */
export function storedTokenReader(deps: OnboardingDeps): (secretId: string | undefined) => Promise<string> {
  const cache = new Map<string, string>();
  return async (secretId) => {
    if (!secretId) throw new Error('no token stored yet');
    const cached = cache.get(secretId);
    if (cached) return cached;
    const stored = await deps.tokens.get(secretId);
    if (!stored) throw new Error(`the token secret ${secretId} is empty`);
    cache.set(secretId, stored.accessToken);
    return stored.accessToken;
  };
}
