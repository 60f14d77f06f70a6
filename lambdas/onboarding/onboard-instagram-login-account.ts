import { accountTokenSecretName } from '#lambdas/accounts/channel-account';
import { GraphApiError } from '#lambdas/adapters/graph-api-client';
import { INSTAGRAM_LOGIN_WEBHOOK_FIELDS } from '#lambdas/instagram-login/instagram-login-env';
import type { InstagramLoginApi } from '#lambdas/instagram-login/instagram-login-api';
import { expiryAfter } from '#lambdas/instagram-login/instagram-token-lifetime';
import { INSTAGRAM_STEPS, type InstagramLoginOnboardingRequest, type OnboardingReport, type OnboardingStepName } from '#lambdas/onboarding/onboarding-contract';
import { storedTokenReader, type OnboardingDeps } from '#lambdas/onboarding/onboarding-deps';
import { failureFromError } from '#lambdas/onboarding/onboarding-failure';
import { instagramLoginProgressKey, progressToRun, type OnboardingProgress } from '#lambdas/onboarding/onboarding-progress';
import { runOnboardingSteps, type OnboardingStep } from '#lambdas/onboarding/run-onboarding-steps';
import { AccessNotProven, HealthCheckFailed, OnboardingConflictError, OnboardingStepError } from '#lambdas/onboarding/errors';

/** What the exchange of a fresh code gave: the account it is for and its long-lived token. */
interface Exchanged {
  instagramAccountId: string;
  accessToken: string;
  expiresAt: string;
  issuedAt: string;
}

const LOGIN_ADVICE =
  'Have the business go through Business Login for Instagram again (codes expire within minutes and work once; the redirect URI must be the one the login used) and re-run with the new code.';
const SCOPE = 'instagram_business_manage_messages';

/**
 * Connects an Instagram professional account through Business Login for Instagram (the Instagram
 * API with Instagram Login: no Facebook Page). The code is exchanged on api.instagram.com for a
 * short-lived token, that one on graph.instagram.com for a long-lived token (60 days), and `/me`
 * with it names the account's professional id — the id webhooks carry — which is the proof the
 * business may onboard it. Then, as for the other paths: claim the account for the business
 * (refused when another holds it), store the token as `<stack>/account-tokens/<ig id>`, subscribe
 * the account to our webhooks, check, and activate it with `api: instagram_login` and the token's
 * expiry, which the daily refresh job watches (lambdas/instagram-login/).
 *
 * The account id is known only once the code is exchanged, so a first exchange that fails writes
 * nothing and answers the failure; a re-run without a new code names the account to resume.
 */
export async function onboardInstagramLoginAccount(deps: OnboardingDeps, request: InstagramLoginOnboardingRequest): Promise<OnboardingReport> {
  const { businessId } = request;
  let exchanged: Exchanged | undefined;
  if (request.code !== undefined) {
    try {
      exchanged = await exchangeCode(deps, request);
    } catch (err) {
      return unsavedFailure(request.instagramAccountId ?? '', 'exchange_token', err, deps.now());
    }
  }
  const accountId = exchanged?.instagramAccountId ?? request.instagramAccountId!;
  const store = deps.progress;
  const key = instagramLoginProgressKey(accountId);
  const at = deps.now().toISOString();
  const start = progressToRun(
    await store.read(key),
    (): OnboardingProgress => ({
      channel: 'instagram',
      api: 'instagram_login',
      businessId,
      accountId,
      ownerId: accountId,
      steps: {},
      startedAt: at,
      updatedAt: at,
      version: 0,
    }),
    request.code,
  );
  if (start.businessId !== businessId) throw new OnboardingConflictError(`Instagram account ${accountId} is being onboarded for another business`);
  const tokenOf = storedTokenReader(deps);
  const api = deps.instagramLogin!;

  const steps: OnboardingStep[] = [
    {
      name: 'exchange_token',
      claims: true,
      run: async () => {
        if (!exchanged)
          throw new OnboardingStepError(
            'no code was given',
            `Give the code Business Login for Instagram sent to the redirect URI (--code); it is needed once. ${LOGIN_ADVICE}`,
          );
        await deps.registry.claimInstagramLoginAccount({ businessId, instagramAccountId: accountId }, deps.now());
        // Named by the account, which has one owner: written only after this business's claim succeeded.
        const secretName = accountTokenSecretName(deps.secretNamePrefix, accountId);
        await deps.tokens.put(secretName, { accessToken: exchanged.accessToken });
        return {
          record: { note: 'long-lived Instagram user token stored' },
          update: {
            tokenSecretId: secretName,
            accountId,
            api: 'instagram_login' as const,
            tokenExpiresAt: exchanged.expiresAt,
            tokenIssuedAt: exchanged.issuedAt,
          },
        };
      },
    },
    {
      name: 'subscribe_webhooks',
      run: async (progress) => {
        await api.subscribe(await tokenOf(progress.tokenSecretId), INSTAGRAM_LOGIN_WEBHOOK_FIELDS);
      },
    },
    {
      name: 'health_check',
      run: async (progress) => {
        const token = await tokenOf(progress.tokenSecretId);
        const profile = await api.me(token, ['user_id', 'username']);
        const fields = await api.subscriptions(token);
        const health: Record<string, unknown> = {
          appSubscribed: fields.length > 0,
          subscribedFields: fields,
          ...(profile.username ? { username: profile.username } : {}),
        };
        if (profile.userId !== accountId) {
          throw new HealthCheckFailed(`the stored token belongs to another Instagram account than ${accountId}`, LOGIN_ADVICE, health);
        }
        if (!fields.includes('messages')) {
          throw new HealthCheckFailed(
            'the account is not subscribed to the messages webhook',
            'Subscribe the app to the Instagram "messages" field in the App Dashboard (Instagram → API setup with Instagram login → Configure webhooks), then re-run with the account id to resume.',
            health,
          );
        }
        return { record: { note: 'account subscribed to the messaging fields' }, update: { health } };
      },
    },
    {
      name: 'activate_account',
      run: async (progress) => {
        const username = progress.health?.username;
        await deps.registry.upsertChannelAccount(
          {
            accountId,
            channel: 'instagram',
            businessId,
            api: 'instagram_login',
            ...(progress.tokenSecretId ? { tokenSecretId: progress.tokenSecretId } : {}),
            ...(typeof username === 'string' ? { displayName: username } : {}),
            status: 'active',
          },
          deps.now(),
        );
        // The token's expiry, watched by the daily refresh from now on.
        if (progress.tokenExpiresAt && progress.tokenIssuedAt) {
          await deps.instagramTokens.recordToken(accountId, { expiresAt: progress.tokenExpiresAt, issuedAt: progress.tokenIssuedAt }, deps.now().toISOString());
        }
      },
    },
  ];
  if (steps.map((s) => s.name).join() !== INSTAGRAM_STEPS.join()) throw new Error('Instagram Login onboarding steps out of order');

  const progress = await runOnboardingSteps(store, key, start, steps, deps.now);
  const done = progress.steps.activate_account?.status === 'done';
  return {
    channel: 'instagram',
    api: 'instagram_login',
    accountId,
    ownerId: accountId,
    status: done ? 'active' : 'onboarding',
    steps: progress.steps,
    ...(progress.failure ? { failure: progress.failure } : {}),
    ...(progress.health ? { health: progress.health } : {}),
  };
}

