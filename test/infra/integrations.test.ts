import { beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATIONS_ROUTES } from '#lambdas/integrations/api/integrations-api-contract';
import { INTEGRATIONS_ENV } from '#lambdas/integrations/integrations-env';
import { ENV } from '#lambdas/shared/event-contract';
import { INTEGRATION_DISPATCH_PATTERN } from '#lib/constructs/integrations';
import type { CfnTemplate as LocalTemplate } from '#lib/local-cloud/template/cfn-template';
import { readTopology } from '#lib/local-cloud/template/read-topology';
import {
  actionsOf,
  environmentOf,
  FUNCTION_IDS,
  resourceOfType,
  statementsGranting,
  statementsOfRole,
  synthesizeStack,
  type PolicyStatement,
  type SynthesizedStack,
} from '#test/infra/synthesize';

const PREFIX = 'Omnichannel-dev-i-';
const arn = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
});
const CONNECTIONS = arn(`connection/${PREFIX}*`);
const API_DESTINATIONS = arn(`api-destination/${PREFIX}*`);
const RULES = arn(`rule/Omnichannel-dev-events/${PREFIX}*`);
const secretArn = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:secret:${name}`]],
});
const INTEGRATION_SECRETS = secretArn('Omnichannel-dev/integrations/*');
const CONNECTION_SECRETS = secretArn(`events!connection/${PREFIX}*`);

const resourcesOf = (statements: readonly PolicyStatement[]) => statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));

describe('integrations', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  it('feeds the dispatcher the subscribed domain events and template sends, never the bot replies', () => {
    const rule = resourceOfType(synth.json, 'IntegrationDispatchRule', 'AWS::Events::Rule');
    expect(rule.Properties?.['EventPattern']).toEqual(INTEGRATION_DISPATCH_PATTERN);
    const pairs = INTEGRATION_DISPATCH_PATTERN.$or;
    const replyRequested = pairs.filter((p) => (p['detail-type'] as readonly string[]).includes('reply.requested'));
    expect(replyRequested).toHaveLength(1);
    expect(replyRequested[0]!.source).toEqual(['io.omnichannel.templates', 'io.omnichannel.human-agent']);
    // The integrations' own events never come back into the dispatcher.
    expect(JSON.stringify(pairs)).not.toContain('io.omnichannel.integrations');
    const queue = resourceOfType(synth.json, 'IntegrationDispatchQueue', 'AWS::SQS::Queue');
    expect(queue.Properties).toMatchObject({
      QueueName: 'Omnichannel-dev-integration-dispatch',
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['IntegrationDispatchDeadLetterQueue', 'Arn'] } },
    });
  });

  it('gives the integrations dead-letter queue a consumer and a dead-letter queue of its own, and lets only this stack’s integration rules write to it', () => {
    const queue = resourceOfType(synth.json, 'IntegrationDeadLettersQueue', 'AWS::SQS::Queue');
    expect(queue.Properties).toMatchObject({
      QueueName: 'Omnichannel-dev-integration-dead-letters',
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['IntegrationDeadLettersDeadLetterQueue', 'Arn'] }, maxReceiveCount: 8 },
    });
    const policies = Object.values(synth.json.Resources).filter(
      (r) => r.Type === 'AWS::SQS::QueuePolicy' && JSON.stringify(r.Properties?.['Queues']).includes('IntegrationDeadLettersQueue'),
    );
    expect(policies).toHaveLength(1);
    const statements = (policies[0]!.Properties!['PolicyDocument'] as { Statement: PolicyStatement[] }).Statement;
    const fromEvents = statements.filter((s) => JSON.stringify(s.Principal).includes('events.amazonaws.com'));
    expect(fromEvents).toHaveLength(1);
    expect(fromEvents[0]).toMatchObject({ Effect: 'Allow', Action: 'sqs:SendMessage', Condition: { ArnLike: { 'aws:SourceArn': RULES } } });
    const mapping = Object.values(synth.json.Resources).find(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r.Properties?.['EventSourceArn']).includes('IntegrationDeadLettersQueue'),
    );
    expect(mapping?.Properties).toMatchObject({ FunctionName: { Ref: 'IntegrationDeadLettersFunction' }, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    expect(environmentOf(synth.json, 'IntegrationDeadLettersFunction')[INTEGRATIONS_ENV.parkedQueueUrl]).toEqual({
      Ref: 'IntegrationDeadLettersDeadLetterQueue',
    });
  });

  it('lets EventBridge, and only it, assume the invoke role for this account’s integration rules, to invoke this stack’s API destinations', () => {
    const role = resourceOfType(synth.json, 'IntegrationInvokeRole', 'AWS::IAM::Role');
    const trust = (role.Properties!['AssumeRolePolicyDocument'] as { Statement: PolicyStatement[] }).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': RULES } },
    });
    const statements = statementsOfRole(synth.json, 'IntegrationInvokeRole');
    expect(actionsOf(statements)).toEqual(['events:InvokeApiDestination']);
    expect(resourcesOf(statements)).toEqual([API_DESTINATIONS]);
  });

  it('scopes the admin function’s EventBridge, IAM and Secrets Manager grants by the stack’s prefix', () => {
    const statements = statementsOfRole(synth.json, 'IntegrationsApiFunctionRole');
    const expectOnly = (action: string, resources: unknown[]) => expect(resourcesOf(statementsGranting(statements, action)), action).toEqual(resources);
    for (const action of ['events:CreateConnection', 'events:UpdateConnection', 'events:DeleteConnection', 'events:DescribeConnection'])
      expectOnly(action, [CONNECTIONS]);
    for (const action of ['events:CreateApiDestination', 'events:UpdateApiDestination', 'events:DeleteApiDestination', 'events:DescribeApiDestination'])
      expectOnly(action, [API_DESTINATIONS]);
    for (const action of ['events:PutRule', 'events:DeleteRule', 'events:RemoveTargets', 'events:PutTargets']) expectOnly(action, [RULES]);
    // Targets of those rules: the integrations' API destinations only.
    expect(statementsGranting(statements, 'events:PutTargets')[0]!.Condition).toEqual({ 'ForAllValues:ArnLike': { 'events:TargetArn': [API_DESTINATIONS] } });
    expectOnly('iam:PassRole', [{ 'Fn::GetAtt': ['IntegrationInvokeRole', 'Arn'] }]);
    expect(statementsGranting(statements, 'iam:PassRole')[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } });
    expectOnly('secretsmanager:DeleteSecret', [INTEGRATION_SECRETS, CONNECTION_SECRETS]);
    expectOnly('secretsmanager:CreateSecret', [INTEGRATION_SECRETS, CONNECTION_SECRETS]);
    expectOnly('secretsmanager:UpdateSecret', [CONNECTION_SECRETS]);
    expect(statementsGranting(statements, 'iam:CreateServiceLinkedRole')).toEqual([
      expect.objectContaining({
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':iam::',
              { Ref: 'AWS::AccountId' },
              ':role/aws-service-role/apidestinations.events.amazonaws.com/AWSServiceRoleForAmazonEventBridgeApiDestinations',
            ],
          ],
        },
        Condition: { StringEquals: { 'iam:AWSServiceName': 'apidestinations.events.amazonaws.com' } },
      }),
    ]);
    // Nothing on other buses' rules, on events:PutEvents beyond the bus, or any account-wide event action.
    for (const action of actionsOf(statements).filter((a) => a.startsWith('events:') && a !== 'events:PutEvents')) {
      for (const resource of resourcesOf(statementsGranting(statements, action)))
        expect([CONNECTIONS, API_DESTINATIONS, RULES], action).toContainEqual(resource);
    }
    const env = environmentOf(synth.json, 'IntegrationsApiFunction');
    expect(env).toMatchObject({
      [INTEGRATIONS_ENV.namePrefix]: PREFIX,
      [INTEGRATIONS_ENV.secretPrefix]: 'Omnichannel-dev/integrations',
      [INTEGRATIONS_ENV.invokeRoleArn]: { 'Fn::GetAtt': ['IntegrationInvokeRole', 'Arn'] },
      [INTEGRATIONS_ENV.deadLetterQueueArn]: { 'Fn::GetAtt': ['IntegrationDeadLettersQueue', 'Arn'] },
      [INTEGRATIONS_ENV.allowLoopback]: 'false',
      [ENV.eventBusName]: { Ref: 'EventBus' },
    });
  });

  it('allows plain HTTP to loopback endpoints only in the local stage', () => {
    const local = synthesizeStack({ stage: 'local' });
    expect(environmentOf(local.json, 'IntegrationsApiFunction')[INTEGRATIONS_ENV.allowLoopback]).toBe('true');
  });

  it('lets no other function manage EventBridge resources or pass a role, and only the dispatcher and the CRM lookup read the integration secrets', () => {
    for (const functionId of FUNCTION_IDS.filter((id) => id !== 'IntegrationsApiFunction')) {
      const actions = actionsOf(statementsOfRole(synth.json, `${functionId}Role`));
      expect(
        actions.filter((a) => /^events:(Create|Update|Delete|Put(Rule|Targets))/.test(a)),
        functionId,
      ).toEqual([]);
      expect(actions, functionId).not.toContain('iam:PassRole');
    }
    const readers = FUNCTION_IDS.filter((id) =>
      resourcesOf(statementsGranting(statementsOfRole(synth.json, `${id}Role`), 'secretsmanager:GetSecretValue')).some(
        (r) => JSON.stringify(r) === JSON.stringify(INTEGRATION_SECRETS),
      ),
    );
    // The admin API (tests), the dispatcher (signing) and the contacts consumer (CRM lookup on a new conversation).
    expect(readers.sort()).toEqual(['ContactsFunction', 'IntegrationDispatchFunction', 'IntegrationsApiFunction']);
  });

  it('serves every integrations route behind the JWT authoriser with the admin scope, on the integrations function', () => {
    const routes = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r['Properties'] as Record<string, unknown>);
    for (const route of Object.values(INTEGRATIONS_ROUTES)) {
      const found = routes.filter((r) => r['RouteKey'] === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toHaveLength(1);
      expect(found[0]).toMatchObject({ AuthorizationType: 'JWT', AuthorizationScopes: ['omnichannel/admin'] });
    }
  });

  it('watches both integration dead-letter queues and lists them for npm run redrive', () => {
    const outputs = Object.keys(synth.json.Outputs ?? {});
    expect(outputs).toEqual(expect.arrayContaining(['IntegrationDispatchDeadLetterQueueUrl', 'IntegrationDeadLettersDeadLetterQueueUrl']));
    const alarms = Object.keys(synth.template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.some((id) => id.startsWith('IntegrationDeadLettersDeadLetterQueueAlarm'))).toBe(true);
    expect(alarms.some((id) => id.startsWith('IntegrationDispatchDeadLetterQueueAlarm'))).toBe(true);
  });

  it('runs in the local cloud: its queues with their dead-letter queues, both consumers and the templated routes', () => {
    const topology = readTopology(synth.json as unknown as LocalTemplate);
    const queue = (id: string) => topology.queues.find((q) => q.logicalId === id);
    expect(queue('IntegrationDispatchQueue')?.deadLetterQueueLogicalId).toBe('IntegrationDispatchDeadLetterQueue');
    expect(queue('IntegrationDeadLettersQueue')?.deadLetterQueueLogicalId).toBe('IntegrationDeadLettersDeadLetterQueue');
    const mappings = topology.mappings.map((m) => [m.queueLogicalId, m.functionLogicalId]);
    expect(mappings).toEqual(
      expect.arrayContaining([
        ['IntegrationDispatchQueue', 'IntegrationDispatchFunction'],
        ['IntegrationDeadLettersQueue', 'IntegrationDeadLettersFunction'],
      ]),
    );
    const rule = topology.rules.find((r) => r.logicalId === 'IntegrationDispatchRule');
    expect(rule?.targets.map((t) => [t.queueLogicalId, t.deadLetterQueueLogicalId])).toEqual([
      ['IntegrationDispatchQueue', 'IntegrationDispatchDeadLetterQueue'],
    ]);
    const routes = topology.routes
      .filter((r) => r.functionLogicalId === 'IntegrationsApiFunction')
      .map((r) => r.routeKey)
      .sort();
    expect(routes).toEqual(
      Object.values(INTEGRATIONS_ROUTES)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
  });
});
