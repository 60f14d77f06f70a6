import { GraphApiError } from '#lambdas/adapters/graph-api-client';
import type { OnboardingFailure, OnboardingStepName } from '#lambdas/onboarding/onboarding-contract';
import { OnboardingStepError, AccessNotProven } from '#lambdas/onboarding/errors';

/**
 * Meta's codes onboarding meets, with what the operator can do. Codes from Meta's Graph API and
 * WhatsApp Cloud API error references; the subcodes are those of `/oauth/access_token`.
 */
const REGISTER_ADVICE: Record<number, string> = {
  133005:
    "Two-step verification is on for this number with a different PIN. Re-run with --pin <the number's current 6-digit PIN>, or turn two-step verification off in WhatsApp Manager (Phone numbers → Settings → Two-step verification), then re-run with --resume.",
  133006: 'The number must be verified again: verify it in WhatsApp Manager, then re-run with --resume.',
  133008: 'Too many wrong PINs: wait for the time Meta names, then re-run with the right --pin.',
  133009: 'PINs were tried too fast: wait a minute, then re-run with --resume.',
  133015: 'The number was deleted recently: wait a few minutes, then re-run with --resume.',
  133016: 'Too many register/deregister calls for this number: wait (up to 72 hours), then re-run with --resume.',
};

export function failureFromError(step: OnboardingStepName, err: unknown): OnboardingFailure {
  if (err instanceof AccessNotProven && err.metaError) {
    const meta = err.metaError;
    return {
      step,
      ...(meta.code !== undefined ? { code: meta.code } : {}),
      ...(meta.subcode !== undefined ? { subcode: meta.subcode } : {}),
      message: `${err.message}: ${meta.details ? `${meta.message} (${meta.details})` : meta.message}`,
      advice: meta.retryable ? TRANSIENT_PROOF_ADVICE : err.advice,
    };
  }
  if (err instanceof OnboardingStepError) return { step, message: err.message, advice: err.advice };
  if (!(err instanceof GraphApiError)) {
    return {
      step,
      message: (err as Error).message ?? String(err),
      advice: 'An unexpected failure; re-run with --resume. If it repeats, check the function log for this request.',
    };
  }
  const base = {
    step,
    ...(err.code !== undefined ? { code: err.code } : {}),
    ...(err.subcode !== undefined ? { subcode: err.subcode } : {}),
    message: err.details ? `${err.message} (${err.details})` : err.message,
  };
  return { ...base, advice: adviceFor(step, err) };
}

/** The code is spent once exchanged; a proof Meta could not answer needs the signup again. */
const TRANSIENT_PROOF_ADVICE =
  'Meta had a temporary problem while the new token was checked; the code is spent, so have the business finish the signup again and re-run with the new code.';

function adviceFor(step: OnboardingStepName, err: GraphApiError): string {
  if (step === 'exchange_token' && err.code === 100 && err.subcode === 36009) {
    return 'This code was already exchanged. Codes work once: have the business finish Embedded Signup again for a new code, then re-run with it.';
  }
  if (step === 'exchange_token' && err.code === 100) {
    return 'Meta refused the code (expired after a few minutes, mistyped, or from another app or redirect URI). Have the business finish Embedded Signup again and re-run with the new code.';
  }
  if (step === 'exchange_token' && (err.code === 101 || err.code === 1)) {
    return 'Meta refused the app credentials: check appId and appSecret in the Meta app secret.';
  }
  if (err.code !== undefined && REGISTER_ADVICE[err.code]) return REGISTER_ADVICE[err.code]!;
  if (err.code === 190) return 'The stored token is invalid or expired: have the business finish Embedded Signup again and re-run with the new code.';
  if (err.code === 200 || err.code === 10 || err.code === 3) {
    return step === 'subscribe_webhooks' && err.message.toLowerCase().includes('page')
      ? 'The token lacks the Page permissions (pages_manage_metadata, pages_messaging, instagram_manage_messages): add them to the login configuration, have the business log in again and re-run with the new code.'
      : 'The token lacks a permission (whatsapp_business_management for the account, whatsapp_business_messaging for sends): add it to the Embedded Signup configuration, have the business finish it again and re-run with the new code.';
  }
  if (err.code === 100 && err.subcode === 33)
    return 'Meta does not know this id or the business did not share it with the app: check the ids the signup returned.';
  if (err.retryable) return 'Meta had a temporary problem: re-run with --resume in a minute.';
  return 'Meta refused this step; the message says why. Fix it and re-run with --resume.';
}
