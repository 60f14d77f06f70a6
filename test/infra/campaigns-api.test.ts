import { beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGNS_ROUTES } from '#lambdas/campaigns/campaigns-api-contract';
import { ENV } from '#lambdas/shared/event-contract';
import { CAMPAIGNS_API_READ_KEYS, CAMPAIGNS_API_WRITE_KEYS } from '#lib/constructs/campaigns-api';
import { actionsOf, environmentOf, resourceOfType, statementsGranting, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

describe('campaigns admin API', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  it('serves every campaigns route from its own function behind the admin scope', () => {
    const routes = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r['Properties'] as Record<string, unknown>);
    for (const route of Object.values(CAMPAIGNS_ROUTES)) {
      const found = routes.filter((r) => r['RouteKey'] === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toHaveLength(1);
      expect(found[0]).toMatchObject({ AuthorizationType: 'JWT', AuthorizationScopes: ['omnichannel/admin'] });
      expect(JSON.stringify(found[0]!['Target'])).toContain('CampaignsApi');
    }
    const fn = resourceOfType(synth.json, 'CampaignsApiFunction', 'AWS::Lambda::Function');
    expect(fn.Properties).toMatchObject({ Timeout: 29, MemorySize: 1024 });
    expect(environmentOf(synth.json, 'CampaignsApiFunction')).toMatchObject({ [ENV.tableName]: { Ref: 'Table' }, [ENV.eventBusName]: { Ref: 'EventBus' } });
  });

  it('writes only campaign items and its audit records, reads only what audiences and checks need, deletes nothing', () => {
    const statements = statementsOfRole(synth.json, 'CampaignsApiFunctionRole');
    const dynamo = actionsOf(statements).filter((a) => a.startsWith('dynamodb:'));
    expect([...new Set(dynamo)].sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      const grants = statementsGranting(statements, action);
      expect(grants).toHaveLength(1);
      expect(grants[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': CAMPAIGNS_API_WRITE_KEYS } });
    }
    expect(CAMPAIGNS_API_WRITE_KEYS).toEqual(['CAMPAIGNS#*', 'CAMPAIGN#*', 'RUNNING_CAMPAIGNS', 'AUDIT#*']);
    const reads = statementsGranting(statements, 'dynamodb:GetItem');
    expect(reads).toHaveLength(1);
    expect(reads[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': CAMPAIGNS_API_READ_KEYS } });
    // The only unconditioned table grant: Query on the contacts index (an audience's walk).
    const queries = statementsGranting(statements, 'dynamodb:Query').filter((s) => s.Condition === undefined);
    expect(queries.map((s) => JSON.stringify(s.Resource))).toEqual([expect.stringContaining('/index/gsi3')]);
    expect(actionsOf(statements).filter((a) => a.startsWith('secretsmanager:') || a.startsWith('sqs:'))).toEqual([]);
    expect(actionsOf(statements)).toContain('events:PutEvents');
  });
});
