import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { HOLDOUT_SET } from '#test/eval/agent-eval-holdout';
import { EVAL_SET } from '#test/eval/agent-eval-set';
import { EVAL_TARGETS, formatReport, runEval } from '#test/eval/agent-eval';

/** `npm run eval:agent`: the labelled set through the flows, the figures, and every miss. Exit 1 below target. */
const report = runEval(EVAL_SET, demoBotSettings());
console.log(formatReport(report));
if (report.failures.length > 0) {
  console.log(`\nMisses (${report.failures.length}):`);
  for (const f of report.failures) {
    console.log(`  [${f.lang}→${f.gotLang}] expected ${f.expected.join('|')}, got ${f.got}: ${f.text.slice(0, 90)}`);
  }
}
const holdout = runEval(HOLDOUT_SET, demoBotSettings());
console.log(`\nSecond set (written after the main set was used to tune; see agent-eval-holdout.ts; reported, not gated):\n${formatReport(holdout)}`);
for (const f of holdout.failures) {
  console.log(`  [${f.lang}→${f.gotLang}] expected ${f.expected.join('|')}, got ${f.got}: ${f.text.slice(0, 90)}`);
}
const atTarget =
  report.languageAccuracy >= EVAL_TARGETS.languageAccuracy &&
  report.wrongAnswerRate <= EVAL_TARGETS.wrongAnswerRate &&
  report.optOutRecall >= EVAL_TARGETS.optOutRecall &&
  report.falseOptOuts <= EVAL_TARGETS.falseOptOuts;
process.exitCode = atTarget ? 0 : 1;
