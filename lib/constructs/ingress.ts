import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '#lambdas/shared/event-contract';
import { setLogicalId } from '#lib/logical-id';
import { CONSUMER_MAX_RECEIVE_COUNT, QUEUE_RETENTION } from '#lib/queue-settings';
import type { Stage } from '#lib/stage';
import { SupportFunction } from '#lib/constructs/support-function';
import {
  checkReservedConcurrency,
  checkThrottle,
  DEFAULT_OPERATOR_THROTTLE,
  DEFAULT_WEBHOOK_RESERVED_CONCURRENCY,
  DEFAULT_WEBHOOK_THROTTLE,
  type ThrottleLimits,
} from '#lib/constructs/api-protection';

export const WEBHOOK_PATH = '/webhook';

export interface IngressProps {
  readonly stage: Stage;
  /** Prefix of physical names, e.g. `Omnichannel-dev`. */
  readonly namePrefix: string;
  readonly metaAppSecret: secretsmanager.ISecret;
  readonly metaAppSecretName: string;
  /** At least six times the timeout of the function that consumes the ingress queue. */
  readonly queueVisibilityTimeout: Duration;
  readonly removalPolicy: RemovalPolicy;
  /** Limit of the webhook routes alone (default DEFAULT_WEBHOOK_THROTTLE). */
  readonly webhookThrottle?: ThrottleLimits;
  /**
   * The stage's default, so the limit of every other route: the operator APIs that other
   * constructs add to this API later (default DEFAULT_OPERATOR_THROTTLE).
   */
  readonly operatorThrottle?: ThrottleLimits;
  /** Reserved concurrency of the webhook function (default DEFAULT_WEBHOOK_RESERVED_CONCURRENCY). */
  readonly webhookReservedConcurrency?: number;
}

/** Route keys of Meta's webhook, as API Gateway names them in route settings. */
export const WEBHOOK_ROUTE_KEYS = [`GET ${WEBHOOK_PATH}`, `POST ${WEBHOOK_PATH}`] as const;

/**
 * The front door: Meta's webhook calls land on an HTTP API, a thin Lambda checks the signature and
 * puts each event on a FIFO queue grouped by conversation. Bodies too large for one SQS message are
 * parked in the claim-check bucket and the message carries their key.
 */
