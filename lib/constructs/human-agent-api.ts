import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { HUMAN_AGENT_ROUTES, HUMAN_AGENT_TOKEN_SECRET_ENV } from '#lambdas/human-agent/human-agent-contract';
import { ENV } from '#lambdas/shared/event-contract';
import { setLogicalId } from '#lib/logical-id';
import type { Stage } from '#lib/stage';
import { READ_WRITE_ITEM_ACTIONS, type Storage } from '#lib/constructs/storage';
import { SupportFunction } from '#lib/constructs/support-function';

export interface HumanAgentApiProps {
  readonly stage: Stage;
  readonly namePrefix: string;
  readonly api: apigwv2.HttpApi;
  readonly storage: Storage;
  readonly bus: events.IEventBus;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The human agents' API on the pipeline's HTTP API: IAM-authorised routes (an agent desk or
 * console signs its calls with SigV4) backed by one Lambda. The token secret serves only callers
 * that carry no IAM identity, which in AWS API Gateway never lets through: the local cloud.
 */
export class HumanAgentApi extends Construct {
  readonly handler: SupportFunction;
  readonly tokenSecret: secretsmanager.Secret;
  readonly tokenSecretName: string;
  readonly routes: apigwv2.HttpRoute[];

  constructor(scope: Construct, id: string, props: HumanAgentApiProps) {
    super(scope, id);

    // The plain name, not `secretName` (a token parsed out of the ARN), goes to the environment.
    this.tokenSecretName = `${props.namePrefix}/human-agent-api-token`;
    this.tokenSecret = new secretsmanager.Secret(this, 'TokenSecret', {
      secretName: this.tokenSecretName,
      description: 'Bearer token of the human-agent API for callers without IAM (the local cloud)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'token',
        excludePunctuation: true,
        passwordLength: 48,
      },
      removalPolicy: props.removalPolicy,
    });
    setLogicalId(this.tokenSecret, 'HumanAgentApiToken');
    Validations.of(this.tokenSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'In AWS every route requires IAM, so the token is never accepted there; it exists for the local cloud, where an operator replaces it at will.',
    });

    this.handler = new SupportFunction(this, 'Handler', {
      logicalId: 'HumanAgentApiFunction',
      handler: 'human-agent-api',
      description: 'Human agents: list waiting conversations, read, reply, hand back to the bot, close with CSAT',
      serviceName: 'human-agent-api',
      stage: props.stage,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {
        [ENV.tableName]: props.storage.table.tableName,
        [ENV.eventBusName]: props.bus.eventBusName,
        [HUMAN_AGENT_TOKEN_SECRET_ENV]: this.tokenSecretName,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    props.storage.grantItemActions(this.handler.role, READ_WRITE_ITEM_ACTIONS);
    props.bus.grantPutEventsTo(this.handler.role);
    this.tokenSecret.grantRead(this.handler.role);

    const integration = new HttpLambdaIntegration('HumanAgentIntegration', this.handler.function, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    const authorizer = new HttpIamAuthorizer();
    this.routes = Object.values(HUMAN_AGENT_ROUTES).flatMap((route) =>
      props.api.addRoutes({
        path: route.path,
        methods: [route.method === 'GET' ? apigwv2.HttpMethod.GET : apigwv2.HttpMethod.POST],
        integration,
        authorizer,
      }),
    );
  }
}
