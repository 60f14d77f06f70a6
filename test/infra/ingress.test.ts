import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '#lambdas/shared/event-contract';
import { environmentOf, resourceOfType, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

const FOURTEEN_DAYS = 14 * 24 * 60 * 60;

describe('ingress', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev' });
  });

  describe('FIFO queue', () => {
    it('deduplicates by the id the webhook gives, with high-throughput FIFO per conversation', () => {
      synth.template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'Omnichannel-dev-ingress.fifo',
        FifoQueue: true,
        ContentBasedDeduplication: false,
        DeduplicationScope: 'messageGroup',
        FifoThroughputLimit: 'perMessageGroupId',
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: FOURTEEN_DAYS,
      });
    });

    it('keeps messages invisible for at least six normalizer timeouts', () => {
      const queue = resourceOfType(synth.json, 'IngressQueue', 'AWS::SQS::Queue');
      const normalizer = resourceOfType(synth.json, 'NormalizerFunction', 'AWS::Lambda::Function');
      const visibility = queue.Properties?.['VisibilityTimeout'] as number;
      const timeout = normalizer.Properties?.['Timeout'] as number;
      expect(timeout).toBeGreaterThan(0);
      expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
    });

    it('parks a message in a FIFO dead-letter queue after eight receives (the backoff spreads them over ~18 minutes)', () => {
      const queue = resourceOfType(synth.json, 'IngressQueue', 'AWS::SQS::Queue');
      expect(queue.Properties?.['RedrivePolicy']).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': ['IngressDeadLetterQueue', 'Arn'] },
        maxReceiveCount: 8,
      });
      const dlq = resourceOfType(synth.json, 'IngressDeadLetterQueue', 'AWS::SQS::Queue');
      expect(dlq.Properties).toMatchObject({
        QueueName: 'Omnichannel-dev-ingress-dlq.fifo',
        FifoQueue: true,
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: FOURTEEN_DAYS,
      });
    });

    it('lets only the ingress queue use its dead-letter queue', () => {
      const dlq = resourceOfType(synth.json, 'IngressDeadLetterQueue', 'AWS::SQS::Queue');
      const policy = dlq.Properties?.['RedriveAllowPolicy'] as { redrivePermission: string; sourceQueueArns: unknown[] };
      expect(policy.redrivePermission).toBe('byQueue');
      expect(policy.sourceQueueArns).toHaveLength(1);
      expect(JSON.stringify(policy.sourceQueueArns[0])).toContain(':Omnichannel-dev-ingress.fifo');
    });

    it('refuses requests that are not over TLS', () => {
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: 'IngressQueue' }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('is drained by the normalizer in batches of ten with partial batch failures', () => {
      synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': ['IngressQueue', 'Arn'] },
        FunctionName: { Ref: 'NormalizerFunction' },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(synth.json.Resources['NormalizerFunctionEventSourceMapping']?.Type).toBe('AWS::Lambda::EventSourceMapping');
    });
  });

  describe('claim-check bucket', () => {
    it('is private, encrypted, TLS-only and expires bodies after the queue retention', () => {
      synth.template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 14, Status: 'Enabled' })]),
        },
      });
      synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: 'ClaimCheckBucket' },
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    });
  });

  describe('HTTP API', () => {
    it('routes GET and POST /webhook to the webhook function with payload format 2.0', () => {
      // The HTTP API's routes (the agents' WebSocket API has routes of its own).
      const routes = synth.template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: { Ref: 'WebhookApi' } } });
      const routeKeys = Object.values(routes)
        .map((route) => route['Properties']['RouteKey'])
        .sort();
      // The human agents', onboarding and template routes share the API; their own infra tests cover them.
      expect(routeKeys.filter((key: string) => !/ \/(agent|supervisor|onboarding|templates|admin)\b/.test(key))).toEqual(['GET /webhook', 'POST /webhook']);

      const integrations = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Integration')).filter((integration) =>
        JSON.stringify(integration['Properties']['IntegrationUri']).includes('WebhookFunction'),
      );
      expect(integrations.length).toBeGreaterThan(0);
      for (const integration of integrations) {
        expect(integration['Properties']).toMatchObject({
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
          IntegrationUri: { 'Fn::GetAtt': ['WebhookFunction', 'Arn'] },
        });
      }
    });

    it('throttles the default stage and writes access logs without query strings', () => {
      const stage = resourceOfType(synth.json, 'WebhookApiStage', 'AWS::ApiGatewayV2::Stage');
      expect(stage.Properties).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) },
        AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': ['WebhookApiAccessLogs', 'Arn'] } },
      });
      const format = (stage.Properties!['AccessLogSettings'] as { Format: string }).Format;
      expect(JSON.parse(format)).toHaveProperty('requestId', '$context.requestId');
      // The verification GET carries the verify token in its query string.
      expect(format).not.toMatch(/querystring|\$context\.path|rawPath/i);
      synth.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });

    it('publishes the webhook URL as <api endpoint>/webhook', () => {
      expect(synth.json.Outputs?.['WebhookUrl']?.Value).toEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': ['WebhookApi', 'ApiEndpoint'] }, '/webhook']],
      });
    });
  });

  describe('webhook function', () => {
    it('is small and quick: 256 MB, 10 s', () => {
      const fn = resourceOfType(synth.json, 'WebhookFunction', 'AWS::Lambda::Function');
      expect(fn.Properties).toMatchObject({ MemorySize: 256, Timeout: 10 });
    });

    it('is told where the queue, the bucket and the app secret are', () => {
      const env = environmentOf(synth.json, 'WebhookFunction');
      expect(env[ENV.ingressQueueUrl]).toEqual({ Ref: 'IngressQueue' });
      expect(env[ENV.claimCheckBucket]).toEqual({ Ref: 'ClaimCheckBucket' });
      expect(env[ENV.metaAppSecretId]).toBe('Omnichannel-dev/meta-app-secret');
      expect(env).not.toHaveProperty(ENV.tableName);
      expect(env).not.toHaveProperty(ENV.eventBusName);
    });
  });
});
