import { ArnFormat, Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';
import { INTEGRATIONS_ROUTES } from '#lambdas/integrations/api/integrations-api-contract';
import { DISPATCH_DETAIL_TYPES, DISPATCH_SOURCES, TEMPLATE_REQUEST_SOURCES } from '#lambdas/integrations/dispatch/integration-triggers';
import { INTEGRATIONS_ENV } from '#lambdas/integrations/integrations-env';
import { integrationsNamePrefix, integrationsSecretPrefix } from '#lambdas/integrations/resource-names';
import { DETAIL_TYPE, ENV } from '#lambdas/shared/event-contract';
import { EventConsumer } from '#lib/constructs/event-consumer';
import type { OperatorIdentity } from '#lib/constructs/operator-identity';
import { addOperatorRoutes } from '#lib/constructs/operator-routes';
import { READ_WRITE_ITEM_ACTIONS, type Storage } from '#lib/constructs/storage';
import { SupportFunction } from '#lib/constructs/support-function';
import { setLogicalId } from '#lib/logical-id';
import { CONSUMER_MAX_RECEIVE_COUNT, QUEUE_RETENTION, visibilityTimeoutFor } from '#lib/queue-settings';
import type { Stage } from '#lib/stage';

/** What wakes the dispatcher: the domain events integrations subscribe to, and template sends (never the bot's replies). */
export const INTEGRATION_DISPATCH_PATTERN = {
  $or: [
    { source: [...DISPATCH_SOURCES], 'detail-type': [...DISPATCH_DETAIL_TYPES] },
    { source: [...TEMPLATE_REQUEST_SOURCES], 'detail-type': [DETAIL_TYPE.replyRequested] },
  ],
};

export interface IntegrationsProps {
  readonly stage: Stage;
  /** The stack name: every integration resource and secret is named under it. */
  readonly namePrefix: string;
  readonly bus: events.IEventBus;
  /** The bus's name as a plain string (IAM resource patterns of the integration rules name it). */
  readonly busName: string;
  readonly storage: Storage;
  readonly api: apigwv2.HttpApi;
  readonly identity: OperatorIdentity;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Outbound integrations (docs/integrations.md): the dispatcher that turns domain events into
 * `integration.delivery_requested` events, the EventBridge invoke role the per-integration rules
 * use to call their API destinations, the integrations dead-letter queue (where EventBridge puts a
 * delivery it gave up on) with its consumer, and the admin API that makes the per-integration
 * connections, API destinations and rules at run time.
 *
 * The per-integration resources are not in this template (businesses add integrations after
 * deployment), so every grant on them names the stack's prefix `<stack>-i-`: the admin function
 * may make and remove connections, API destinations and rules under it and nothing else, pass
 * the invoke role and no other, and write secrets under `<stack>/integrations/`.
 */
export class Integrations extends Construct {
  readonly dispatch: EventConsumer;
  /** Where EventBridge puts deliveries it gave up on; its consumer records them. */
  readonly deadLetters: sqs.Queue;
  /** Recorded dead letters, parked for `npm run redrive`; also where the consumer's own failures go. */
  readonly parkedDeadLetters: sqs.Queue;
  readonly deadLetterConsumer: SupportFunction;
  readonly invokeRole: iam.Role;
  readonly api: SupportFunction;
  readonly routes: apigwv2.HttpRoute[];
  private readonly secretsArnPattern: string;
  private readonly secretPrefix: string;

  constructor(scope: Construct, id: string, props: IntegrationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const resourcePrefix = integrationsNamePrefix(props.namePrefix);
    const secretPrefix = integrationsSecretPrefix(props.namePrefix);
    this.secretPrefix = secretPrefix;
    const eventsArn = (resourceName: string) => stack.formatArn({ service: 'events', resource: resourceName, arnFormat: ArnFormat.NO_RESOURCE_NAME });
    const connectionsArn = eventsArn(`connection/${resourcePrefix}*`);
    const apiDestinationsArn = eventsArn(`api-destination/${resourcePrefix}*`);
    const rulesArn = eventsArn(`rule/${props.busName}/${resourcePrefix}*`);
    this.secretsArnPattern = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${secretPrefix}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const connectionSecretsArn = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `events!connection/${resourcePrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const tableName = props.storage.table.tableName;

    // --- dispatch: domain events → delivery requests -------------------------------------------
    this.dispatch = new EventConsumer(this, 'Dispatch', {
      name: 'IntegrationDispatch',
      queueSlug: 'integration-dispatch',
      namePrefix: props.namePrefix,
      stage: props.stage,
      bus: props.bus,
      sources: [...new Set(INTEGRATION_DISPATCH_PATTERN.$or.flatMap((p) => p.source))],
      detailTypes: [...new Set(INTEGRATION_DISPATCH_PATTERN.$or.flatMap((p) => p['detail-type']))],
      handler: 'integration-dispatch',
      description: "Maps domain events to the delivery requests of each business's integrations (CRMs, webhooks)",
      serviceName: 'integration-dispatch',
      memorySize: 256,
      timeout: Duration.seconds(30),
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      environment: {
        [ENV.tableName]: tableName,
        [ENV.eventBusName]: props.bus.eventBusName,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    // Exact source and detail-type pairs: a bot's `reply.requested` must not wake the dispatcher.
    const dispatchRule = this.dispatch.rule.node.defaultChild as events.CfnRule;
    dispatchRule.addPropertyOverride('EventPattern', INTEGRATION_DISPATCH_PATTERN);
    // The override merges into the construct's two lists; without them the pattern is the `$or` alone.
    dispatchRule.addPropertyDeletionOverride('EventPattern.source');
    dispatchRule.addPropertyDeletionOverride('EventPattern.detail-type');
    props.storage.grantItemActions(this.dispatch.handler.role, READ_WRITE_ITEM_ACTIONS);
    props.bus.grantPutEventsTo(this.dispatch.handler.role);
    // The webhook's signing secret, to sign every body.
    this.grantSecretsRead(this.dispatch.handler.role);

    // --- dead letters: EventBridge gave up → recorded, counted, parked ---------------------------
    const deadLetterTimeout = Duration.seconds(30);
    const deadLettersName = `${props.namePrefix}-integration-dead-letters`;
    this.parkedDeadLetters = new sqs.Queue(this, 'ParkedDeadLetters', {
      queueName: `${deadLettersName}-dlq`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'DeadLettersByArn', stack.formatArn({ service: 'sqs', resource: deadLettersName }))],
      },
    });
    setLogicalId(this.parkedDeadLetters, 'IntegrationDeadLettersDeadLetterQueue');
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      queueName: deadLettersName,
      // SQS-managed encryption: EventBridge writes dead letters to it without a key grant.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      visibilityTimeout: visibilityTimeoutFor(deadLetterTimeout),
      deadLetterQueue: { queue: this.parkedDeadLetters, maxReceiveCount: CONSUMER_MAX_RECEIVE_COUNT },
    });
    setLogicalId(this.deadLetters, 'IntegrationDeadLettersQueue');
    // Only this stack's integration rules may drop dead letters here.
    this.deadLetters.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'IntegrationRulesDeadLetters',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetters.queueArn],
        conditions: { ArnLike: { 'aws:SourceArn': rulesArn } },
      }),
    );
    this.deadLetterConsumer = new SupportFunction(this, 'DeadLetterConsumer', {
      logicalId: 'IntegrationDeadLettersFunction',
      handler: 'integration-dead-letters',
      description: 'Records integration deliveries EventBridge gave up on, and publishes redriven ones again',
      serviceName: 'integration-dead-letters',
      stage: props.stage,
      memorySize: 256,
      timeout: deadLetterTimeout,
      environment: {
        [ENV.tableName]: tableName,
        [ENV.eventBusName]: props.bus.eventBusName,
        [INTEGRATIONS_ENV.parkedQueueUrl]: this.parkedDeadLetters.queueUrl,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    this.deadLetterConsumer.consumeQueue(this.deadLetters, { batchSize: 10, maxBatchingWindow: Duration.seconds(5) });
    props.storage.grantItemActions(this.deadLetterConsumer.role, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    props.bus.grantPutEventsTo(this.deadLetterConsumer.role);
    this.parkedDeadLetters.grantSendMessages(this.deadLetterConsumer.role);

    // --- the role EventBridge assumes to call the API destinations -------------------------------
    this.invokeRole = new iam.Role(this, 'InvokeRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': rulesArn } },
      }),
      description: "EventBridge calls the integrations' API destinations with this role",
    });
    setLogicalId(this.invokeRole, 'IntegrationInvokeRole');
    this.invokeRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'InvokeIntegrationApiDestinations', actions: ['events:InvokeApiDestination'], resources: [apiDestinationsArn] }),
    );

    // --- admin API ------------------------------------------------------------------------------
    this.api = new SupportFunction(this, 'Api', {
      logicalId: 'IntegrationsApiFunction',
      handler: 'integrations-api',
      description: "Businesses' integrations: saves them, makes their EventBridge connections, API destinations and rules, tests them",
      serviceName: 'integrations-api',
      stage: props.stage,
      memorySize: 256,
      // A save makes up to a dozen EventBridge calls; a test waits 5 s at most (API Gateway's limit is 30 s).
      timeout: Duration.seconds(25),
      environment: {
        [ENV.tableName]: tableName,
        [ENV.eventBusName]: props.bus.eventBusName,
        [INTEGRATIONS_ENV.namePrefix]: resourcePrefix,
        [INTEGRATIONS_ENV.secretPrefix]: secretPrefix,
        [INTEGRATIONS_ENV.invokeRoleArn]: this.invokeRole.roleArn,
        [INTEGRATIONS_ENV.deadLetterQueueArn]: this.deadLetters.queueArn,
        // Plain HTTP to a loopback URL only in the local cloud (its CRM simulator and test endpoints).
        [INTEGRATIONS_ENV.allowLoopback]: props.stage === 'local' ? 'true' : 'false',
      },
      logRemovalPolicy: props.removalPolicy,
    });
    const role = this.api.role;
    props.storage.grantItemActions(role, READ_WRITE_ITEM_ACTIONS);
    props.bus.grantPutEventsTo(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ManageIntegrationConnections',
        actions: ['events:CreateConnection', 'events:UpdateConnection', 'events:DeleteConnection', 'events:DescribeConnection'],
        resources: [connectionsArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ManageIntegrationApiDestinations',
        actions: ['events:CreateApiDestination', 'events:UpdateApiDestination', 'events:DeleteApiDestination', 'events:DescribeApiDestination'],
        resources: [apiDestinationsArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ManageIntegrationRules',
        actions: ['events:PutRule', 'events:DeleteRule', 'events:DescribeRule', 'events:RemoveTargets'],
        resources: [rulesArn],
      }),
    );
    // A rule of the prefix may target the integrations' API destinations, nothing else.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TargetIntegrationApiDestinations',
        actions: ['events:PutTargets'],
        resources: [rulesArn],
        conditions: { 'ForAllValues:ArnLike': { 'events:TargetArn': [apiDestinationsArn] } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassTheInvokeRole',
        actions: ['iam:PassRole'],
        resources: [this.invokeRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PerIntegrationSecrets',
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:PutSecretValue',
          'secretsmanager:GetSecretValue',
          'secretsmanager:DescribeSecret',
          'secretsmanager:DeleteSecret',
        ],
        resources: [this.secretsArnPattern],
      }),
    );
    // EventBridge keeps a connection's credentials in a secret it names `events!connection/<name>/…`;
    // whoever creates or updates the connection needs these on it (EventBridge user guide, connections).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ConnectionSecretsOfIntegrations',
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:UpdateSecret',
          'secretsmanager:DescribeSecret',
          'secretsmanager:DeleteSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
        ],
        resources: [connectionSecretsArn],
      }),
    );
    // The first connection of the account creates EventBridge's service-linked role for API destinations.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ApiDestinationsServiceLinkedRole',
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [
          stack.formatArn({
            service: 'iam',
            region: '',
            resource: 'role',
            resourceName: 'aws-service-role/apidestinations.events.amazonaws.com/AWSServiceRoleForAmazonEventBridgeApiDestinations',
          }),
        ],
        conditions: { StringEquals: { 'iam:AWSServiceName': 'apidestinations.events.amazonaws.com' } },
      }),
    );
    const prefixReason = (what: string) =>
      `Businesses add integrations after deployment, so the ${what} are made at run time with names not known in advance; every one starts with this stack's prefix ${resourcePrefix} and the grant names that prefix only.`;
    Validations.of(role).acknowledge(
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:connection/${resourcePrefix}*]`,
        reason: prefixReason('EventBridge connections'),
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:api-destination/${resourcePrefix}*]`,
        reason: prefixReason('API destinations'),
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/${props.busName}/${resourcePrefix}*]`,
        reason: prefixReason('rules on the bus'),
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${secretPrefix}/*]`,
        reason: prefixReason(`per-integration secrets (under ${secretPrefix}/)`),
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:events!connection/${resourcePrefix}*]`,
        reason: prefixReason("connections' secrets (EventBridge names them events!connection/<connection name>/<id>)"),
      },
    );
    Validations.of(this.invokeRole).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:api-destination/${resourcePrefix}*]`,
      reason: prefixReason('API destinations EventBridge invokes'),
    });
    this.routes = addOperatorRoutes(this, {
      api: props.api,
      identity: props.identity,
      scope: OPERATOR_SCOPES.admin,
      routes: Object.values(INTEGRATIONS_ROUTES),
      handler: this.api,
    });
  }

  /** Read access to the per-integration secrets (credentials for lookups): for the contacts consumer's CRM lookup. */
  grantSecretsRead(role: iam.Role): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadPerIntegrationSecrets', actions: ['secretsmanager:GetSecretValue'], resources: [this.secretsArnPattern] }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${this.secretPrefix}/*]`,
      reason:
        "Each integration keeps its credentials and signing secret in its own secret, made when an admin adds it; the grant is GetSecretValue on this stack's integrations prefix only.",
    });
  }

  /** Each consumer queue with the dead-letter queue it redrives from (`npm run redrive`). */
  get redrivableQueues() {
    return [
      { name: 'IntegrationDispatch', queue: this.dispatch.queue, deadLetterQueue: this.dispatch.deadLetterQueue },
      { name: 'IntegrationDeadLetters', queue: this.deadLetters, deadLetterQueue: this.parkedDeadLetters },
    ];
  }
}
