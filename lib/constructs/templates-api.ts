import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';
import { DETAIL_TYPE, ENV, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { TEMPLATE_TOPIC_LIST } from '#lambdas/templates/apply-template-notification';
import { TEMPLATES_API_ROUTES } from '#lambdas/templates/templates-api-contract';
import type { Stage } from '#lib/stage';
import { grantAccountTokenSecretsRead } from '#lib/constructs/account-token-secrets';
import { EventConsumer } from '#lib/constructs/event-consumer';
import type { OperatorIdentity } from '#lib/constructs/operator-identity';
import { addOperatorRoutes } from '#lib/constructs/operator-routes';
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
  readonly identity: OperatorIdentity;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * WhatsApp templates: an API behind the operators' JWT authoriser (scope `omnichannel/templates`) on the pipeline's HTTP API (send an approved template
 * to a customer, sync or list a WABA's templates) and a consumer of the template webhooks that
 * keeps the stored templates' status, category and quality current.
 */
export class TemplatesApi extends Construct {
  readonly handler: SupportFunction;
  readonly events: EventConsumer;
  readonly routes: apigwv2.HttpRoute[];

  constructor(scope: Construct, id: string, props: TemplatesApiProps) {
    super(scope, id);
    const tableName = props.storage.table.tableName;

    this.handler = new SupportFunction(this, 'Handler', {
      logicalId: 'TemplatesApiFunction',
      handler: 'templates-api',
      description: "WhatsApp templates: send an approved template to a customer, sync and list a WABA's templates",
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
      },
      logRemovalPolicy: props.removalPolicy,
    });
    // Reads registry, templates, conversation and consent; writes templates, sync state and the message.
    props.storage.grantItemActions(this.handler.role, [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    props.bus.grantPutEventsTo(this.handler.role);
    props.accessTokens.grantRead(this.handler.role);
    // The sync reads a WABA's templates with its business's own token secret.
    grantAccountTokenSecretsRead(this.handler.role, props.namePrefix);

    this.routes = addOperatorRoutes(this, {
      api: props.api,
      identity: props.identity,
      scope: OPERATOR_SCOPES.templates,
      routes: Object.values(TEMPLATES_API_ROUTES),
      handler: this.handler,
    });

    this.events = new EventConsumer(this, 'Events', {
      name: 'TemplateEvents',
      queueSlug: 'template-events',
      namePrefix: props.namePrefix,
      stage: props.stage,
      bus: props.bus,
      sources: [EVENT_SOURCE.normalizer],
      detailTypes: [DETAIL_TYPE.notificationReceived],
      handler: 'template-events',
      description: "Keeps stored WhatsApp templates current from Meta's status, category and quality webhooks",
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