/**
 * Code → short-lived token → long-lived token → the account's professional id from `/me`. Meta's
 * refusals become `AccessNotProven` with advice; nothing has been written yet.
 */
async function exchangeCode(deps: OnboardingDeps, request: InstagramLoginOnboardingRequest): Promise<Exchanged> {
  const api: InstagramLoginApi | undefined = deps.instagramLogin;
  if (!api || !deps.instagramApp)
    throw new OnboardingStepError(
      'Instagram Login is not configured in this deployment',
      'Set the Instagram hosts and the Instagram app credentials (docs/instagram-login.md).',
    );
  const app = await deps.instagramApp();
  const refused = (what: string) => (err: unknown) => {
    throw err instanceof GraphApiError ? new AccessNotProven(what, LOGIN_ADVICE, err) : err;
  };
  // Meta appends `#_` to the redirect; it is not part of the code.
  const code = request.code!.replace(/#_$/, '');
  const short = await api
    .exchangeCode({ appId: app.appId, appSecret: app.appSecret, code, redirectUri: request.redirectUri! })
    .catch(refused('Meta refused the code'));
  if (short.permissions.length > 0 && !short.permissions.includes(SCOPE)) {
    throw new AccessNotProven(
      `the login did not grant ${SCOPE}`,
      `Ask for instagram_business_basic and ${SCOPE} in the login's scope, and have the business grant both. ${LOGIN_ADVICE}`,
    );
  }
  const long = await api
    .exchangeForLongLived({ appSecret: app.appSecret, shortLivedToken: short.accessToken })
    .catch(refused('Meta refused to exchange the token for a long-lived one'));
  const issued = deps.now();
  const profile = await api.me(long.accessToken, ['user_id', 'username']).catch(refused('the new token cannot read its Instagram account'));
  const instagramAccountId = profile.userId;
  if (!instagramAccountId) throw new AccessNotProven('Meta named no Instagram professional account for the token', LOGIN_ADVICE);
  if (request.instagramAccountId && request.instagramAccountId !== instagramAccountId) {
    throw new AccessNotProven(
      `the login was for Instagram account ${instagramAccountId}, not ${request.instagramAccountId}`,
      'Check which account the business meant and have it log in with that one.',
    );
  }
  return { instagramAccountId, accessToken: long.accessToken, expiresAt: expiryAfter(issued, long.expiresInSeconds), issuedAt: issued.toISOString() };
}

/** The report of a run that stopped before anything could be written. */
function unsavedFailure(accountId: string, step: OnboardingStepName, err: unknown, now: Date): OnboardingReport {
  if (err instanceof OnboardingConflictError) throw err;
  const failure = failureFromError(step, err);
  return {
    channel: 'instagram',
    api: 'instagram_login',
    accountId,
    ownerId: accountId,
    status: 'onboarding',
    steps: { [step]: { status: 'failed', at: now.toISOString(), note: failure.message } },
    failure,
  };
}
