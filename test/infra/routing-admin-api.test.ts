import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTING_ADMIN_ROUTES } from '#lambdas/routing/routing-api-contract';
import { statementsGranting, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

describe('routing administration on the admin API', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  it('serves every routing admin route behind the JWT authoriser with the admin scope', () => {
    const routes = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r['Properties'] as Record<string, unknown>);
    for (const route of Object.values(ROUTING_ADMIN_ROUTES)) {
      const found = routes.filter((r) => r['RouteKey'] === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toHaveLength(1);
      expect(found[0]).toMatchObject({ AuthorizationType: 'JWT', AuthorizationScopes: ['omnichannel/admin'] });
    }
  });

  it('lets the admin API delete only routing configuration and contact tags, on the table itself', () => {
    const deletes = statementsGranting(statementsOfRole(synth.json, 'AdminApiFunctionRole'), 'dynamodb:DeleteItem');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.Resource).toEqual({ 'Fn::GetAtt': ['Table', 'Arn'] });
    expect(deletes[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ROUTING#*', 'CONTACT#*'] } });
  });
});
