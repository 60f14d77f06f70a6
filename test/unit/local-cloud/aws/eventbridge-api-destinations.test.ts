import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteConnectionCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  DeleteRuleCommand,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
  type CreateConnectionCommandInput,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, until, type EmulatorFixture } from '#test/unit/local-cloud/aws/emulator-fixture';
import { startScriptedHttpServer, type ScriptedHttpServer } from '#test/unit/local-cloud/aws/scripted-http-server';

let f: EmulatorFixture;
let server: ScriptedHttpServer;
const BUS = 'integrations';
const ROLE = 'arn:aws:iam::000000000000:role/eventbridge-invoke-api-destinations';

beforeEach(async () => {
  f = await startFixture();
  server = await startScriptedHttpServer();
  f.emulator.events.createEventBus(BUS);
  f.emulator.sqs.createQueue('integrations-dlq');
});

afterEach(async () => {
  await f.close();
  await server.close();
});

async function receiveAll(queueName: string): Promise<Message[]> {
  const out = await f.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: f.emulator.sqs.queueUrl(queueName), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
  );
  return out.Messages ?? [];
}

async function connection(name: string, input: Omit<CreateConnectionCommandInput, 'Name'>): Promise<string> {
  const out = await f.eventBridge.send(new CreateConnectionCommand({ Name: name, ...input }));
  return out.ConnectionArn as string;
}

const apiKeyConnection = (value = 'key-123') =>
  connection('crm-key', { AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'X-Api-Key', ApiKeyValue: value } } });

async function destination(
  name: string,
  connectionArn: string,
  path = '/hook',
  extra: { method?: 'POST' | 'PUT' | 'PATCH'; rate?: number } = {},
): Promise<string> {
  const out = await f.eventBridge.send(
    new CreateApiDestinationCommand({
      Name: name,
      ConnectionArn: connectionArn,
      InvocationEndpoint: `${server.url}${path}`,
      HttpMethod: extra.method ?? 'POST',
      ...(extra.rate !== undefined ? { InvocationRateLimitPerSecond: extra.rate } : {}),
    }),
  );
  return out.ApiDestinationArn as string;
}

