import { describe, expect, it } from 'vitest';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { EVAL_TARGETS, runEval } from '#test/eval/agent-eval';
import { EVAL_SET } from '#test/eval/agent-eval-set';

/** The whole labelled set runs in well under a second, so CI runs all of it (`npm run eval:agent` prints the details). */
describe('agent evaluation on the labelled set', () => {
  const report = runEval(EVAL_SET, demoBotSettings());

  it('plays at least 300 customer messages', () => {
    expect(report.turns).toBeGreaterThanOrEqual(300);
  });

  it('answers in the customer language', () => {
    expect(report.languageAccuracy).toBeGreaterThanOrEqual(EVAL_TARGETS.languageAccuracy);
  });

  it('rarely answers with the wrong FAQ entry', () => {
    expect(report.wrongAnswerRate).toBeLessThanOrEqual(EVAL_TARGETS.wrongAnswerRate);
  });

  it('honours every clear opt-out and never opts out anyone who did not ask', () => {
    expect(report.optOutRecall).toBe(EVAL_TARGETS.optOutRecall);
    expect(report.falseOptOuts).toBe(EVAL_TARGETS.falseOptOuts);
  });

  it('is honest about the questions no entry covers', () => {
    expect(report.honestFallbackRate).toBeGreaterThanOrEqual(0.95);
  });
});