export class Ingress extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly claimCheckBucket: s3.Bucket;
  readonly webhook: SupportFunction;
  readonly api: apigwv2.HttpApi;
  readonly apiStage: apigwv2.HttpStage;
  readonly webhookThrottle: ThrottleLimits;
  readonly operatorThrottle: ThrottleLimits;
  /** Full URL to configure as the callback URL in the Meta app dashboard. */
  readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: IngressProps) {
    super(scope, id);
    this.webhookThrottle = checkThrottle('webhookThrottle', props.webhookThrottle ?? DEFAULT_WEBHOOK_THROTTLE);
    this.operatorThrottle = checkThrottle('operatorThrottle', props.operatorThrottle ?? DEFAULT_OPERATOR_THROTTLE);

    this.claimCheckBucket = new s3.Bucket(this, 'ClaimCheckBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [
        // Bodies live as long as the longest-lived queue message that can point at them.
        { id: 'ExpireClaimChecks', expiration: QUEUE_RETENTION, abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: props.removalPolicy,
    });
    setLogicalId(this.claimCheckBucket, 'ClaimCheckBucket');
    Validations.of(this.claimCheckBucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'Objects are transient webhook bodies (expired after 14 days) written and read only by the webhook and normalizer roles; object access can be audited with CloudTrail data events, so a second bucket of access logs has no reader.',
    });

    const queueName = `${props.namePrefix}-ingress.fifo`;
    const stack = Stack.of(this);
    // Built from the name, not from the queue, because the queue's redrive policy already points at
    // the dead-letter queue and a reference back would be a cycle.
    const queueArn = stack.formatArn({ service: 'sqs', resource: queueName });

    this.deadLetterQueue = new sqs.Queue(this, 'IngressDeadLetterQueue', {
      queueName: `${props.namePrefix}-ingress-dlq.fifo`,
      fifo: true,
      contentBasedDeduplication: false,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueAttributes(this, 'IngressQueueByArn', { queueArn, fifo: true })],
      },
    });
    setLogicalId(this.deadLetterQueue, 'IngressDeadLetterQueue');

    this.queue = new sqs.Queue(this, 'IngressQueue', {
      queueName,
      fifo: true,
      // The webhook sets MessageDeduplicationId to the Meta event id: two deliveries of the same
      // event differ in body (timestamps, batching) but must still be one message.
      contentBasedDeduplication: false,
      deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.queueVisibilityTimeout,
      retentionPeriod: QUEUE_RETENTION,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: CONSUMER_MAX_RECEIVE_COUNT },
    });
    setLogicalId(this.queue, 'IngressQueue');

    this.webhook = new SupportFunction(this, 'Webhook', {
      logicalId: 'WebhookFunction',
      handler: 'webhook',
      description: 'Verifies Meta webhook calls and enqueues their events on the ingress FIFO queue',
      serviceName: 'webhook',
      stage: props.stage,
      memorySize: 256,
      timeout: Duration.seconds(10),
      // A flood of unsigned calls cannot take the account's concurrency from the pipeline behind
      // the queue; excess invocations are throttled and API Gateway answers 5xx, which Meta retries.
      reservedConcurrentExecutions: checkReservedConcurrency(props.webhookReservedConcurrency ?? DEFAULT_WEBHOOK_RESERVED_CONCURRENCY),
      logRemovalPolicy: props.removalPolicy,
      environment: {
        [ENV.ingressQueueUrl]: this.queue.queueUrl,
        [ENV.claimCheckBucket]: this.claimCheckBucket.bucketName,
        [ENV.metaAppSecretId]: props.metaAppSecretName,
      },
    });
    this.grantWebhookAccess(props.metaAppSecret);

    this.api = new apigwv2.HttpApi(this, 'WebhookApi', {
      apiName: `${props.namePrefix}-webhook`,
      description: 'Receives Meta webhooks (WhatsApp, Instagram, Messenger)',
      createDefaultStage: false,
    });
    setLogicalId(this.api, 'WebhookApi');
    const integration = new HttpLambdaIntegration('WebhookIntegration', this.webhook.function, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    const routes = this.api.addRoutes({
      path: WEBHOOK_PATH,
      methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
      integration,
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG4',
        reason:
          'Meta cannot present IAM, Cognito or JWT credentials; every POST is authenticated by its X-Hub-Signature-256 HMAC and GET by the verify token, both checked in the webhook Lambda.',
      });
    }

    const accessLogs = new logs.LogGroup(this, 'WebhookApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy,
    });
    setLogicalId(accessLogs, 'WebhookApiAccessLogs');
    this.apiStage = new apigwv2.HttpStage(this, 'WebhookApiStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // The stage's default limit is the operators' one: it covers every route without its own
      // setting, including the operator APIs other constructs add later.
      throttle: this.operatorThrottle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // No query string: the verification GET carries the verify token in it.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    setLogicalId(this.apiStage, 'WebhookApiStage');
    // Meta's deliveries get their own token bucket: a flood on the operator routes cannot starve
    // them, nor a flood on the webhook the operators.
    const cfnStage = this.apiStage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      WEBHOOK_ROUTE_KEYS.map((routeKey) => [
        routeKey,
        // A JSON property in CloudFormation's own spelling (CDK passes it through untouched).
        { ThrottlingRateLimit: this.webhookThrottle.rateLimit, ThrottlingBurstLimit: this.webhookThrottle.burstLimit },
      ]),
    );
    // Route settings name routes that must exist before the stage refers to them.
    for (const route of routes) this.apiStage.node.addDependency(route);
    // The $default stage has no path segment, so the route hangs directly off the endpoint.
    this.webhookUrl = `${this.api.apiEndpoint}${WEBHOOK_PATH}`;
  }

  private grantWebhookAccess(metaAppSecret: secretsmanager.ISecret): void {
    const role = this.webhook.role;
    // SendMessage also authorises SendMessageBatch; nothing else on the queue is needed.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.claimCheckBucket.arnForObjects('*')] }));
    metaAppSecret.grantRead(role);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<ClaimCheckBucket.Arn>/*]',
      reason: 'Claim-check object keys are per event and unknown in advance; the grant is PutObject only, in this one bucket.',
    });
  }
}
