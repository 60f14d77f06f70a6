import { accountTokenSecretName } from '#lambdas/accounts/channel-account';
import { INSTAGRAM_STEPS, type InstagramOnboardingRequest, type OnboardingReport } from '#lambdas/onboarding/onboarding-contract';
import { storedTokenReader, type OnboardingDeps } from '#lambdas/onboarding/onboarding-deps';
import { instagramProgressKey, progressToRun, type OnboardingProgress } from '#lambdas/onboarding/onboarding-progress';
import { reportOf } from '#lambdas/onboarding/onboard-whatsapp-number';
import { proveInstagramAccess } from '#lambdas/onboarding/prove-account-access';
import { runOnboardingSteps, type OnboardingStep } from '#lambdas/onboarding/run-onboarding-steps';
import { HealthCheckFailed, OnboardingConflictError, OnboardingStepError } from '#lambdas/onboarding/errors';

/** The Page webhook fields Instagram messaging needs (the README's Instagram list). */
export const INSTAGRAM_WEBHOOK_FIELDS = ['messages', 'messaging_postbacks', 'messaging_seen', 'message_reactions', 'messaging_referral'] as const;

/**
 * Connects an Instagram professional account through the Facebook Page it is linked to (Facebook
 * Login for Business): exchange the code for a user token, make it long-lived, take the Page's
 * token (which then does not expire) and its Instagram account — reading the Page with the new
 * token is the proof the business may onboard it, and the account must be the Page's linked one —
 * claim the account for the business (refused when it or the Page belongs to another business),
 * and only then keep the Page token in Secrets Manager; subscribe our app to the Page's messaging fields, check, then mark the account active.
 */
export async function onboardInstagramAccount(deps: OnboardingDeps, request: InstagramOnboardingRequest): Promise<OnboardingReport> {
  const { pageId, businessId } = request;
  const store = deps.progress;
  const key = instagramProgressKey(pageId);
  const at = deps.now().toISOString();
  const start = progressToRun(
    await store.read(key),
    (): OnboardingProgress => ({
      channel: 'instagram',
      businessId,
      ...(request.instagramAccountId ? { accountId: request.instagramAccountId } : {}),
      ownerId: pageId,
      steps: {},
      startedAt: at,
      updatedAt: at,
      version: 0,
    }),
    request.code,
  );
  if (start.businessId !== businessId) throw new OnboardingConflictError(`Page ${pageId} is being onboarded for another business`);
  const tokenOf = storedTokenReader(deps);

  const steps: OnboardingStep[] = [
    {
      name: 'exchange_token',
      claims: true,
      run: async () => {
        if (!request.code)
          throw new OnboardingStepError('no code was given', 'Give the code the Facebook Login for Business dialog returned (--code); it is needed once.');
        const app = await deps.app();
        const credentials = { client_id: app.appId, client_secret: app.appSecret };
        const user = await deps.graph.get('oauth/access_token', {
          ...credentials,
          code: request.code,
          ...(request.redirectUri ? { redirect_uri: request.redirectUri } : {}),
        });
        const longLived = await deps.graph.get('oauth/access_token', {
          ...credentials,
          grant_type: 'fb_exchange_token',
          fb_exchange_token: String(user.access_token ?? ''),
        });
        const { pageToken, instagramAccountId: igId } = await proveInstagramAccess(deps.graph, String(longLived.access_token ?? ''), {
          pageId,
          ...(request.instagramAccountId ? { instagramAccountId: request.instagramAccountId } : {}),
        });
        await deps.registry.claimInstagramAccount({ businessId, pageId, instagramAccountId: igId }, deps.now());
        // Named by the account, which has one owner: written only after this business's claim succeeded.
        const secretName = accountTokenSecretName(deps.secretNamePrefix, igId);
        await deps.tokens.put(secretName, { accessToken: pageToken });
        return { record: { note: 'Page token stored' }, update: { tokenSecretId: secretName, accountId: igId } };
      },
    },
    {
      name: 'subscribe_webhooks',
      run: async (progress) => {
        const out = await deps.graph.post(
          `${pageId}/subscribed_apps`,
          { subscribed_fields: INSTAGRAM_WEBHOOK_FIELDS.join(',') },
          await tokenOf(progress.tokenSecretId),
        );
        if (out.success !== true) throw new Error('Meta did not confirm the Page subscription');
      },
    },
    {
      name: 'health_check',
      run: async (progress) => {
        const token = await tokenOf(progress.tokenSecretId);
        const app = await deps.app();
        const apps = await deps.graph.get(`${pageId}/subscribed_apps`, {}, token);
        const ours = (Array.isArray(apps.data) ? (apps.data as Array<{ id?: unknown; subscribed_fields?: unknown }>) : []).find(
          (a) => String(a.id) === app.appId,
        );
        const fields = Array.isArray(ours?.subscribed_fields) ? ours.subscribed_fields.map(String) : [];
        const account = await deps.graph.get(String(progress.accountId), { fields: 'username,name' }, token);
        const health: Record<string, unknown> = {
          appSubscribed: ours !== undefined,
          subscribedFields: fields,
          ...(typeof account.username === 'string' ? { username: account.username } : {}),
        };
        const missing = INSTAGRAM_WEBHOOK_FIELDS.filter((f) => !fields.includes(f));
        if (!ours || missing.length > 0) {
          throw new HealthCheckFailed(
            ours ? `the Page subscription lacks ${missing.join(', ')}` : 'our app is not subscribed to the Page',
            "The Page subscription did not hold: check the app in the Page's Business Integrations, log in again and re-run with the new code.",
            health,
          );
        }
        return { record: { note: 'Page subscribed to the messaging fields' }, update: { health } };
      },
    },
    {
      name: 'activate_account',
      run: async (progress) => {
        const username = progress.health?.username;
        await deps.registry.upsertChannelAccount(
          {
            accountId: String(progress.accountId),
            channel: 'instagram',
            businessId,
            ...(progress.tokenSecretId ? { tokenSecretId: progress.tokenSecretId } : {}),
            ...(typeof username === 'string' ? { displayName: username } : {}),
            status: 'active',
          },
          deps.now(),
        );
      },
    },
  ];
  if (steps.map((s) => s.name).join() !== INSTAGRAM_STEPS.join()) throw new Error('Instagram onboarding steps out of order');

  const progress = await runOnboardingSteps(store, key, start, steps, deps.now);
  return reportOf(progress, progress.accountId ?? '', pageId);
}
