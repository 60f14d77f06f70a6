import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DeleteRuleCommand,
  DescribeConnectionCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Integration } from '#lambdas/integrations/integration-model';
import { MAPPERS, mapperRegistry } from '#lambdas/integrations/mappers/index';
import { provisionIntegration, removeIntegrationResources, type ProvisionDeps } from '#lambdas/integrations/provision-integration';
import { AWS_NAME_MAX, integrationResourceNames } from '#lambdas/integrations/resource-names';
import { ProvisioningError } from '#lambdas/integrations/errors';

const eb = mockClient(EventBridgeClient);
const REGION_ACCOUNT = 'us-east-1:111122223333';
const deps: ProvisionDeps = {
  eventBridge: new EventBridgeClient({ region: 'us-east-1' }),
  busName: 'Omnichannel-prod-events',
  invokeRoleArn: 'arn:aws:iam::111122223333:role/Omnichannel-prod-IntegrationInvokeRole',
  deadLetterQueueArn: `arn:aws:sqs:${REGION_ACCOUNT}:Omnichannel-prod-integration-dead-letters`,
  names: { namePrefix: 'Omnichannel-prod-i-', secretPrefix: 'Omnichannel-prod/integrations' },
  mappers: mapperRegistry,
};

const webhook: Integration = {
  businessId: 'acme',
  integrationId: 'i0a1b2c3d4e5',
  kind: 'webhook',
  name: 'Backend',
  baseUrl: 'https://hooks.acme.example/omnichannel?token=abc',
  authType: 'api_key',
  events: ['message.received'],
  rateLimitPerSecond: 7,
  lookup: false,
  enabled: true,
  resources: { signingSecretId: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:Omnichannel-prod/integrations/acme/i0a1b2c3d4e5-AbCdEf' },
  createdAt: '2026-12-07T12:00:00.000Z',
  updatedAt: '2026-12-07T12:00:00.000Z',
  version: 1,
};

beforeEach(() => {
  eb.reset();
  eb.on(CreateConnectionCommand).callsFake((input) => ({ ConnectionArn: `arn:aws:events:${REGION_ACCOUNT}:connection/${input.Name}/uuid-1` }));
  eb.on(UpdateConnectionCommand).callsFake((input) => ({ ConnectionArn: `arn:aws:events:${REGION_ACCOUNT}:connection/${input.Name}/uuid-1` }));
  eb.on(CreateApiDestinationCommand).callsFake((input) => ({ ApiDestinationArn: `arn:aws:events:${REGION_ACCOUNT}:api-destination/${input.Name}/uuid-2` }));
  eb.on(UpdateApiDestinationCommand).callsFake((input) => ({ ApiDestinationArn: `arn:aws:events:${REGION_ACCOUNT}:api-destination/${input.Name}/uuid-2` }));
  eb.on(PutRuleCommand).callsFake((input) => ({ RuleArn: `arn:aws:events:${REGION_ACCOUNT}:rule/${input.EventBusName}/${input.Name}` }));
  eb.on(PutTargetsCommand).resolves({ FailedEntryCount: 0, FailedEntries: [] });
});

describe('provisioning a webhook integration', () => {
  it('makes the connection, one API destination, its rule and target, exactly', async () => {
    const resources = await provisionIntegration(deps, webhook, { type: 'api_key', headerName: 'X-Api-Key', apiKey: 'sk_live_1' });
    const stem = 'Omnichannel-prod-i-acme-i0a1b2c3d4e5';
    expect(eb.commandCalls(CreateConnectionCommand).map((c) => c.args[0].input)).toEqual([
      {
        Name: stem,
        Description: 'Omnichannel integration i0a1b2c3d4e5 of acme',
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'X-Api-Key', ApiKeyValue: 'sk_live_1' } },
      },
    ]);
    expect(eb.commandCalls(CreateApiDestinationCommand).map((c) => c.args[0].input)).toEqual([
      {
        Name: `${stem}-event`,
        Description: 'Omnichannel integration i0a1b2c3d4e5 of acme: event',
        ConnectionArn: `arn:aws:events:${REGION_ACCOUNT}:connection/${stem}/uuid-1`,
        // The webhook URL as given: nothing is appended to it.
        InvocationEndpoint: 'https://hooks.acme.example/omnichannel?token=abc',
        HttpMethod: 'POST',
        InvocationRateLimitPerSecond: 7,
      },
    ]);
    const [rule] = eb.commandCalls(PutRuleCommand).map((c) => c.args[0].input);
    expect(rule).toMatchObject({ Name: `${stem}-event`, EventBusName: 'Omnichannel-prod-events', State: 'ENABLED' });
    expect(JSON.parse(rule!.EventPattern!)).toEqual({
      source: ['io.omnichannel.integrations'],
      'detail-type': ['integration.delivery_requested'],
      detail: { businessId: ['acme'], integrationId: ['i0a1b2c3d4e5'], request: { destination: ['event'] } },
    });
    expect(eb.commandCalls(PutTargetsCommand).map((c) => c.args[0].input)).toEqual([
      {
        Rule: `${stem}-event`,
        EventBusName: 'Omnichannel-prod-events',
        Targets: [
          {
            Id: 'api-destination',
            Arn: `arn:aws:events:${REGION_ACCOUNT}:api-destination/${stem}-event/uuid-2`,
            RoleArn: deps.invokeRoleArn,
            InputPath: '$.detail.request.body',
            HttpParameters: {
              // Per-delivery values go where EventBridge resolves JSON paths: the query string.
              QueryStringParameters: { idempotency_key: '$.detail.idempotencyKey', signature: '$.detail.request.signature' },
              // Headers are sent as written: only a literal one.
              HeaderParameters: { 'X-Omnichannel-Integration': 'i0a1b2c3d4e5' },
            },
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
            DeadLetterConfig: { Arn: deps.deadLetterQueueArn },
          },
        ],
      },
    ]);
    expect(resources).toEqual({
      connectionArn: `arn:aws:events:${REGION_ACCOUNT}:connection/${stem}/uuid-1`,
      apiDestinationArns: { event: `arn:aws:events:${REGION_ACCOUNT}:api-destination/${stem}-event/uuid-2` },
      ruleName: stem,
      signingSecretId: webhook.resources!.signingSecretId,
    });
  });

  it('updates what already exists, so provisioning again converges', async () => {
    eb.on(CreateConnectionCommand).rejects(new ResourceAlreadyExistsException({ message: 'exists', $metadata: {} }));
    eb.on(CreateApiDestinationCommand).rejects(new ResourceAlreadyExistsException({ message: 'exists', $metadata: {} }));
    await provisionIntegration(deps, { ...webhook, rateLimitPerSecond: 20 }, { type: 'basic', username: 'u', password: 'p' });
    expect(eb.commandCalls(UpdateConnectionCommand).map((c) => c.args[0].input)).toEqual([
      {
        Name: 'Omnichannel-prod-i-acme-i0a1b2c3d4e5',
        Description: 'Omnichannel integration i0a1b2c3d4e5 of acme',
        AuthorizationType: 'BASIC',
        AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p' } },
      },
    ]);
    expect(eb.commandCalls(UpdateApiDestinationCommand)[0]!.args[0].input).toMatchObject({
      Name: 'Omnichannel-prod-i-acme-i0a1b2c3d4e5-event',
      InvocationRateLimitPerSecond: 20,
    });
  });

  it('keeps the connection’s credentials when none are given (describes it for its ARN)', async () => {
    eb.on(DescribeConnectionCommand).resolves({ ConnectionArn: `arn:aws:events:${REGION_ACCOUNT}:connection/x/uuid-9` });
    await provisionIntegration(deps, webhook, undefined);
    expect(eb.commandCalls(CreateConnectionCommand)).toHaveLength(0);
    expect(eb.commandCalls(UpdateConnectionCommand)).toHaveLength(0);
    expect(eb.commandCalls(CreateApiDestinationCommand)[0]!.args[0].input.ConnectionArn).toBe(`arn:aws:events:${REGION_ACCOUNT}:connection/x/uuid-9`);
  });

  it('sends OAuth client credentials with the grant type and scope in the token request body', async () => {
    await provisionIntegration(deps, webhook, {
      type: 'oauth_client_credentials',
      tokenUrl: 'https://auth.acme.example/token',
      clientId: 'cid',
      clientSecret: 'cs',
      scope: 'events.write',
    });
    expect(eb.commandCalls(CreateConnectionCommand)[0]!.args[0].input).toMatchObject({
      AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
      AuthParameters: {
        OAuthParameters: {
          ClientParameters: { ClientID: 'cid', ClientSecret: 'cs' },
          AuthorizationEndpoint: 'https://auth.acme.example/token',
          HttpMethod: 'POST',
          OAuthHttpParameters: {
            BodyParameters: [
              { Key: 'grant_type', Value: 'client_credentials', IsValueSecret: false },
              { Key: 'scope', Value: 'events.write', IsValueSecret: false },
            ],
          },
        },
      },
    });
  });

  it('names where it stopped when EventBridge refuses, without the request in the message', async () => {
    eb.on(PutTargetsCommand).resolves({ FailedEntryCount: 1, FailedEntries: [{ TargetId: 'api-destination', ErrorCode: 'ValidationException' }] });
    await expect(provisionIntegration(deps, webhook, { type: 'api_key', headerName: 'X-Api-Key', apiKey: 'secret-value' })).rejects.toMatchObject({
      name: 'ProvisioningError',
      step: 'target event',
      code: 'ValidationException',
    });
    eb.on(CreateApiDestinationCommand).rejects(Object.assign(new Error('LimitExceeded: secret-value'), { name: 'LimitExceededException' }));
    const err = await provisionIntegration(deps, webhook, { type: 'api_key', headerName: 'X-Api-Key', apiKey: 'secret-value' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisioningError);
    expect(err).toMatchObject({ step: 'api destination event', code: 'LimitExceededException' });
    expect((err as Error).message).not.toContain('secret-value');
  });
});

