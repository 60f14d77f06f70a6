import { wabaPk } from '#lambdas/accounts/channel-account';
import { sha256Hex } from '#lambdas/shared/hash';
import type { OnboardingFailure, OnboardingStepName, StepRecord } from '#lambdas/onboarding/onboarding-contract';

/**
 * Where an onboarding run got to, so a re-run skips what is done and resumes at the failed step.
 *
 *   pk               sk                      entity
 *   WABA#<waba id>   ONBOARDING#<number id>  OnboardingProgress   (WhatsApp)
 *   PAGE#<page id>   ONBOARDING#instagram    OnboardingProgress   (Instagram through its Page)
 *   IGLOGIN#<ig id>  ONBOARDING#instagram_login OnboardingProgress (Instagram through Instagram Login)
 *
 * It holds step states, the token secret's name (never the token), the failure and the last health.
 */
export interface OnboardingProgress {
  channel: 'whatsapp' | 'instagram';
  businessId: string;
  /** Phone number id or Instagram account id (absent until the Page names it). */
  accountId?: string;
  /** WABA id or Page id. */
  ownerId: string;
  steps: Partial<Record<OnboardingStepName, StepRecord>>;
  tokenSecretId?: string;
  /** A hash of the code this run started from (a code is a credential until Meta takes it). */
  codeHash?: string;
  coexistence?: boolean;
  /** Instagram Login: the API, and the stored token's expiry and issue time (never the token). */
  api?: 'instagram_login';
  tokenExpiresAt?: string;
  tokenIssuedAt?: string;
  failure?: OnboardingFailure;
  health?: Record<string, unknown>;
  startedAt: string;
  updatedAt: string;
  /** Optimistic lock: two runs of the same onboarding cannot interleave their writes. */
  version: number;
}

export const whatsappProgressKey = (wabaId: string, phoneNumberId: string) => ({ pk: wabaPk(wabaId), sk: `ONBOARDING#${phoneNumberId}` });
export const instagramProgressKey = (pageId: string) => ({ pk: `PAGE#${pageId}`, sk: 'ONBOARDING#instagram' });
export const instagramLoginProgressKey = (instagramAccountId: string) => ({ pk: `IGLOGIN#${instagramAccountId}`, sk: 'ONBOARDING#instagram_login' });

/**
 * The progress a request runs on: a new onboarding, the one it resumes (no code, or the same code
 * again), or — when the business went through the signup again and brought a new code — the same
 * onboarding started over from the code exchange (re-authorisation), keeping its version.
 */
export function progressToRun(existing: OnboardingProgress | undefined, fresh: () => OnboardingProgress, code: string | undefined): OnboardingProgress {
  const codeHash = code === undefined ? undefined : sha256Hex(code).slice(0, 24);
  if (!existing) return { ...fresh(), ...(codeHash ? { codeHash } : {}) };
  if (codeHash === undefined || existing.codeHash === codeHash) return existing;
  return { ...existing, steps: {}, failure: undefined, health: undefined, codeHash };
}

/** Where progress is kept: onboarding-store.ts in the table, a map in tests. */
export interface ProgressStore {
  read(key: { pk: string; sk: string }): Promise<OnboardingProgress | undefined>;
  /** Writes the progress if nobody wrote since `progress.version` was read; returns the new version. */
  write(key: { pk: string; sk: string }, progress: OnboardingProgress): Promise<OnboardingProgress>;
}
