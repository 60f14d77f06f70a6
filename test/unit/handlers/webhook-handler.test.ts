import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signMetaBody } from '#lambdas/ingress/verify-signature';
import { startAwsEmulator, type AwsEmulator } from '#lib/local-cloud/aws/aws-emulator';
import { readConformance } from '#test/helpers/conformance';

const sqsMock = mockClient(SQSClient);
const APP_SECRET = 'app-secret-for-tests';

let handler: (e: APIGatewayProxyEventV2, c: Context) => Promise<{ statusCode?: number; body?: string }>;
// The webhook reads its secret with one signed request, not the SDK client: served by the AWS emulator.
let aws: AwsEmulator;

const SET_VARIABLES = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
const before = Object.fromEntries(SET_VARIABLES.map((name) => [name, process.env[name]]));

beforeAll(async () => {
  aws = await startAwsEmulator();
  aws.secrets.putSecret('meta-app-secret', { appSecret: APP_SECRET, verifyToken: 'vt' });
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = aws.endpoint;
  process.env.AWS_ACCESS_KEY_ID = aws.clientConfig().credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = aws.clientConfig().credentials.secretAccessKey;
  process.env.INGRESS_QUEUE_URL = 'https://sqs.local/000000000000/ingress.fifo';
  process.env.META_APP_SECRET_ID = 'meta-app-secret';
  process.env.CLAIM_CHECK_BUCKET = 'claims';
  process.env.AWS_REGION = 'us-east-1';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  ({ handler } = (await import('#lambdas/handlers/webhook')) as never);
});

afterAll(async () => {
  for (const name of SET_VARIABLES) {
    if (before[name] === undefined) delete process.env[name];
    else process.env[name] = before[name];
  }
  await aws?.close();
});

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake((input) => ({
    Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: 'm' })),
    Failed: [],
  }));
});

const context = { functionName: 'webhook', awsRequestId: 'req-1' } as Context;
function post(body: string, signature: string | undefined, base64 = false): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhook',
    rawPath: '/webhook',
    rawQueryString: '',
    headers: signature ? { 'X-Hub-Signature-256': signature, 'content-type': 'application/json' } : {},
    requestContext: { http: { method: 'POST', path: '/webhook' } } as APIGatewayProxyEventV2['requestContext'],
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}
const queued = () => sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);

describe('webhook Lambda handler', () => {
  const body = readConformance('whatsapp', 'bindambc-text.json');

  it('verifies, splits and enqueues a signed body, base64-encoded by API Gateway', async () => {
    const res = await handler(post(body, signMetaBody(body, APP_SECRET), true), context);
    expect(res.statusCode).toBe(200);
    expect(queued()).toHaveLength(1);
    const ingress = JSON.parse(queued()[0]!.MessageBody!);
    expect(ingress.channel).toBe('whatsapp');
    expect(queued()[0]!.MessageGroupId).toBe(ingress.conversationKey);
  });

  it('refuses a missing or wrong signature with 401 and stores nothing', async () => {
    expect((await handler(post(body, undefined), context)).statusCode).toBe(401);
    expect((await handler(post(body, signMetaBody(body, 'wrong')), context)).statusCode).toBe(401);
    expect(queued()).toHaveLength(0);
  });

  it('acknowledges signed garbage with 200 and queues it as quarantined', async () => {
    const garbage = '{"object":"whatsapp_business_account","entry":';
    const res = await handler(post(garbage, signMetaBody(garbage, APP_SECRET)), context);
    expect(res.statusCode).toBe(200);
    const ingress = JSON.parse(queued()[0]!.MessageBody!);
    expect(ingress).toMatchObject({ kind: 'quarantine', quarantineReason: 'invalid_json', payload: garbage });
  });

  it('fails the request (so Meta retries) when SQS cannot take the events', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(new Error('ServiceUnavailable'));
    await expect(handler(post(body, signMetaBody(body, APP_SECRET)), context)).rejects.toThrow(/could not enqueue/);
  });

  it('answers the GET handshake with the verify token from Secrets Manager', async () => {
    const res = await handler(
      {
        ...post('', undefined),
        routeKey: 'GET /webhook',
        requestContext: { http: { method: 'GET', path: '/webhook' } } as APIGatewayProxyEventV2['requestContext'],
        queryStringParameters: { 'hub.mode': 'subscribe', 'hub.verify_token': 'vt', 'hub.challenge': '1158201444' },
      },
      context,
    );
    expect(res).toMatchObject({ statusCode: 200, body: '1158201444' });
  });
});