describe('provisioning a CRM with several destinations', () => {
  it('makes one API destination and one rule per destination, path wildcards read from the event', async () => {
    const salesforce: Integration = {
      ...webhook,
      kind: 'salesforce',
      baseUrl: 'https://acme.my.salesforce.com/',
      authType: 'oauth_client_credentials',
      events: ['conversation.closed'],
    };
    const resources = await provisionIntegration(deps, salesforce, {
      type: 'oauth_client_credentials',
      tokenUrl: 'https://acme.my.salesforce.com/services/oauth2/token',
      clientId: 'a',
      clientSecret: 'b',
    });
    const specs = MAPPERS.salesforce.destinations;
    expect(Object.keys(resources.apiDestinationArns ?? {})).toEqual(specs.map((s) => s.key));
    expect(eb.commandCalls(CreateApiDestinationCommand).map((c) => [c.args[0].input.InvocationEndpoint, c.args[0].input.HttpMethod])).toEqual(
      specs.map((s) => [`https://acme.my.salesforce.com${s.pathTemplate}`, s.method]),
    );
    const targets = eb.commandCalls(PutTargetsCommand).map((c) => c.args[0].input.Targets![0]!);
    for (const [i, spec] of specs.entries()) {
      const wildcards = (spec.pathTemplate.match(/\*/g) ?? []).length;
      expect(targets[i]!.HttpParameters).toEqual({
        ...(wildcards ? { PathParameterValues: Array.from({ length: wildcards }, (_, n) => `$.detail.request.pathParams[${n}]`) } : {}),
        // CRMs get the idempotency key, never a signature, and no header of ours.
        QueryStringParameters: { idempotency_key: '$.detail.idempotencyKey' },
      });
      expect(targets[i]!.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 });
    }
    expect(eb.commandCalls(PutRuleCommand).map((c) => JSON.parse(c.args[0].input.EventPattern!).detail.request.destination[0])).toEqual(
      specs.map((s) => s.key),
    );
  });

  it('tries a Zendesk ticket create once (nothing makes it idempotent), and retries its user upsert for a day', async () => {
    const zendesk: Integration = { ...webhook, kind: 'zendesk', baseUrl: 'https://acme.zendesk.com', authType: 'basic', events: ['conversation.closed'] };
    await provisionIntegration(deps, zendesk, { type: 'basic', username: 'ops@acme.example/token', password: 't' });
    const targets = Object.fromEntries(eb.commandCalls(PutTargetsCommand).map((c) => [c.args[0].input.Rule!.split('-').at(-1), c.args[0].input.Targets![0]!]));
    expect(Object.keys(targets).sort()).toEqual(['tickets_create', 'users_upsert']);
    expect(targets.tickets_create!.RetryPolicy).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 86_400 });
    expect(targets.tickets_create!.DeadLetterConfig).toEqual({ Arn: deps.deadLetterQueueArn });
    expect(targets.users_upsert!.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 });
    expect(targets.tickets_create!.HttpParameters).toEqual({ QueryStringParameters: { idempotency_key: '$.detail.idempotencyKey' } });
  });

  it('never puts a JSON path in a header value, for any kind (EventBridge sends header values as written)', async () => {
    for (const kind of ['webhook', 'hubspot', 'salesforce', 'zendesk'] as const) {
      eb.resetHistory();
      await provisionIntegration(
        deps,
        { ...webhook, kind, baseUrl: 'https://api.example.com' },
        { type: 'api_key', headerName: 'Authorization', apiKey: 'Bearer x' },
      );
      for (const call of eb.commandCalls(PutTargetsCommand)) {
        const params = call.args[0].input.Targets![0]!.HttpParameters!;
        for (const value of Object.values(params.HeaderParameters ?? {})) expect(value, kind).not.toMatch(/^\$/);
        expect(params.QueryStringParameters?.idempotency_key, kind).toBe('$.detail.idempotencyKey');
      }
    }
  });

  it('keeps every name within 64 characters of the allowed set, unique per destination, under the prefix', () => {
    const stackPrefix = 'Omnichannel-abcdefghijklmnop-i-';
    const names = integrationResourceNames(
      { namePrefix: stackPrefix, secretPrefix: 'x' },
      'a-very-long.business_identifier-that-goes-on-and-on',
      'i0a1b2c3d4e5',
    );
    const all = [names.connection, ...['contacts_upsert', 'tickets_upsert', 'a_destination_key_far_longer_than_usual'].map(names.rule)];
    for (const name of all) {
      expect(name.length).toBeLessThanOrEqual(AWS_NAME_MAX);
      expect(name).toMatch(/^[.\-_A-Za-z0-9]+$/);
      expect(name.startsWith(stackPrefix)).toBe(true);
    }
    expect(new Set(all).size).toBe(all.length);
    expect(
      integrationResourceNames({ namePrefix: stackPrefix, secretPrefix: 'x' }, 'a-very-long.business_identifier-that-goes-on-and-on', 'i0a1b2c3d4e5').rule(
        'tickets_upsert',
      ),
    ).toBe(names.rule('tickets_upsert'));
  });
});

