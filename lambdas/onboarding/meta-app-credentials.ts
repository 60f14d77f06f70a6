import type { MetaApp } from '#lambdas/onboarding/onboarding-deps';
import { OnboardingStepError } from '#lambdas/onboarding/errors';

/**
 * The app id and secret from the Meta app secret (`{ "appSecret", "verifyToken", "appId" }`).
 * The code exchange needs both; a missing one is a configuration step the operator can take.
 */
export function metaAppFrom(read: () => Promise<{ appId?: unknown; appSecret?: unknown }>): () => Promise<MetaApp> {
  return async () => {
    const secret = await read();
    const appId = typeof secret.appId === 'string' ? secret.appId.trim() : '';
    const appSecret = typeof secret.appSecret === 'string' ? secret.appSecret : '';
    if (!appId || !appSecret) {
      throw new OnboardingStepError(
        `the Meta app secret has no ${appId ? 'appSecret' : 'appId'}`,
        'Put the app id (App Dashboard → top of the page) and the app secret (App settings → Basic) into the MetaAppSecretName secret as "appId" and "appSecret", then re-run.',
      );
    }
    return { appId, appSecret };
  };
}

/**
 * The Instagram app id and secret of Business Login for Instagram, kept in the Meta app secret as
 * `instagramAppId` and `instagramAppSecret`. Meta shows them apart from the Meta app's own (App
 * Dashboard → Instagram → API setup with Instagram login → Business login settings), and the code
 * exchange on api.instagram.com takes only these.
 */
export function instagramAppFrom(read: () => Promise<{ instagramAppId?: unknown; instagramAppSecret?: unknown }>): () => Promise<MetaApp> {
  return async () => {
    const secret = await read();
    const appId = typeof secret.instagramAppId === 'string' ? secret.instagramAppId.trim() : '';
    const appSecret = typeof secret.instagramAppSecret === 'string' ? secret.instagramAppSecret : '';
    if (!appId || !appSecret) {
      throw new OnboardingStepError(
        `the Meta app secret has no ${appId ? 'instagramAppSecret' : 'instagramAppId'}`,
        'Put the Instagram app id and secret (App Dashboard → Instagram → API setup with Instagram login → Business login settings) into the MetaAppSecretName secret as "instagramAppId" and "instagramAppSecret", then have the business log in again and re-run with the new code.',
      );
    }
    return { appId, appSecret };
  };
}
