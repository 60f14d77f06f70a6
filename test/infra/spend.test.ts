import { beforeAll, describe, expect, it } from 'vitest';
import { SPEND_ROUTES } from '#lambdas/pricing/api/spend-api-contract';
import { ENV } from '#lambdas/shared/event-contract';
import { METRIC } from '#lambdas/shared/metric-names';
import { SPEND_OUTCOMES_EVENT_PATTERN } from '#lib/constructs/spend';
import { actionsOf, environmentOf, resourceOfType, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

const TABLE_ARN = { 'Fn::GetAtt': ['Table', 'Arn'] };

describe('Meta spend', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  it('serves every spend route behind the JWT authoriser with the admin scope', () => {
    const routes = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r['Properties'] as Record<string, unknown>);
    for (const route of Object.values(SPEND_ROUTES)) {
      const found = routes.filter((r) => r['RouteKey'] === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toHaveLength(1);
      expect(found[0]).toMatchObject({ AuthorizationType: 'JWT', AuthorizationScopes: ['omnichannel/admin'] });
    }
  });

  it('lets the spend API read SPEND# items and write only budgets and its audit records', () => {
    const statements = statementsOfRole(synth.json, 'SpendApiFunctionRole').filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')));
    expect(statements.map((s) => ({ actions: actionsOf([s]).sort(), resource: s.Resource, condition: s.Condition }))).toEqual([
      {
        actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
        resource: TABLE_ARN,
        condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SPEND#*'] } },
      },
      { actions: ['dynamodb:PutItem'], resource: TABLE_ARN, condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SPEND#*', 'AUDIT#*'] } } },
    ]);
    expect(environmentOf(synth.json, 'SpendApiFunction')).toMatchObject({ [ENV.tableName]: { Ref: 'Table' } });
  });

  it('counts resolved conversations from resolved closes and bot ends only, touching SPEND# items and reading the registry', () => {
    const rule = resourceOfType(synth.json, 'SpendOutcomesRule', 'AWS::Events::Rule');
    expect(rule.Properties?.['EventPattern']).toEqual(SPEND_OUTCOMES_EVENT_PATTERN);
    const statements = statementsOfRole(synth.json, 'SpendOutcomesFunctionRole').filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')));
    expect(
      statements.map((s) => ({
        actions: actionsOf([s]).sort(),
        keys: (s.Condition as Record<string, Record<string, unknown>>)['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'],
      })),
    ).toEqual([
      { actions: ['dynamodb:GetItem'], keys: ['ACCT#*'] },
      { actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], keys: ['SPEND#*'] },
    ]);
  });

  it('alarms when any business crosses 80% or 100% of its budget, and charts the spend', () => {
    const alarm = resourceOfType(synth.json, 'MetaBudgetThresholdAlarm', 'AWS::CloudWatch::Alarm');
    const metrics = alarm.Properties?.['Metrics'] as Array<{
      Id: string;
      MetricStat?: { Metric: { MetricName: string; Dimensions: Array<{ Name: string; Value: string }> } };
    }>;
    const watched = metrics
      .filter((m) => m.MetricStat)
      .map((m) => [m.MetricStat!.Metric.MetricName, Object.fromEntries(m.MetricStat!.Metric.Dimensions.map((d) => [d.Name, d.Value]))]);
    expect(watched).toEqual([
      [METRIC.metaBudgetThresholdCrossed, { service: 'spend', threshold: '80' }],
      [METRIC.metaBudgetThresholdCrossed, { service: 'spend', threshold: '100' }],
    ]);
    expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    const dashboard = JSON.stringify(synth.json.Resources['OperationsDashboard']?.Properties?.['DashboardBody']);
    expect(dashboard).toContain('Meta spend (USD per 5 minutes) and budget thresholds crossed');
    expect(dashboard).toContain(METRIC.metaChargeMicros);
  });
});
