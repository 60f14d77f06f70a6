import { accountTokenSecretName } from '#lambdas/accounts/channel-account';
import { GraphApiError } from '#lambdas/adapters/graph-api-client';
import { COEXISTENCE_FINISH_EVENT, WHATSAPP_STEPS, type OnboardingReport, type WhatsAppOnboardingRequest } from '#lambdas/onboarding/onboarding-contract';
import { storedTokenReader, type OnboardingDeps } from '#lambdas/onboarding/onboarding-deps';
import { progressToRun, whatsappProgressKey, type OnboardingProgress } from '#lambdas/onboarding/onboarding-progress';
import { proveWhatsAppAccess } from '#lambdas/onboarding/prove-account-access';
import { runOnboardingSteps, type OnboardingStep } from '#lambdas/onboarding/run-onboarding-steps';
import { checkWhatsAppHealth, throughputPerSecond } from '#lambdas/onboarding/whatsapp-health-check';
import { OnboardingConflictError, OnboardingStepError } from '#lambdas/onboarding/errors';
export { OnboardingConflictError } from '#lambdas/onboarding/errors';

/** Meta's subcode for a code exchanged before. */
const CODE_ALREADY_USED = 36009;

export const isCoexistence = (request: WhatsAppOnboardingRequest) => request.coexistence === true || request.event === COEXISTENCE_FINISH_EVENT;

/**
 * Onboards a WhatsApp number after Embedded Signup: exchange the code for the business token;
 * prove with it that the business may onboard the WABA and number its browser named (Meta lets the
 * token read the WABA, and the number is among the WABA's numbers); claim the WABA and number items
 * of the registry for the business (refused when another business owns either); only then keep the
 * token in Secrets Manager (`account-tokens/<waba id>`). Then subscribe our app to the WABA's
 * webhooks, register the number for Cloud API (not for coexistence numbers, which stay
 * registered on the WhatsApp Business App), check its health, optionally send a test template,
 * then mark the account active. Every step is recorded (from the first successful claim on); a
 * re-run resumes at the first step not done and never needs the code again.
 */
