import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_OPERATOR_THROTTLE,
  DEFAULT_WEBHOOK_RESERVED_CONCURRENCY,
  DEFAULT_WEBHOOK_THROTTLE,
  InvalidApiProtectionError,
} from '#lib/constructs/api-protection';
import { edgeProtectionByDefault } from '#lib/stage';
import { buildProtectedApi } from '#test/infra/api-protection-helpers';
import { type CfnTemplate, resourceOfType, synthesizeStack } from '#test/infra/synthesize';

type RouteSettings = Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;

function stageOf(json: CfnTemplate) {
  return resourceOfType(json, 'WebhookApiStage', 'AWS::ApiGatewayV2::Stage');
}

function resourcesOfType(json: CfnTemplate, type: string) {
  return Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
}

interface WafRule {
  Name: string;
  Action?: { Block?: unknown };
  Statement: {
    RateBasedStatement?: { Limit: number; AggregateKeyType: string; ScopeDownStatement: unknown };
    ManagedRuleGroupStatement?: { Name: string };
    AndStatement?: unknown;
  };
}

describe('API throttles and webhook concurrency', () => {
  let json: CfnTemplate;
  beforeAll(() => {
    json = buildProtectedApi().template().toJSON() as CfnTemplate;
  });

  it('limits the webhook routes with their own route settings, apart from the stage default', () => {
    const stage = stageOf(json);
    const settings = stage.Properties?.['RouteSettings'] as RouteSettings;
    expect(Object.keys(settings).sort()).toEqual(['GET /webhook', 'POST /webhook']);
    for (const routeKey of ['GET /webhook', 'POST /webhook']) {
      expect(settings[routeKey]).toEqual({
        ThrottlingRateLimit: DEFAULT_WEBHOOK_THROTTLE.rateLimit,
        ThrottlingBurstLimit: DEFAULT_WEBHOOK_THROTTLE.burstLimit,
      });
    }
  });

  it('gives every other route (the operator APIs added later) the operator limit as the stage default', () => {
    const stage = stageOf(json);
    expect(stage.Properties?.['DefaultRouteSettings']).toEqual({
      ThrottlingRateLimit: DEFAULT_OPERATOR_THROTTLE.rateLimit,
      ThrottlingBurstLimit: DEFAULT_OPERATOR_THROTTLE.burstLimit,
    });
    expect(DEFAULT_OPERATOR_THROTTLE.rateLimit).toBeLessThan(DEFAULT_WEBHOOK_THROTTLE.rateLimit);
    expect(DEFAULT_OPERATOR_THROTTLE.burstLimit).toBeLessThan(DEFAULT_WEBHOOK_THROTTLE.burstLimit);
  });

  it('creates the stage after the webhook routes its settings name', () => {
    const stage = json.Resources['WebhookApiStage'] as { DependsOn?: string[] };
    const routeIds = resourcesOfType(json, 'AWS::ApiGatewayV2::Route').map(([id]) => id);
    expect(routeIds).toHaveLength(2);
    expect(stage.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('reserves concurrency for the webhook function', () => {
    const webhook = resourceOfType(json, 'WebhookFunction', 'AWS::Lambda::Function');
    expect(webhook.Properties?.['ReservedConcurrentExecutions']).toBe(DEFAULT_WEBHOOK_RESERVED_CONCURRENCY);
  });

  it('takes the limits and the concurrency from the settings', () => {
    const custom = buildProtectedApi({
      settings: {
        webhookThrottle: { rateLimit: 800, burstLimit: 1600 },
        operatorThrottle: { rateLimit: 20, burstLimit: 40 },
        webhookReservedConcurrency: 80,
      },
    })
      .template()
      .toJSON() as CfnTemplate;
    const stage = stageOf(custom);
    expect((stage.Properties!['RouteSettings'] as RouteSettings)['POST /webhook']).toEqual({
      ThrottlingRateLimit: 800,
      ThrottlingBurstLimit: 1600,
    });
    expect(stage.Properties?.['DefaultRouteSettings']).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    expect(resourceOfType(custom, 'WebhookFunction', 'AWS::Lambda::Function').Properties?.['ReservedConcurrentExecutions']).toBe(80);
  });

  it('refuses limits API Gateway or the account would not honour, and a concurrency below one', () => {
    const build = (settings: Parameters<typeof buildProtectedApi>[0]) => () => buildProtectedApi(settings);
    expect(build({ settings: { webhookThrottle: { rateLimit: 0, burstLimit: 10 } } })).toThrow(InvalidApiProtectionError);
    expect(build({ settings: { webhookThrottle: { rateLimit: 20_000, burstLimit: 10 } } })).toThrow(/account/);
    expect(build({ settings: { operatorThrottle: { rateLimit: 10, burstLimit: 10.5 } } })).toThrow(/burstLimit/);
    expect(build({ settings: { operatorThrottle: { rateLimit: 10, burstLimit: 6_000 } } })).toThrow(/burstLimit/);
    expect(build({ settings: { webhookReservedConcurrency: 0 } })).toThrow(/webhookReservedConcurrency/);
    expect(build({ settings: { webhookReservedConcurrency: 2.5 } })).toThrow(/webhookReservedConcurrency/);
  });
});

describe('CloudFront and AWS WAF in front of the API', () => {
  let json: CfnTemplate;
  beforeAll(() => {
    json = buildProtectedApi({ edge: true }).template().toJSON() as CfnTemplate;
  });

  it('puts a CloudFront-scope web ACL on a distribution whose origin is the HTTP API', () => {
    const acl = resourceOfType(json, 'ApiWebAcl', 'AWS::WAFv2::WebACL');
    expect(acl.Properties?.['Scope']).toBe('CLOUDFRONT');
    expect(acl.Properties?.['DefaultAction']).toEqual({ Allow: {} });
    const distribution = resourceOfType(json, 'ApiDistribution', 'AWS::CloudFront::Distribution');
    const config = distribution.Properties?.['DistributionConfig'] as Record<string, unknown>;
    expect(config['WebACLId']).toEqual({ 'Fn::GetAtt': ['ApiWebAcl', 'Arn'] });
    const origin = (config['Origins'] as Array<{ DomainName: unknown; CustomOriginConfig: { OriginProtocolPolicy: string } }>)[0]!;
    expect(JSON.stringify(origin.DomainName)).toContain('{"Ref":"WebhookApi"}');
    expect(JSON.stringify(origin.DomainName)).toContain('.execute-api.');
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
  });

  it('forwards everything the webhook and operators need, caches nothing, and never redirects a POST', () => {
    const distribution = resourceOfType(json, 'ApiDistribution', 'AWS::CloudFront::Distribution');
    const behavior = (distribution.Properties!['DistributionConfig'] as { DefaultCacheBehavior: Record<string, unknown> }).DefaultCacheBehavior;
    // Managed policies: CachingDisabled and AllViewerExceptHostHeader.
    expect(behavior['CachePolicyId']).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(behavior['OriginRequestPolicyId']).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    expect(behavior['ViewerProtocolPolicy']).toBe('https-only');
    expect(behavior['AllowedMethods']).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
  });

  it('blocks per IP with a looser limit on the webhook path than on the operator paths', () => {
    const rules = resourceOfType(json, 'ApiWebAcl', 'AWS::WAFv2::WebACL').Properties?.['Rules'] as WafRule[];
    const byName = new Map(rules.map((rule) => [rule.Name, rule]));
    const webhook = byName.get('WebhookRequestsPerIp')!;
    const operator = byName.get('OperatorRequestsPerIp')!;
    expect(webhook.Action).toEqual({ Block: {} });
    expect(operator.Action).toEqual({ Block: {} });
    expect(webhook.Statement.RateBasedStatement).toMatchObject({ AggregateKeyType: 'IP', Limit: 30_000 });
    expect(operator.Statement.RateBasedStatement).toMatchObject({ AggregateKeyType: 'IP', Limit: 3_000 });
    const onWebhook = { ByteMatchStatement: expect.objectContaining({ SearchString: '/webhook', PositionalConstraint: 'EXACTLY' }) };
    expect(webhook.Statement.RateBasedStatement?.ScopeDownStatement).toEqual(onWebhook);
    expect(operator.Statement.RateBasedStatement?.ScopeDownStatement).toEqual({ NotStatement: { Statement: onWebhook } });
  });

  it('blocks webhook posts without a Meta signature header, and known bad inputs and addresses', () => {
    const rules = resourceOfType(json, 'ApiWebAcl', 'AWS::WAFv2::WebACL').Properties?.['Rules'] as WafRule[];
    const unsigned = rules.find((rule) => rule.Name === 'UnsignedWebhookPost')!;
    expect(unsigned.Action).toEqual({ Block: {} });
    const text = JSON.stringify(unsigned.Statement);
    expect(text).toContain('"x-hub-signature-256"');
    expect(text).toContain('"SearchString":"sha256="');
    expect(text).toContain('"SearchString":"POST"');
    expect(text).toContain('NotStatement');
    const managed = rules.flatMap((rule) => (rule.Statement.ManagedRuleGroupStatement ? [rule.Statement.ManagedRuleGroupStatement.Name] : []));
    expect(managed.sort()).toEqual(['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesKnownBadInputsRuleSet']);
    // Priorities are unique, or WAF refuses the web ACL.
    expect(new Set(rules.map((rule) => (rule as unknown as { Priority: number }).Priority)).size).toBe(rules.length);
  });

  it('gives Meta the webhook path on the CloudFront domain', () => {
    const built = buildProtectedApi({ edge: true });
    expect(built.stack.resolve(built.edge!.webhookUrl)).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['ApiDistribution', 'DomainName'] }, '/webhook']],
    });
  });

  it('uses a web ACL given by ARN instead of creating one', () => {
    const arn = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/shared/abcd';
    const given = buildProtectedApi({ edge: true, region: 'eu-west-1', settings: { webAclArn: arn } })
      .template()
      .toJSON() as CfnTemplate;
    expect(resourcesOfType(given, 'AWS::WAFv2::WebACL')).toEqual([]);
    const distribution = resourceOfType(given, 'ApiDistribution', 'AWS::CloudFront::Distribution');
    expect((distribution.Properties!['DistributionConfig'] as Record<string, unknown>)['WebACLId']).toBe(arn);
  });

  it('refuses to create a CloudFront web ACL in a stack outside us-east-1', () => {
    expect(() => buildProtectedApi({ edge: true, region: 'eu-west-1' })).toThrow(/us-east-1.*webAclArn/);
    expect(() => buildProtectedApi({ edge: true, region: 'us-east-1' })).not.toThrow();
  });

  it('refuses per-IP limits WAF would not accept', () => {
    expect(() => buildProtectedApi({ edge: true, settings: { operatorRequestsPerIp: 5 } })).toThrow(/operatorRequestsPerIp/);
  });
});

