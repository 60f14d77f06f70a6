import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { HUMAN_AGENT_TOKEN_SECRET_ENV } from '#lambdas/human-agent/human-agent-contract';
import { DETAIL_TYPE, ENV, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { TEMPLATE_TOPIC_LIST } from '#lambdas/templates/apply-template-notification';
import { TEMPLATES_API_ROUTES } from '#lambdas/templates/templates-api-contract';
import { setLogicalId } from '#lib/logical-id';
import type { Stage } from '#lib/stage';
import { grantAccountTokenSecretsRead } from '#lib/constructs/account-token-secrets';
import { EventConsumer } from '#lib/constructs/event-consumer';
import type { Storage } from '#lib/constructs/storage';
import { SupportFunction } from '#lib/constructs/support-function';

export interface TemplatesApiProps {
  readonly stage: Stage;
  readonly namePrefix: string;
  readonly api: apigwv2.HttpApi;
  readonly storage: Storage;
  readonly bus: events.IEventBus;
  /** The shared secret of Graph API access tokens (the sync reads the WABA's token from it). */
  readonly accessTokens: secretsmanager.ISecret;
  readonly accessTokensSecretName: string;
  readonly graphApiBaseUrl: string;
  readonly graphApiVersion: string;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * WhatsApp templates: an IAM-authorised API on the pipeline's HTTP API (send an approved template
 * to a customer, sync or list a WABA's templates) and a consumer of the template webhooks that
 * keeps the stored templates' status, category and quality current.
 */
export class TemplatesApi extends Construct {
  readonly handler: SupportFunction;
  readonly events: EventConsumer;
  readonly tokenSecret: secretsmanager.Secret;
  readonly tokenSecretName: string;
  readonly routes: apigwv2.HttpRoute[];

  constructor(scope: Construct, id: string, props: TemplatesApiProps) {
    super(scope, id);
    const tableName = props.storage.table.tableName;

    this.tokenSecretName = `${props.namePrefix}/templates-api-token`;
    this.tokenSecret = new secretsmanager.Secret(this, 'TokenSecret', {
      secretName: this.tokenSecretName,
      description: 'Bearer token of the templates API for callers without IAM (the local cloud)',
      generateSecretString: { secretStringTemplate: JSON.stringify({}), generateStringKey: 'token', excludePunctuation: true, passwordLength: 48 },
      removalPolicy: props.removalPolicy,
    });
    setLogicalId(this.tokenSecret, 'TemplatesApiToken');
    Validations.of(this.tokenSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'In AWS every templates route requires IAM, so the token is never accepted there; it exists for the local cloud, where an operator replaces it at will.',
    });

    this.handler = new SupportFunction(this, 'Handler', {
      logicalId: 'TemplatesApiFunction',
      handler: 'templates-api',
      description: 'WhatsApp templates: send an approved template to a customer, sync and list a WABA\'s templates',
      serviceName: 'templates-api',
      stage: props.stage,
      memorySize: 256,
      // A sync reads every page of a large catalogue; API Gateway itself waits at most 30 s.
      timeout: Duration.seconds(29),
      environment: {
        [ENV.tableName]: tableName,
        [ENV.eventBusName]: props.bus.eventBusName,
        [ENV.metaAccessTokensSecretId]: props.accessTokensSecretName,
        [ENV.graphApiBaseUrl]: props.graphApiBaseUrl,
        [ENV.graphApiVersion]: props.graphApiVersion,
        [HUMAN_AGENT_TOKEN_SECRET_ENV]: this.tokenSecretName,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    // Reads registry, templates, conversation and consent; writes templates, sync state and the message.
    props.storage.grantItemActions(this.handler.role, ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    props.bus.grantPutEventsTo(this.handler.role);
    props.accessTokens.grantRead(this.handler.role);
    // The sync reads a WABA's templates with its business's own token secret.
    grantAccountTokenSecretsRead(this.handler.role, props.namePrefix);
    this.tokenSecret.grantRead(this.handler.role);

    const integration = new HttpLambdaIntegration('TemplatesIntegration', this.handler.function, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    const authorizer = new HttpIamAuthorizer();
    this.routes = Object.values(TEMPLATES_API_ROUTES).flatMap((route) =>
      props.api.addRoutes({
        path: route.path,
        methods: [route.method === 'GET' ? apigwv2.HttpMethod.GET : apigwv2.HttpMethod.POST],
        integration,
        authorizer,
      }),
    );

    this.events = new EventConsumer(this, 'Events', {
      name: 'TemplateEvents',
      queueSlug: 'template-events',
      namePrefix: props.namePrefix,
      stage: props.stage,
      bus: props.bus,
      sources: [EVENT_SOURCE.normalizer],
      detailTypes: [DETAIL_TYPE.notificationReceived],
      handler: 'template-events',
      description: 'Keeps stored WhatsApp templates current from Meta\'s status, category and quality webhooks',
      serviceName: 'template-events',
      memorySize: 256,
      timeout: Duration.seconds(15),
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      environment: { [ENV.tableName]: tableName },
      logRemovalPolicy: props.removalPolicy,
    });
    // Only the template topics reach the queue; other notifications never wake the consumer.
    this.events.rule.addEventPattern({ detail: { topic: [...TEMPLATE_TOPIC_LIST] } });
    props.storage.grantItemActions(this.events.handler.role, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  }
}
