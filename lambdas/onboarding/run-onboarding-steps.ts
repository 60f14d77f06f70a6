import type { OnboardingStepName, StepRecord } from '#lambdas/onboarding/onboarding-contract';
import { failureFromError, HealthCheckFailed } from '#lambdas/onboarding/onboarding-failure';
import type { OnboardingProgress, ProgressStore } from '#lambdas/onboarding/onboarding-progress';

export interface OnboardingStep {
  name: OnboardingStepName;
  /** Does the step's work; what it returns is merged into the progress (ids, secret name, health). */
  run(progress: OnboardingProgress): Promise<{ record?: Partial<Omit<StepRecord, 'at'>>; update?: Partial<OnboardingProgress> } | void>;
}

/**
 * Runs the steps in order, skipping those already done or skipped, and saves the progress after
 * each one, so a crash or a refusal resumes exactly where it stopped. The first failure ends the
 * run with Meta's code and advice recorded; nothing after it runs.
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
      const at = now().toISOString();
      const failure = failureFromError(step.name, err);
      progress = await store.write(key, {
        ...progress,
        ...(err instanceof HealthCheckFailed ? { health: err.health } : {}),
        steps: { ...progress.steps, [step.name]: { status: 'failed', at, note: failure.message } },
        failure,
        updatedAt: at,
      });
      return progress;
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