// cdk-nag runs on the whole stack in nag.test.ts; here only the template matters.
describe('API protection in the whole stack', () => {
  it('is on by default for long-lived stages and off for dev and test', () => {
    expect(edgeProtectionByDefault('prod')).toBe(true);
    expect(edgeProtectionByDefault('staging')).toBe(true);
    expect(edgeProtectionByDefault('dev')).toBe(false);
    expect(edgeProtectionByDefault('test')).toBe(false);
  });

  it('prod: per-route throttles, webhook concurrency, CloudFront with the web ACL, and Meta pointed at CloudFront', () => {
    const { json } = synthesizeStack({ stage: 'prod', nag: false });
    const stage = stageOf(json);
    expect(Object.keys(stage.Properties?.['RouteSettings'] as RouteSettings).sort()).toEqual(['GET /webhook', 'POST /webhook']);
    expect(stage.Properties?.['DefaultRouteSettings']).toMatchObject({ ThrottlingRateLimit: DEFAULT_OPERATOR_THROTTLE.rateLimit });
    // Operator routes exist and have no setting of their own, so the stage default applies to them.
    const routeKeys = resourcesOfType(json, 'AWS::ApiGatewayV2::Route').map(([, route]) => String(route.Properties?.['RouteKey']));
    expect(routeKeys.filter((key) => !key.endsWith(' /webhook')).length).toBeGreaterThan(0);
    expect(resourceOfType(json, 'WebhookFunction', 'AWS::Lambda::Function').Properties?.['ReservedConcurrentExecutions']).toBe(
      DEFAULT_WEBHOOK_RESERVED_CONCURRENCY,
    );
    expect(resourcesOfType(json, 'AWS::WAFv2::WebACL')).toHaveLength(1);
    expect(apiDistributions(json)).toHaveLength(1);
    expect(JSON.stringify(json.Outputs?.['WebhookUrl']?.Value)).toContain('ApiDistribution');
  });

  it('dev: the same throttles and concurrency, but no CloudFront or WAF, and Meta pointed at the API', () => {
    const { json } = synthesizeStack({ stage: 'dev', nag: false });
    expect(Object.keys(stageOf(json).Properties?.['RouteSettings'] as RouteSettings).sort()).toEqual(['GET /webhook', 'POST /webhook']);
    expect(resourceOfType(json, 'WebhookFunction', 'AWS::Lambda::Function').Properties?.['ReservedConcurrentExecutions']).toBe(
      DEFAULT_WEBHOOK_RESERVED_CONCURRENCY,
    );
    expect(resourcesOfType(json, 'AWS::WAFv2::WebACL')).toEqual([]);
    expect(apiDistributions(json)).toEqual([]);
    expect(JSON.stringify(json.Outputs?.['WebhookUrl']?.Value)).toContain('WebhookApi');
  });

  it('dev can opt in, and prod out', () => {
    const dev = synthesizeStack({ stage: 'dev', nag: false, stackProps: { apiProtection: { edge: true } } });
    expect(resourcesOfType(dev.json, 'AWS::WAFv2::WebACL')).toHaveLength(1);
    const prod = synthesizeStack({ stage: 'prod', nag: false, stackProps: { apiProtection: { edge: false } } });
    expect(apiDistributions(prod.json)).toEqual([]);
  });
});

/** CloudFront in front of the API (the agent console has a distribution of its own). */
function apiDistributions(json: Parameters<typeof resourcesOfType>[0]) {
  return resourcesOfType(json, 'AWS::CloudFront::Distribution').filter(([id]) => id !== 'AgentConsoleDistribution');
}
