import { ArnFormat, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PUSH_AUTHORIZER_ENV } from '#lambdas/push/cognito-token-verifier';
import { PUSH_ENV } from '#lambdas/push/push-env';
import { PUSHED_DETAIL_TYPES, PUSHED_SOURCES } from '#lambdas/push/push-message';
import { ENV } from '#lambdas/shared/event-contract';
import { EventConsumer } from '#lib/constructs/event-consumer';
import type { OperatorIdentity } from '#lib/constructs/operator-identity';
import type { Storage } from '#lib/constructs/storage';
import { SupportFunction } from '#lib/constructs/support-function';
import { setLogicalId } from '#lib/logical-id';
import type { Stage } from '#lib/stage';

export interface AgentPushProps {
  readonly stage: Stage;
  readonly namePrefix: string;
  readonly bus: events.IEventBus;
  readonly storage: Storage;
  readonly identity: OperatorIdentity;
  readonly removalPolicy: RemovalPolicy;
}

/** The WebSocket API's stage: its URL is `wss://{api id}.execute-api.{region}.amazonaws.com/live`. */
export const AGENT_PUSH_STAGE = 'live';
/** The query parameter the operator's access token comes in (browsers cannot set WebSocket headers). */
export const AGENT_PUSH_TOKEN_PARAMETER = 'token';

/**
 * Real-time pushes to the people of a business: an API Gateway WebSocket API whose `$connect` is
 * guarded by a Lambda REQUEST authoriser (WebSocket APIs cannot use JWT authorisers) verifying the
 * operator's Cognito access token, a connections function keeping each connection under the
 * person's business, and a consumer of the bus that posts the changes a person must see to the
 * connections of the event's business (lambdas/push/).
 */
export class AgentPush extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  readonly authorizerFunction: SupportFunction;
  readonly connectionFunction: SupportFunction;
  readonly consumer: EventConsumer;

  constructor(scope: Construct, id: string, props: AgentPushProps) {
    super(scope, id);
    const tableName = props.storage.table.tableName;

    this.authorizerFunction = new SupportFunction(this, 'Authorizer', {
      logicalId: 'AgentPushAuthorizerFunction',
      handler: 'websocket-authorizer',
      description: "Authorises agents' WebSocket connections: verifies the operator's Cognito access token",
      serviceName: 'agent-push-authorizer',
      stage: props.stage,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {
        [PUSH_AUTHORIZER_ENV.userPoolId]: props.identity.userPool.userPoolId,
        [PUSH_AUTHORIZER_ENV.clientIds]: [props.identity.consoleClient, ...props.identity.machineClients].map((c) => c.userPoolClientId).join(','),
      },
      logRemovalPolicy: props.removalPolicy,
    });

    this.connectionFunction = new SupportFunction(this, 'Connections', {
      logicalId: 'AgentPushConnectionFunction',
      handler: 'websocket-connection',
      description: "Keeps agents' WebSocket connections per business ($connect, $disconnect) and answers pings",
      serviceName: 'agent-push-connections',
      stage: props.stage,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: { [ENV.tableName]: tableName },
      logRemovalPolicy: props.removalPolicy,
    });
    props.storage.grantItemActions(this.connectionFunction.role, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']);

    const authorizer = new WebSocketLambdaAuthorizer('AgentPushAuthorizer', this.authorizerFunction.function, {
      authorizerName: 'agent-token',
      identitySource: [`route.request.querystring.${AGENT_PUSH_TOKEN_PARAMETER}`],
    });
    const integration = (name: string) => new WebSocketLambdaIntegration(name, this.connectionFunction.function);
    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      apiName: `${props.namePrefix}-agent-push`,
      description: 'Real-time changes for the agents and supervisors of each business',
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: { integration: integration('ConnectIntegration'), authorizer },
      disconnectRouteOptions: { integration: integration('DisconnectIntegration') },
      // The function's answer to a frame (a pong) goes back to the client.
      defaultRouteOptions: { integration: integration('DefaultIntegration'), returnResponse: true },
    });
    setLogicalId(this.api, 'AgentPushApi');
    for (const routeKey of ['$disconnect', '$default']) {
      Validations.of(this.api.node.findChild(`${routeKey}-Route`)).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG4',
        reason: 'WebSocket APIs authorise on $connect only (the authoriser checks the operator token there); later routes belong to an authorised connection.',
      });
    }

    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: AGENT_PUSH_STAGE,
      autoDeploy: true,
      // Clients send only pings; a few per second per account is plenty.
      throttle: { rateLimit: 50, burstLimit: 100 },
    });
    setLogicalId(this.stage, 'AgentPushStage');
    Validations.of(this.stage).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG1',
      reason:
        'Connections and refusals are logged by the authoriser and connections functions (ids only); stage access logs would add a log group per stage for the same facts.',
    });

    this.consumer = new EventConsumer(this, 'Consumer', {
      name: 'AgentPush',
      queueSlug: 'agent-push',
      namePrefix: props.namePrefix,
      stage: props.stage,
      bus: props.bus,
      sources: PUSHED_SOURCES,
      detailTypes: PUSHED_DETAIL_TYPES,
      handler: 'agent-push',
      description: 'Pushes offers, customer messages, receipts and transfers to the connected agents of each business',
      serviceName: 'agent-push',
      memorySize: 256,
      timeout: Duration.seconds(20),
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(0),
      // A stale push is worth little: the console catches up through the polling feed.
      maxEventAge: Duration.hours(1),
      environment: {
        [ENV.tableName]: tableName,
        [PUSH_ENV.managementEndpoint]: this.stage.callbackUrl,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    // The generated description lists every detail type and passes CloudFormation's 512 characters.
    (this.consumer.rule.node.defaultChild as events.CfnRule).description =
      'Changes people must see (routing, customer messages, receipts, handoffs) to the agent-push queue';
    // Reads of conversations, the registry and connections; deleting gone connections; the polling feed's appends.
    props.storage.grantItemActions(this.consumer.handler.role, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DeleteItem', 'dynamodb:PutItem']);
    // PostToConnection on this API's stage only.
    this.consumer.handler.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['execute-api:ManageConnections'],
        resources: [
          Stack.of(this).formatArn({
            service: 'execute-api',
            resource: this.api.apiId,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            resourceName: `${AGENT_PUSH_STAGE}/POST/@connections/*`,
          }),
        ],
      }),
    );
    Validations.of(this.consumer.handler.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<AgentPushApi>/live/POST/@connections/*]',
      reason: 'Connection ids are only known at run time; the grant is limited to posting on this API stage.',
    });
  }

  /** `wss://{api id}.execute-api.{region}.amazonaws.com/live`; the console connects with `?token=<access token>`. */
  get url(): string {
    return this.stage.url;
  }
}
