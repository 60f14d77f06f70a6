import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as names from '#lambdas/shared/metric-names';
import {
  accountHealthMetric,
  agentAssistantMetric,
  CAMPAIGN_METRIC,
  contactLookupMetric,
  contactsWorkMetric,
  conversationEndedMetric,
  normalizedMetric,
  OPERATOR_API,
  operatorRequestMetric,
  resolvedConversationMetric,
} from '#lambdas/shared/metric-names';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const NAMES_MODULE = join(ROOT, 'lambdas', 'shared', 'metric-names.ts');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Calls whose argument at this position is a metric name, or the first part of one. */
const METRIC_NAME_ARGUMENT: Readonly<Record<string, number>> = {
  // Powertools' `metrics.addMetric(name, unit, value)` (any Metrics instance, single metrics included).
  addMetric: 0,
  // lambdas/shared/invalid-event.ts: `consumeInvalidEvent(record, metricName, what, issues)`.
  consumeInvalidEvent: 1,
  // lambdas/identity/operator-request.ts: the API part of `<api>_<method>_<status>`.
  serveOperatorRequest: 1,
};

/**
 * The string and template literals that would end up in a metric name: the argument itself, either
 * branch of a conditional, either side of `+`, `??`, `||`, `&&`. A literal compared inside a
 * condition (`reason === 'window_closed' ? …`) is not part of the name.
 */
function nameLiterals(expression: ts.Expression): ts.Expression[] {
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression) || ts.isTemplateExpression(expression)) return [expression];
  if (
    ts.isParenthesizedExpression(expression) ||
    ts.isAsExpression(expression) ||
    ts.isSatisfiesExpression(expression) ||
    ts.isNonNullExpression(expression) ||
    ts.isAwaitExpression(expression)
  ) {
    return nameLiterals(expression.expression);
  }
  if (ts.isConditionalExpression(expression)) return [...nameLiterals(expression.whenTrue), ...nameLiterals(expression.whenFalse)];
  if (
    ts.isBinaryExpression(expression) &&
    [ts.SyntaxKind.PlusToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.AmpersandAmpersandToken].includes(
      expression.operatorToken.kind,
    )
  ) {
    return [...nameLiterals(expression.left), ...nameLiterals(expression.right)];
  }
  return [];
}

/** `line: literal` of every metric name written as a literal in one source file. */
function literalMetricNames(fileName: string, text: string): string[] {
  if (!Object.keys(METRIC_NAME_ARGUMENT).some((callee) => text.includes(callee))) return [];
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = ts.isPropertyAccessExpression(node.expression)
        ? node.expression.name.text
        : ts.isIdentifier(node.expression)
          ? node.expression.text
          : undefined;
      const position = callee === undefined ? undefined : METRIC_NAME_ARGUMENT[callee];
      const argument = position === undefined ? undefined : node.arguments[position];
      if (argument) {
        for (const literal of nameLiterals(argument)) {
          found.push(`${source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1}: ${literal.getText(source)}`);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('metric names live in lambdas/shared/metric-names.ts', () => {
  it('finds a literal name in every place one can hide, and not in conditions', () => {
    const sample = [
      "metrics.addMetric('Plain', MetricUnit.Count, 1);",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source code for the scanner, with a template literal in it
      'metrics.addMetric(`Composed_${outcome}`, MetricUnit.Count, 1);',
      "metrics.addMetric(done ? 'Done' : METRIC.agentSkipped, MetricUnit.Count, 1);",
      "single.addMetric('Prefix' + suffix, MetricUnit.Count, 1);",
      "consumeInvalidEvent(record, 'SomethingInvalid', 'something', issues);",
      "serveOperatorRequest(event, 'SomeApi', router, deps);",
      "metrics.addMetric(reason === 'window_closed' ? METRIC.agentWindowClosed : METRIC.agentSkipped, MetricUnit.Count, 1);",
      'metrics.addMetric(METRIC.agentReplied, MetricUnit.Count, 1);',
      'metrics.addMetric(CAMPAIGN_METRIC.tick(result.outcome), MetricUnit.Count, 1);',
      "consumeInvalidEvent(record, METRIC.agentEventInvalid, 'agent event', issues);",
    ].join('\n');
    expect(literalMetricNames('sample.ts', sample)).toEqual([
      "1: 'Plain'",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the template literal the scanner reports, as written in the source
      '2: `Composed_${outcome}`',
      "3: 'Done'",
      "4: 'Prefix'",
      "5: 'SomethingInvalid'",
      "6: 'SomeApi'",
    ]);
  });

  it('no Lambda source names a metric with a string or template literal', () => {
    const files = sources(join(ROOT, 'lambdas')).filter((file) => file !== NAMES_MODULE);
    expect(files.length).toBeGreaterThan(100);
    const offenders = files.flatMap((file) => literalMetricNames(file, readFileSync(file, 'utf8')).map((at) => `${relative(ROOT, file)}:${at}`));
    expect(offenders).toEqual([]);
  });

  it('gives every metric its own name, one CloudWatch accepts', () => {
    // METRIC and every per-area object (`AGENT_METRIC`, `MEDIA_METRIC`…); ACCOUNT_HEALTH_METRIC repeats METRIC's names.
    const objects = Object.entries(names).filter(
      ([key, value]) => /^([A-Z]+_)*METRIC$/.test(key) && key !== 'ACCOUNT_HEALTH_METRIC' && typeof value === 'object',
    );
    expect(objects.length).toBeGreaterThan(10);
    const all = objects.flatMap(([, value]) => Object.values(value as object).filter((name): name is string => typeof name === 'string'));
    expect(all.length).toBeGreaterThan(100);
    expect(all.filter((name, i) => all.indexOf(name) !== i)).toEqual([]);
    for (const name of all) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,254}$/);
    for (const name of Object.values(names.ACCOUNT_HEALTH_METRIC)) expect(Object.values(names.METRIC)).toContain(name);
  });

  it('composes names exactly as the dashboards, alarms and log queries read them', () => {
    expect(operatorRequestMetric(OPERATOR_API.humanAgent, 'POST', 403)).toBe('HumanAgent_POST_403');
    expect(Object.values(OPERATOR_API).sort()).toEqual(['AdminApi', 'CampaignsApi', 'HumanAgent', 'IntegrationsApi', 'Onboarding', 'SpendApi', 'TemplatesApi']);
    expect(agentAssistantMetric('answered')).toBe('AgentAssistant_answered');
    expect(agentAssistantMetric('failed')).toBe('AgentAssistantFailedFellBackToFlows');
    expect(normalizedMetric('message', 'duplicate')).toBe('Normalized_message_duplicate');
    expect(accountHealthMetric('applied')).toBe('AccountHealth_applied');
    expect(contactLookupMetric('timeout')).toBe('ContactLookup_timeout');
    expect(contactsWorkMetric('customer_message', 'invalid')).toBe('Contacts_customer_message_invalid');
    expect(resolvedConversationMetric('counted')).toBe('ResolvedConversation_counted');
    expect(conversationEndedMetric('ended')).toBe('ConversationEnded_ended');
    expect(CAMPAIGN_METRIC.kick('kicked')).toBe('CampaignKick_kicked');
    expect(CAMPAIGN_METRIC.tick('released')).toBe('CampaignTick_released');
    expect(CAMPAIGN_METRIC.build('failed')).toBe('CampaignBuild_failed');
    expect(CAMPAIGN_METRIC.counted('sent')).toBe('CampaignCounted_sent');
  });
});