/** A rule on the bus for `detail-type: delivery` with one API destination target. */
async function ruleTo(destinationArn: string, target: Partial<Target> = {}): Promise<string> {
  const rule = await f.eventBridge.send(
    new PutRuleCommand({ Name: 'deliver', EventBusName: BUS, EventPattern: JSON.stringify({ 'detail-type': ['delivery'] }) }),
  );
  const out = await f.eventBridge.send(
    new PutTargetsCommand({
      Rule: 'deliver',
      EventBusName: BUS,
      Targets: [{ Id: 'crm', Arn: destinationArn, RoleArn: ROLE, DeadLetterConfig: { Arn: f.emulator.sqs.arnOf('integrations-dlq') }, ...target }],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  return rule.RuleArn as string;
}

async function put(detail: object = { id: 'c-1' }): Promise<string> {
  const out = await f.eventBridge.send(
    new PutEventsCommand({ Entries: [{ EventBusName: BUS, Source: 'io.omnichannel.integrations', DetailType: 'delivery', Detail: JSON.stringify(detail) }] }),
  );
  expect(out.FailedEntryCount).toBe(0);
  return out.Entries?.[0]?.EventId as string;
}

/**
 * Crosses the back-offs of a few retries (each under 20 s) one clock second at a time, letting each
 * attempt's HTTP call finish before the clock moves on: a single long jump would also cross the
 * 5-second timeout of a call the jump itself started.
 */
async function crossBackoffs(retries: number): Promise<void> {
  await f.emulator.events.settled();
  for (let i = 0; i < retries * 20; i++) {
    await f.clock.advance(1_000);
    await f.emulator.events.settled();
  }
}

describe('connections', () => {
  it('keeps the credentials in an events!connection secret and never shows them in Describe', async () => {
    const arn = await apiKeyConnection('very-secret-key');

    expect(arn).toMatch(/^arn:aws:events:us-east-1:000000000000:connection\/crm-key\/[0-9a-f-]{36}$/);
    const described = await f.eventBridge.send(new DescribeConnectionCommand({ Name: 'crm-key' }));
    expect(described.ConnectionState).toBe('AUTHORIZED');
    expect(described.AuthorizationType).toBe('API_KEY');
    expect(described.AuthParameters).toEqual({ ApiKeyAuthParameters: { ApiKeyName: 'X-Api-Key' } });
    expect(JSON.stringify(described)).not.toContain('very-secret-key');
    expect(described.SecretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection\/crm-key\/[0-9a-f-]{36}-\w{6}$/);

    const secret = await f.secrets.send(new GetSecretValueCommand({ SecretId: described.SecretArn }));
    expect(secret.SecretString).toContain('very-secret-key');
  });

  it('lists, updates and deletes connections (the secret goes with it)', async () => {
    await apiKeyConnection();
    await connection('crm-basic', { AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p' } } });

    const listed = await f.eventBridge.send(new ListConnectionsCommand({ NamePrefix: 'crm-' }));
    expect(listed.Connections?.map((c) => [c.Name, c.AuthorizationType, c.ConnectionState])).toEqual([
      ['crm-basic', 'BASIC', 'AUTHORIZED'],
      ['crm-key', 'API_KEY', 'AUTHORIZED'],
    ]);

    await f.eventBridge.send(new UpdateConnectionCommand({ Name: 'crm-basic', AuthParameters: { BasicAuthParameters: { Password: 'new-password' } } }));
    const secretArn = (await f.eventBridge.send(new DescribeConnectionCommand({ Name: 'crm-basic' }))).SecretArn;
    expect((await f.secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString).toContain('new-password');

    const deleted = await f.eventBridge.send(new DeleteConnectionCommand({ Name: 'crm-basic' }));
    expect(deleted.ConnectionState).toBe('DELETING');
    await expect(f.eventBridge.send(new DescribeConnectionCommand({ Name: 'crm-basic' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(f.secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuses parameters that do not match the authorization type, and a duplicate name', async () => {
    await expect(
      f.eventBridge.send(
        new CreateConnectionCommand({
          Name: 'bad',
          AuthorizationType: 'BASIC',
          AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'k', ApiKeyValue: 'v' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await apiKeyConnection();
    await expect(apiKeyConnection()).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
  });

  it('authorizes an OAuth connection with a token from its authorization endpoint', async () => {
    server.script((req) => (req.url === '/token' ? { status: 200, body: { access_token: 'T1', token_type: 'bearer', expires_in: 3600 } } : { status: 200 }));
    await connection('crm-oauth', {
      AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
      AuthParameters: {
        OAuthParameters: { ClientParameters: { ClientID: 'client', ClientSecret: 'secret' }, AuthorizationEndpoint: `${server.url}/token`, HttpMethod: 'POST' },
      },
    });
    await f.emulator.events.settled();

    const described = await f.eventBridge.send(new DescribeConnectionCommand({ Name: 'crm-oauth' }));
    expect(described.ConnectionState).toBe('AUTHORIZED');
    expect(described.AuthParameters?.OAuthParameters?.ClientParameters).toEqual({ ClientID: 'client' });
    const [tokenRequest] = server.requestsTo('/token');
    expect(tokenRequest?.headers.authorization).toBe(`Basic ${Buffer.from('client:secret').toString('base64')}`);
    expect(new URLSearchParams(tokenRequest?.body).get('grant_type')).toBe('client_credentials');
  });

  it('deauthorizes an OAuth connection whose endpoint refuses the credentials; its destination goes INACTIVE', async () => {
    server.script(() => ({ status: 401, body: { error: 'invalid_client' } }));
    const arn = await connection('crm-oauth', {
      AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
      AuthParameters: {
        OAuthParameters: { ClientParameters: { ClientID: 'client', ClientSecret: 'wrong' }, AuthorizationEndpoint: `${server.url}/token`, HttpMethod: 'POST' },
      },
    });
    await destination('crm', arn);
    await f.emulator.events.settled();

    const described = await f.eventBridge.send(new DescribeConnectionCommand({ Name: 'crm-oauth' }));
    expect(described.ConnectionState).toBe('DEAUTHORIZED');
    expect(described.StateReason).toContain('401');
    expect((await f.eventBridge.send(new DescribeApiDestinationCommand({ Name: 'crm' }))).ApiDestinationState).toBe('INACTIVE');
  });
});

describe('API destinations', () => {
  it('creates, describes and lists destinations with ARNs in the service form', async () => {
    const connectionArn = await apiKeyConnection();
    const arn = await destination('hubspot-contacts', connectionArn, '/crm/v3/objects/contacts/*');

    expect(arn).toMatch(/^arn:aws:events:us-east-1:000000000000:api-destination\/hubspot-contacts\/[0-9a-f-]{36}$/);
    const described = await f.eventBridge.send(new DescribeApiDestinationCommand({ Name: 'hubspot-contacts' }));
    expect(described).toMatchObject({
      ApiDestinationArn: arn,
      ApiDestinationState: 'ACTIVE',
      ConnectionArn: connectionArn,
      InvocationEndpoint: `${server.url}/crm/v3/objects/contacts/*`,
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 300,
    });
    const listed = await f.eventBridge.send(new ListApiDestinationsCommand({ ConnectionArn: connectionArn }));
    expect(listed.ApiDestinations?.map((d) => d.Name)).toEqual(['hubspot-contacts']);

    await f.eventBridge.send(new UpdateApiDestinationCommand({ Name: 'hubspot-contacts', InvocationRateLimitPerSecond: 10, HttpMethod: 'PATCH' }));
    expect(await f.eventBridge.send(new DescribeApiDestinationCommand({ Name: 'hubspot-contacts' }))).toMatchObject({
      ApiDestinationArn: arn,
      HttpMethod: 'PATCH',
      InvocationRateLimitPerSecond: 10,
    });
    await expect(f.eventBridge.send(new UpdateApiDestinationCommand({ Name: 'hubspot-contacts', InvocationRateLimitPerSecond: 301 }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('refuses a plain-HTTP endpoint off this machine and an unknown connection', async () => {
    const connectionArn = await apiKeyConnection();
    await expect(
      f.eventBridge.send(
        new CreateApiDestinationCommand({ Name: 'x', ConnectionArn: connectionArn, InvocationEndpoint: 'http://crm.example.com/hook', HttpMethod: 'POST' }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      f.eventBridge.send(
        new CreateApiDestinationCommand({ Name: 'x', ConnectionArn: `${connectionArn}0`, InvocationEndpoint: `${server.url}/hook`, HttpMethod: 'POST' }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('needs a RoleArn on the target, lists targets as put, and removes them', async () => {
    const arn = await destination('crm', await apiKeyConnection());
    await f.eventBridge.send(new PutRuleCommand({ Name: 'deliver', EventBusName: BUS, EventPattern: JSON.stringify({ 'detail-type': ['delivery'] }) }));
    const withoutRole = await f.eventBridge.send(new PutTargetsCommand({ Rule: 'deliver', EventBusName: BUS, Targets: [{ Id: 'crm', Arn: arn }] }));
    expect(withoutRole.FailedEntries?.[0]).toMatchObject({ TargetId: 'crm', ErrorCode: 'ValidationException' });

    const target: Target = {
      Id: 'crm',
      Arn: arn,
      RoleArn: ROLE,
      InputPath: '$.detail.request.body',
      HttpParameters: { PathParameterValues: ['$.detail.request.pathParams[0]'], HeaderParameters: { 'Idempotency-Key': 'static' } },
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: f.emulator.sqs.arnOf('integrations-dlq') },
    };
    await f.eventBridge.send(new PutTargetsCommand({ Rule: 'deliver', EventBusName: BUS, Targets: [target] }));
    expect((await f.eventBridge.send(new ListTargetsByRuleCommand({ Rule: 'deliver', EventBusName: BUS }))).Targets).toEqual([target]);

    const badHeader = await f.eventBridge.send(
      new PutTargetsCommand({
        Rule: 'deliver',
        EventBusName: BUS,
        Targets: [{ ...target, Id: 'bad', HttpParameters: { HeaderParameters: { 'X-Evil': 'a\r\nInjected: 1' } } }],
      }),
    );
    expect(badHeader.FailedEntries?.[0]).toMatchObject({ TargetId: 'bad', ErrorCode: 'ValidationException' });

    await expect(f.eventBridge.send(new DeleteRuleCommand({ Name: 'deliver', EventBusName: BUS }))).rejects.toMatchObject({ name: 'ValidationException' });
    await f.eventBridge.send(new RemoveTargetsCommand({ Rule: 'deliver', EventBusName: BUS, Ids: ['crm'] }));
    await f.eventBridge.send(new DeleteRuleCommand({ Name: 'deliver', EventBusName: BUS }));
  });
});

describe('delivery through an API destination', () => {
  it('sends the event with the API key header, the documented fixed headers and the event as the body', async () => {
    await ruleTo(await destination('crm', await apiKeyConnection('key-123')));
    const eventId = await put({ id: 'c-1' });
    await f.emulator.events.settled();

    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/hook');
    expect(req?.headers).toMatchObject({
      'x-api-key': 'key-123',
      'user-agent': 'Amazon/EventBridge/ApiDestinations',
      'content-type': 'application/json; charset=utf-8',
      range: 'bytes=0-1048575',
      connection: 'close',
    });
    expect(JSON.parse(req?.body ?? '')).toMatchObject({ id: eventId, 'detail-type': 'delivery', detail: { id: 'c-1' } });
    expect(f.emulator.calls.get('events', 'TargetDelivery')).toBe(1);
    expect(f.emulator.calls.get('events', 'ApiDestinationInvocation')).toBe(1);
  });

  it('sends Basic credentials and the connection invocation parameters, which win over the target', async () => {
    const arn = await connection('crm-basic', {
      AuthorizationType: 'BASIC',
      AuthParameters: {
        BasicAuthParameters: { Username: 'user', Password: 'pa:ss' },
        InvocationHttpParameters: {
          HeaderParameters: [{ Key: 'X-Tenant', Value: 'from-connection' }],
          QueryStringParameters: [{ Key: 'api_version', Value: '2', IsValueSecret: true }],
          BodyParameters: [{ Key: 'source', Value: 'omnichannel' }],
        },
      },
    });
    await ruleTo(await destination('crm', arn), {
      InputPath: '$.detail',
      HttpParameters: { HeaderParameters: { 'X-Tenant': 'from-target', 'X-Other': 'kept' }, QueryStringParameters: { api_version: '1', page: '3' } },
    });
    await put({ id: 'c-1' });
    await f.emulator.events.settled();

    const [req] = server.requests;
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from('user:pa:ss').toString('base64')}`);
    expect(req?.headers['x-tenant']).toBe('from-connection');
    expect(req?.headers['x-other']).toBe('kept');
    const url = new URL(req?.url ?? '', server.url);
    expect(Object.fromEntries(url.searchParams)).toEqual({ api_version: '2', page: '3' });
    expect(JSON.parse(req?.body ?? '')).toEqual({ id: 'c-1', source: 'omnichannel' });
    // A secret invocation parameter is used but not shown again.
    const described = await f.eventBridge.send(new DescribeConnectionCommand({ Name: 'crm-basic' }));
    expect(described.AuthParameters?.InvocationHttpParameters?.QueryStringParameters).toEqual([{ Key: 'api_version', IsValueSecret: true }]);
  });

  it('fills * in the path from PathParameterValues in order, takes dynamic path and query values from the event, keeps header values literal', async () => {
    await ruleTo(await destination('crm', await apiKeyConnection(), '/objects/*/items/*', { method: 'PATCH' }), {
      InputPath: '$.detail.request.body',
      HttpParameters: {
        PathParameterValues: ['$.detail.request.pathParams[0]', 'fixed value'],
        QueryStringParameters: { idProperty: '$.detail.request.idProperty', static: 'yes' },
        HeaderParameters: { 'Idempotency-Key': '$.detail.idempotencyKey' },
      },
    });
    await put({ idempotencyKey: 'k-1', request: { pathParams: ['conv/1'], idProperty: 'omni_id', body: { properties: { name: 'Ana' } } } });
    await f.emulator.events.settled();

    const [req] = server.requests;
    expect(req?.method).toBe('PATCH');
    const url = new URL(req?.url ?? '', server.url);
    expect(url.pathname).toBe('/objects/conv%2F1/items/fixed%20value');
    expect(Object.fromEntries(url.searchParams)).toEqual({ idProperty: 'omni_id', static: 'yes' });
    expect(req?.headers['idempotency-key']).toBe('$.detail.idempotencyKey');
    expect(JSON.parse(req?.body ?? '')).toEqual({ properties: { name: 'Ana' } });
  });

  it('renders an InputTransformer template as the body', async () => {
    await ruleTo(await destination('crm', await apiKeyConnection()), {
      InputTransformer: {
        InputPathsMap: { key: '$.detail.idempotencyKey', body: '$.detail.request.body', missing: '$.detail.nothing' },
        InputTemplate: '{"idempotencyKey": <key>, "payload": <body>, "note": "key <key> via <aws.events.rule-name>", "absent": <missing>}',
      },
    });
    await put({ idempotencyKey: 'k-1', request: { body: { n: 1 } } });
    await f.emulator.events.settled();

    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ idempotencyKey: 'k-1', payload: { n: 1 }, note: 'key k-1 via deliver', absent: null });
  });

  it('fetches an OAuth token once for several deliveries, and a new one after the endpoint answers 401', async () => {
    let tokens = 0;
    let refusedOnce = false;
    server.script((req) => {
      if (req.url === '/token') return { status: 200, body: { access_token: `T${++tokens}`, expires_in: 3600 } };
      if (req.headers.authorization === 'Bearer T1' && req.body.includes('"n":3') && !refusedOnce) {
        refusedOnce = true;
        return { status: 401, body: { message: 'token expired' } };
      }
      return { status: 200 };
    });
    const arn = await connection('crm-oauth', {
      AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
      AuthParameters: {
        OAuthParameters: {
          ClientParameters: { ClientID: 'client', ClientSecret: 'secret' },
          AuthorizationEndpoint: `${server.url}/token`,
          HttpMethod: 'POST',
          OAuthHttpParameters: { BodyParameters: [{ Key: 'scope', Value: 'crm.objects.contacts.write' }] },
        },
      },
    });
    await ruleTo(await destination('crm', arn), { InputPath: '$.detail' });
    await f.emulator.events.settled();
    for (const n of [1, 2]) await put({ n });
    await f.emulator.events.settled();
    expect(server.requestsTo('/token')).toHaveLength(1);
    expect(server.requestsTo('/hook').map((r) => r.headers.authorization)).toEqual(['Bearer T1', 'Bearer T1']);

    await put({ n: 3 });
    await crossBackoffs(2);

    expect(server.requestsTo('/token')).toHaveLength(2);
    expect(new URLSearchParams(server.requestsTo('/token')[0]?.body).get('scope')).toBe('crm.objects.contacts.write');
    const third = server.requestsTo('/hook').filter((r) => r.body.includes('"n":3'));
    expect(third.map((r) => r.headers.authorization)).toEqual(['Bearer T1', 'Bearer T2']);
    expect(await receiveAll('integrations-dlq')).toEqual([]);
  });

  it('refreshes an OAuth token before use when it expires within 60 seconds', async () => {
    let tokens = 0;
    server.script((req) => (req.url.startsWith('/token?') ? { status: 200, body: { access_token: `T${++tokens}`, expires_in: 90 } } : { status: 200 }));
    const arn = await connection('crm-oauth', {
      AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
      AuthParameters: {
        OAuthParameters: { ClientParameters: { ClientID: 'client', ClientSecret: 'secret' }, AuthorizationEndpoint: `${server.url}/token`, HttpMethod: 'GET' },
      },
    });
    await ruleTo(await destination('crm', arn));
    await put();
    await f.emulator.events.settled();
    await f.clock.advance(29_000);
    await put();
    await f.emulator.events.settled();
    await f.clock.advance(2_000);
    await put();
    await f.emulator.events.settled();

    expect(server.requestsTo('/hook').map((r) => r.headers.authorization)).toEqual(['Bearer T1', 'Bearer T1', 'Bearer T2']);
    const [first] = server.requestsTo('/token');
    expect(first?.method).toBe('GET');
    expect(new URL(first?.url ?? '', server.url).searchParams.get('grant_type')).toBe('client_credentials');
  });

  it('delivers once after two 500s, with two retries', async () => {
    server.script((_req, i) => (i < 2 ? { status: 500, body: { message: 'boom' } } : { status: 200 }));
    await ruleTo(await destination('crm', await apiKeyConnection()));
    const eventId = await put();
    await crossBackoffs(3);

    expect(server.requests).toHaveLength(3);
    const outcomes = f.emulator.events.deliveries.filter((d) => d.eventId === eventId);
    expect(outcomes.map((d) => [d.outcome, d.httpStatus])).toEqual([
      ['retrying', 500],
      ['retrying', 500],
      ['delivered', 200],
    ]);
    expect(await receiveAll('integrations-dlq')).toEqual([]);
  });

  it('does not retry a 400: the event goes to the DLQ with the failure attributes', async () => {
    server.script(() => ({ status: 400, body: { message: 'Property values were not valid' } }));
    const ruleArn = await ruleTo(await destination('crm', await apiKeyConnection()));
    const eventId = await put({ id: 'c-9' });
    await crossBackoffs(2);

    expect(server.requests).toHaveLength(1);
    const [dead] = await receiveAll('integrations-dlq');
    expect(JSON.parse(dead?.Body ?? '{}')).toMatchObject({ id: eventId, 'detail-type': 'delivery', detail: { id: 'c-9' } });
    const attrs = Object.fromEntries(Object.entries(dead?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    expect(attrs).toEqual({
      RULE_ARN: ruleArn,
      TARGET_ARN: expect.stringMatching(/:api-destination\/crm\//),
      ERROR_CODE: 'SDK_CLIENT_ERROR',
      ERROR_MESSAGE: 'Unable to invoke ApiDestination endpoint: The endpoint responded with HTTP 400 Bad Request.',
      RETRY_ATTEMPTS: '0',
    });
  });

  it('sends the event to the DLQ once the retries are exhausted', async () => {
    server.script(() => ({ status: 503 }));
    await ruleTo(await destination('crm', await apiKeyConnection()), { RetryPolicy: { MaximumRetryAttempts: 2 } });
    await put();
    await crossBackoffs(4);

    expect(server.requests).toHaveLength(3);
    const [dead] = await receiveAll('integrations-dlq');
    expect(dead?.MessageAttributes?.EXHAUSTED_RETRY_CONDITION?.StringValue).toBe('MaximumRetryAttempts');
    expect(dead?.MessageAttributes?.RETRY_ATTEMPTS?.StringValue).toBe('2');
    expect(dead?.MessageAttributes?.ERROR_MESSAGE?.StringValue).toContain('HTTP 503');
  });

  it('retries a 429 no sooner than its Retry-After asks', async () => {
    server.script((_req, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '30' } } : { status: 200 }));
    await ruleTo(await destination('crm', await apiKeyConnection()));
    await put();
    await f.emulator.events.settled();

    await f.clock.advance(29_000);
    await f.emulator.events.settled();
    expect(server.requests).toHaveLength(1);
    await f.clock.advance(1_000);
    await f.emulator.events.settled();
    expect(server.requests).toHaveLength(2);
  });

  it('times out after 5 seconds and retries', async () => {
    server.script((_req, i) => (i === 0 ? 'hang' : { status: 200 }));
    await ruleTo(await destination('crm', await apiKeyConnection()));
    const eventId = await put();
    await until(() => server.requests.length === 1);

    await f.clock.advance(4_999);
    expect(f.emulator.events.deliveries).toEqual([]);
    await f.clock.advance(1);
    await crossBackoffs(1);

    expect(server.requests).toHaveLength(2);
    expect(f.emulator.events.deliveries.filter((d) => d.eventId === eventId).map((d) => [d.outcome, d.errorCode])).toEqual([
      ['retrying', 'UNKNOWN'],
      ['delivered', undefined],
    ]);
  });

  it('holds deliveries to the destination rate limit without dropping any', async () => {
    await ruleTo(await destination('crm', await apiKeyConnection(), '/hook', { rate: 2 }), { InputPath: '$.detail' });
    await f.eventBridge.send(
      new PutEventsCommand({
        Entries: [1, 2, 3, 4, 5].map((n) => ({
          EventBusName: BUS,
          Source: 'io.omnichannel.integrations',
          DetailType: 'delivery',
          Detail: JSON.stringify({ n }),
        })),
      }),
    );
    await f.emulator.events.settled();
    expect(server.requests).toHaveLength(2);
    expect(f.emulator.events.queuedByRateLimit()).toBe(3);

    await f.clock.advance(999);
    await f.emulator.events.settled();
    expect(server.requests).toHaveLength(2);
    await f.clock.advance(1);
    await f.emulator.events.settled();
    expect(server.requests).toHaveLength(4);
    await f.clock.advance(1_000);
    await f.emulator.events.settled();
    expect(server.requests.map((r) => JSON.parse(r.body).n).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('honours the fault injector like any target delivery', async () => {
    await ruleTo(await destination('crm', await apiKeyConnection()));
    f.emulator.faults.failNext('events.TargetDelivery', { code: 'InternalError', count: 1 });
    await put();
    await f.emulator.events.settled();
    expect(server.requests).toHaveLength(0);

    await crossBackoffs(1);
    expect(server.requests).toHaveLength(1);
    expect(f.emulator.events.deliveries.map((d) => d.outcome)).toEqual(['retrying', 'delivered']);
  });
});