describe('removing an integration’s resources', () => {
  it('takes targets, rules, API destinations and the connection away, skipping what is already gone', async () => {
    eb.on(RemoveTargetsCommand).resolves({ FailedEntryCount: 0 });
    eb.on(DeleteRuleCommand).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    eb.on(DeleteApiDestinationCommand).resolves({});
    eb.on(DeleteConnectionCommand).resolves({});
    await removeIntegrationResources(deps, webhook);
    expect(eb.commandCalls(RemoveTargetsCommand).map((c) => c.args[0].input)).toEqual([
      { Rule: 'Omnichannel-prod-i-acme-i0a1b2c3d4e5-event', EventBusName: 'Omnichannel-prod-events', Ids: ['api-destination'] },
    ]);
    expect(eb.commandCalls(DeleteApiDestinationCommand).map((c) => c.args[0].input.Name)).toEqual(['Omnichannel-prod-i-acme-i0a1b2c3d4e5-event']);
    expect(eb.commandCalls(DeleteConnectionCommand).map((c) => c.args[0].input.Name)).toEqual(['Omnichannel-prod-i-acme-i0a1b2c3d4e5']);
  });

  it('stops on a real failure, naming the step', async () => {
    eb.on(RemoveTargetsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(removeIntegrationResources(deps, webhook)).rejects.toMatchObject({ step: 'target event', code: 'AccessDeniedException' });
    expect(eb.commandCalls(DeleteConnectionCommand)).toHaveLength(0);
  });
});
