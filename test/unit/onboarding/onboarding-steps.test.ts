import { describe, expect, it } from 'vitest';
import { graphErrorFromResponse } from '#lambdas/adapters/graph-api-client';
import { metaAppFrom } from '#lambdas/onboarding/meta-app-credentials';
import { failureFromError } from '#lambdas/onboarding/onboarding-failure';
import type { OnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';
import type { OnboardingProgress, ProgressStore } from '#lambdas/onboarding/onboarding-progress';
import { runOnboardingSteps, type OnboardingStep } from '#lambdas/onboarding/run-onboarding-steps';
import { checkWhatsAppHealth, throughputPerSecond } from '#lambdas/onboarding/whatsapp-health-check';
import { HealthCheckFailed, OnboardingConflictError, OnboardingStepError } from '#lambdas/onboarding/errors';

const metaError = (status: number, error: Record<string, unknown>) =>
  graphErrorFromResponse(status, { error: { type: 'OAuthException', fbtrace_id: 'Atrace', ...error } });

function memoryStore(): ProgressStore & { writes: OnboardingProgress[] } {
  const writes: OnboardingProgress[] = [];
  return {
    writes,
    read: async () => writes.at(-1),
    write: async (_key, progress) => {
      const next = { ...progress, version: progress.version + 1 };
      writes.push(next);
      return next;
    },
  };
}

const start = (): OnboardingProgress => ({
  channel: 'whatsapp',
  businessId: 'b',
  accountId: '1',
  ownerId: '2',
  steps: {},
  startedAt: 't',
  updatedAt: 't',
  version: 0,
});
const now = () => new Date('2026-11-22T03:00:00.000Z');
const KEY = { pk: 'WABA#2', sk: 'ONBOARDING#1' };

describe('runOnboardingSteps', () => {
  it('runs the steps in order, saves after each, and marks skipped ones', async () => {
    const store = memoryStore();
    const ran: string[] = [];
    const steps: OnboardingStep[] = [
      {
        name: 'exchange_token',
        run: async () => {
          ran.push('exchange');
          return { update: { tokenSecretId: 's' } };
        },
      },
      {
        name: 'register_number',
        run: async () => {
          ran.push('register');
          return { record: { status: 'skipped', note: 'coexistence' } };
        },
      },
    ];
    const out = await runOnboardingSteps(store, KEY, start(), steps, now);
    expect(ran).toEqual(['exchange', 'register']);
    expect(store.writes).toHaveLength(2);
    expect(out.steps).toEqual({
      exchange_token: { status: 'done', at: '2026-11-22T03:00:00.000Z' },
      register_number: { status: 'skipped', note: 'coexistence', at: '2026-11-22T03:00:00.000Z' },
    });
    expect(out.tokenSecretId).toBe('s');
    expect(out.version).toBe(2);
  });

  it("stops at the first failure with Meta's code and advice, and resumes there without repeating done steps", async () => {
    const store = memoryStore();
    const calls: string[] = [];
    let pinRight = false;
    const steps: OnboardingStep[] = [
      { name: 'exchange_token', run: async () => void calls.push('exchange') },
      {
        name: 'register_number',
        run: async () => {
          calls.push('register');
          if (!pinRight) throw metaError(400, { message: '(#133005) Two step verification PIN Mismatch', code: 133005 });
        },
      },
      { name: 'health_check', run: async () => void calls.push('health') },
    ];
    const failed = await runOnboardingSteps(store, KEY, start(), steps, now);
    expect(failed.failure).toMatchObject({ step: 'register_number', code: 133005 });
    expect(failed.steps.register_number?.status).toBe('failed');
    expect(failed.steps.health_check).toBeUndefined();

    pinRight = true;
    const resumed = await runOnboardingSteps(store, KEY, failed, steps, now);
    expect(resumed.failure).toBeUndefined();
    expect(calls).toEqual(['exchange', 'register', 'register', 'health']);
    expect(resumed.steps.register_number?.status).toBe('done');
  });

  it('saves no progress for a failed claim step of a new onboarding, but records it on one already saved', async () => {
    const refused: OnboardingStep[] = [
      {
        name: 'exchange_token',
        claims: true,
        run: async () => {
          throw new OnboardingStepError('cannot read the WABA', 'check the ids');
        },
      },
    ];
    const fresh = memoryStore();
    const out = await runOnboardingSteps(fresh, KEY, start(), refused, now);
    expect(out.failure).toEqual({ step: 'exchange_token', message: 'cannot read the WABA', advice: 'check the ids' });
    expect(fresh.writes).toEqual([]);

    const saved = memoryStore();
    await runOnboardingSteps(saved, KEY, { ...start(), version: 3 }, refused, now);
    expect(saved.writes).toHaveLength(1);
    expect(saved.writes[0]?.steps.exchange_token?.status).toBe('failed');
  });

  it('throws a refused claim as it is, saving nothing', async () => {
    const store = memoryStore();
    const steps: OnboardingStep[] = [
      {
        name: 'exchange_token',
        claims: true,
        run: async () => {
          throw new OnboardingConflictError('owned by another business');
        },
      },
    ];
    await expect(runOnboardingSteps(store, KEY, { ...start(), version: 2 }, steps, now)).rejects.toBeInstanceOf(OnboardingConflictError);
    expect(store.writes).toEqual([]);
  });

  it('keeps what a failed health check found', async () => {
    const store = memoryStore();
    const steps: OnboardingStep[] = [
      {
        name: 'health_check',
        run: async () => {
          throw new HealthCheckFailed('name pending', 'wait', { nameStatus: 'PENDING_REVIEW' });
        },
      },
    ];
    const out = await runOnboardingSteps(store, KEY, start(), steps, now);
    expect(out.health).toEqual({ nameStatus: 'PENDING_REVIEW' });
    expect(out.failure).toEqual({ step: 'health_check', message: 'name pending', advice: 'wait' });
  });
});

describe('failureFromError', () => {
  it.each([
    ['a used code', 'exchange_token', { message: 'This authorization code has been used.', code: 100, error_subcode: 36009 }, /already exchanged/],
    ['an invalid code', 'exchange_token', { message: 'Invalid verification code format.', code: 100, error_subcode: 36008 }, /finish Embedded Signup again/],
    ['a PIN mismatch', 'register_number', { message: '(#133005) Two step verification PIN Mismatch', code: 133005 }, /--pin .*WhatsApp Manager/],
    ['a missing permission', 'subscribe_webhooks', { message: '(#200) Permissions error', code: 200 }, /whatsapp_business_management/],
    ['an expired token', 'health_check', { message: 'Error validating access token', code: 190 }, /Embedded Signup again/],
    ['a temporary error', 'subscribe_webhooks', { message: 'An unexpected error has occurred.', code: 2, is_transient: true }, /--resume in a minute/],
  ] as const)('explains %s', (_what, step, error, advice) => {
    const failure = failureFromError(step, metaError(400, error));
    expect(failure).toMatchObject({ step, code: error.code, message: expect.stringContaining(String(error.message)) });
    expect(failure.advice).toMatch(advice);
  });

  it('passes our own step errors through and calls anything else unexpected', () => {
    expect(failureFromError('exchange_token', new OnboardingStepError('no code', 'give it'))).toEqual({
      step: 'exchange_token',
      message: 'no code',
      advice: 'give it',
    });
    expect(failureFromError('activate_account', new Error('boom')).advice).toMatch(/unexpected/);
  });
});

function fakeGraph(number: Record<string, unknown>, appIds: string[]): OnboardingGraph {
  return {
    get: async (path) =>
      path.endsWith('/subscribed_apps') ? { data: appIds.map((id) => ({ whatsapp_business_api_data: { id, name: 'x' } })) } : { id: '1', ...number },
    post: async () => ({ success: true }),
  };
}
const IDS = { wabaId: '2', phoneNumberId: '1', appId: '900' };
const GOOD = {
  status: 'CONNECTED',
  name_status: 'APPROVED',
  quality_rating: 'GREEN',
  throughput: { level: 'STANDARD' },
  display_phone_number: '15550001',
  verified_name: 'Loja',
};

describe('checkWhatsAppHealth', () => {
  it('passes a connected number with an approved name and our app subscribed, and records what Meta said', async () => {
    await expect(checkWhatsAppHealth(fakeGraph(GOOD, ['900']), 't', IDS)).resolves.toEqual({
      status: 'CONNECTED',
      nameStatus: 'APPROVED',
      qualityRating: 'GREEN',
      throughputLevel: 'STANDARD',
      displayPhoneNumber: '15550001',
      verifiedName: 'Loja',
      appSubscribed: true,
    });
  });

  it.each([
    ['a pending number', { ...GOOD, status: 'PENDING' }, ['900'], /not CONNECTED/],
    ['a name in review', { ...GOOD, name_status: 'PENDING_REVIEW' }, ['900'], /PENDING_REVIEW/],
    ['a declined name', { ...GOOD, name_status: 'DECLINED' }, ['900'], /DECLINED/],
    ['another app subscribed', GOOD, ['123'], /not among/],
  ] as const)('fails %s', async (_what, number, apps, message) => {
    await expect(checkWhatsAppHealth(fakeGraph(number, [...apps]), 't', IDS)).rejects.toThrow(message);
  });

  it('maps throughput levels, holding coexistence numbers to 20', () => {
    expect(throughputPerSecond('STANDARD', false)).toBe(80);
    expect(throughputPerSecond('HIGH', false)).toBe(1000);
    expect(throughputPerSecond('NOT_APPLICABLE', false)).toBeUndefined();
    expect(throughputPerSecond('HIGH', true)).toBe(20);
  });
});

describe('metaAppFrom', () => {
  it('reads the app id and secret, and says what to add when one is missing', async () => {
    await expect(metaAppFrom(async () => ({ appId: '900', appSecret: 's' }))()).resolves.toEqual({ appId: '900', appSecret: 's' });
    await expect(metaAppFrom(async () => ({ appId: '', appSecret: 's' }))()).rejects.toThrow(/no appId/);
  });
});
