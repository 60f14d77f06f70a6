import type { OnboardingStepName, StepRecord } from '#lambdas/onboarding/onboarding-contract';
import { failureFromError } from '#lambdas/onboarding/onboarding-failure';
import type { OnboardingProgress, ProgressStore } from '#lambdas/onboarding/onboarding-progress';
import { HealthCheckFailed, OnboardingConflictError } from '#lambdas/onboarding/errors';

export interface OnboardingStep {
  name: OnboardingStepName;
  /**
   * The step proves the business may onboard the account and claims it. Until it has succeeded
   * once, a failure of it is reported but not saved: a business naming another's ids leaves no
   * progress behind that the rightful owner's onboarding would then be refused over.
   */
  claims?: boolean;
  /** Does the step's work; what it returns is merged into the progress (ids, secret name, health). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a step with nothing to record is an `async () => {…}`, which TypeScript types as Promise<void>
  run(progress: OnboardingProgress): Promise<{ record?: Partial<Omit<StepRecord, 'at'>>; update?: Partial<OnboardingProgress> } | void>;
}

/**
 * Runs the steps in order, skipping those already done or skipped, and saves the progress after
 * each one, so a crash or a refusal resumes exactly where it stopped. The first failure ends the
 * run with Meta's code and advice recorded; nothing after it runs. A refused claim (another
 * business owns the account) is thrown as it is and saves nothing.
 */
export async function runOnboardingSteps(
  store: ProgressStore,
  key: { pk: string; sk: string },
  start: OnboardingProgress,
  steps: readonly OnboardingStep[],
  now: () => Date,
): Promise<OnboardingProgress> {
  let progress: OnboardingProgress = { ...start, failure: undefined };
  for (const step of steps) {
    const state = progress.steps[step.name]?.status;
    if (state === 'done' || state === 'skipped') continue;
    let outcome: Awaited<ReturnType<OnboardingStep['run']>>;
    try {
      outcome = await step.run(progress);
    } catch (err) {
      if (err instanceof OnboardingConflictError) throw err;
      const at = now().toISOString();
      const failure = failureFromError(step.name, err);
      const failed: OnboardingProgress = {
        ...progress,
        ...(err instanceof HealthCheckFailed ? { health: err.health } : {}),
        steps: { ...progress.steps, [step.name]: { status: 'failed', at, note: failure.message } },
        failure,
        updatedAt: at,
      };
      // Never saved yet and the claim failed: the business has shown no right to this account.
      if (step.claims && progress.version === 0) return failed;
      return store.write(key, failed);
    }
    const at = now().toISOString();
    progress = await store.write(key, {
      ...progress,
      ...outcome?.update,
      steps: { ...progress.steps, [step.name]: { status: 'done', ...outcome?.record, at } },
      updatedAt: at,
    });
  }
  return progress;
}