export async function onboardWhatsAppNumber(deps: OnboardingDeps, request: WhatsAppOnboardingRequest): Promise<OnboardingReport> {
  const { wabaId, phoneNumberId, businessId } = request;
  const store = deps.progress;
  const key = whatsappProgressKey(wabaId, phoneNumberId);
  const at = deps.now().toISOString();
  const existing = await store.read(key);
  const coexistence = isCoexistence(request) || existing?.coexistence === true;
  const start: OnboardingProgress = {
    ...progressToRun(
      existing,
      () => ({ channel: 'whatsapp', businessId, accountId: phoneNumberId, ownerId: wabaId, steps: {}, startedAt: at, updatedAt: at, version: 0 }),
      request.code,
    ),
    coexistence,
  };
  if (start.businessId !== businessId) {
    throw new OnboardingConflictError(`number ${phoneNumberId} is being onboarded for another business`);
  }

  const tokenOf = storedTokenReader(deps);
  // Named by the WABA, which has one owner: it is written only after this business's claim succeeded.
  const secretName = accountTokenSecretName(deps.secretNamePrefix, wabaId);
  const ownStoredToken = async () => {
    const waba = await deps.registry.businessAccount(wabaId, { consistentRead: true });
    return waba?.businessId === businessId ? deps.tokens.get(secretName) : undefined;
  };

  const steps: OnboardingStep[] = [
    {
      name: 'exchange_token',
      claims: true,
      run: async () => {
        if (!request.code) {
          throw new OnboardingStepError('no token code was given', 'Give the code Embedded Signup returned to the browser (--code); it is needed once.');
        }
        const app = await deps.app();
        let accessToken: string;
        let note = 'business token stored';
        try {
          const out = await deps.graph.get('oauth/access_token', { client_id: app.appId, client_secret: app.appSecret, code: request.code });
          if (typeof out.access_token !== 'string' || out.access_token === '') throw new Error('Meta answered the code exchange without an access_token');
          accessToken = out.access_token;
        } catch (err) {
          // Our own earlier exchange may have stored the token and then lost the progress write;
          // the secret is only ever written after this business claimed the WABA.
          const stored = err instanceof GraphApiError && err.subcode === CODE_ALREADY_USED ? await ownStoredToken() : undefined;
          if (!stored) throw err;
          accessToken = stored.accessToken;
          note = 'code already exchanged; the stored token is used';
        }
        // Nothing is written before the new token shows it may act on these ids.
        await proveWhatsAppAccess(deps.graph, accessToken, { wabaId, phoneNumberId });
        await deps.registry.claimWhatsAppNumber({ businessId, wabaId, phoneNumberId, coexistence }, deps.now());
        // A number registered before keeps its PIN (re-authorisation); a new one gets one now.
        const pin = request.pin ?? (await deps.tokens.get(secretName))?.twoStepPin ?? (coexistence ? undefined : deps.newPin());
        await deps.tokens.put(secretName, { accessToken, ...(pin ? { twoStepPin: pin } : {}) });
        await deps.registry.upsertBusinessAccount({ wabaId, businessId, tokenSecretId: secretName }, deps.now());
        return { record: { note }, update: { tokenSecretId: secretName } };
      },
    },
    {
      name: 'subscribe_webhooks',
      run: async (progress) => {
        const out = await deps.graph.post(`${wabaId}/subscribed_apps`, {}, await tokenOf(progress.tokenSecretId));
        if (out.success !== true) throw new Error('Meta did not confirm the webhook subscription');
        await deps.registry.upsertBusinessAccount({ wabaId, businessId, subscribed: true }, deps.now());
      },
    },
    {
      name: 'register_number',
      run: async (progress) => {
        if (progress.coexistence) return { record: { status: 'skipped', note: 'coexistence number: stays registered on the WhatsApp Business App' } };
        const stored = await deps.tokens.get(progress.tokenSecretId ?? secretName);
        if (!stored) throw new Error('the token secret is empty');
        const pin = request.pin ?? stored.twoStepPin ?? deps.newPin();
        await deps.graph.post(`${phoneNumberId}/register`, { messaging_product: 'whatsapp', pin }, stored.accessToken);
        // The PIN that worked is the number's PIN from now on; keep it beside the token.
        if (pin !== stored.twoStepPin) await deps.tokens.put(progress.tokenSecretId ?? secretName, { ...stored, twoStepPin: pin });
      },
    },
    {
      name: 'health_check',
      run: async (progress) => {
        const app = await deps.app();
        const health = await checkWhatsAppHealth(deps.graph, await tokenOf(progress.tokenSecretId), { wabaId, phoneNumberId, appId: app.appId });
        return { record: { note: 'number connected, display name approved, app subscribed' }, update: { health } };
      },
    },
    {
      name: 'test_message',
      run: async (progress) => {
        if (!request.testRecipient) return { record: { status: 'skipped', note: 'no test recipient given' } };
        const out = await deps.graph.post(
          `${phoneNumberId}/messages`,
          {
            messaging_product: 'whatsapp',
            recipient_type: 'individual',
            to: request.testRecipient,
            type: 'template',
            template: { name: 'hello_world', language: { code: 'en_US' } },
          },
          await tokenOf(progress.tokenSecretId),
        );
        const id = (out.messages as Array<{ id?: string }> | undefined)?.[0]?.id;
        return { record: { note: id ? `hello_world template accepted as ${id}` : 'hello_world template accepted' } };
      },
    },
    {
      name: 'activate_account',
      run: async (progress) => {
        const health = progress.health ?? {};
        await deps.registry.upsertChannelAccount(
          {
            accountId: phoneNumberId,
            channel: 'whatsapp',
            businessId,
            wabaId,
            ...(progress.tokenSecretId ? { tokenSecretId: progress.tokenSecretId } : {}),
            coexistence: progress.coexistence === true,
            ...optionalNumber('throughputPerSecond', throughputPerSecond(health.throughputLevel, progress.coexistence === true)),
            ...optionalString('displayPhoneNumber', health.displayPhoneNumber),
            ...optionalString('displayName', health.verifiedName),
            ...optionalString('qualityRating', health.qualityRating),
            status: 'active',
          },
          deps.now(),
        );
        await deps.registry.upsertBusinessAccount({ wabaId, businessId, subscribed: true }, deps.now());
      },
    },
  ];
  if (steps.map((s) => s.name).join() !== WHATSAPP_STEPS.join()) throw new Error('WhatsApp onboarding steps out of order');

  const progress = await runOnboardingSteps(store, key, start, steps, deps.now);
  return reportOf(progress, phoneNumberId, wabaId);
}

export function reportOf(progress: OnboardingProgress, accountId: string, ownerId: string): OnboardingReport {
  const done = progress.steps.activate_account?.status === 'done';
  return {
    channel: progress.channel,
    accountId,
    ownerId,
    status: done ? 'active' : 'onboarding',
    steps: progress.steps,
    ...(progress.failure ? { failure: progress.failure } : {}),
    ...(progress.health ? { health: progress.health } : {}),
  };
}

function optionalString<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' && value !== '' ? ({ [key]: value } as Record<K, string>) : {};
}

function optionalNumber<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
