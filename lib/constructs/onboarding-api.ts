import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ACCOUNT_TOKENS_SECRET_PATH } from '#lambdas/accounts/channel-account';
import { OPERATOR_SCOPES } from '#lambdas/identity/operator-scopes';
import { ONBOARDING_ENV, ONBOARDING_ROUTES } from '#lambdas/onboarding/onboarding-contract';
import { ENV } from '#lambdas/shared/event-contract';
import { accountTokenSecretsArnPattern } from '#lib/constructs/account-token-secrets';
import type { OperatorIdentity } from '#lib/constructs/operator-identity';
import { addOperatorRoutes } from '#lib/constructs/operator-routes';
import type { Stage } from '#lib/stage';
import type { Storage } from '#lib/constructs/storage';
import { SupportFunction } from '#lib/constructs/support-function';

export interface OnboardingApiProps {
  readonly stage: Stage;
  /** The stack name: token secrets are created as `<namePrefix>/account-tokens/<owner id>`. */
  readonly namePrefix: string;
  readonly api: apigwv2.HttpApi;
  readonly storage: Storage;
  /** `{ appSecret, appId, verifyToken }`: the code exchange needs the app id and secret. */
  readonly metaAppSecret: secretsmanager.ISecret;
  readonly metaAppSecretName: string;
  /** The audit trail's events go here. */
  readonly bus: events.IEventBus;
  readonly identity: OperatorIdentity;
  readonly graphApiBaseUrl: string;
  readonly graphApiVersion: string;
  readonly removalPolicy: RemovalPolicy;
}

/** Actions on the per-business token secrets: create them, store new versions, read them back. */
export const ACCOUNT_TOKEN_WRITE_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
] as const;

/**
 * The onboarding API on the pipeline's HTTP API: routes behind the operators' JWT authoriser (scope
 * `omnichannel/onboarding`) that finish a business's
 * Embedded Signup (WhatsApp) or Facebook Login for Business (Instagram) server to server. Its
 * function is the only one that may create or change the per-business token secrets.
 */
export class OnboardingApi extends Construct {
  readonly handler: SupportFunction;
  readonly routes: apigwv2.HttpRoute[];

  constructor(scope: Construct, id: string, props: OnboardingApiProps) {
    super(scope, id);

    this.handler = new SupportFunction(this, 'Handler', {
      logicalId: 'OnboardingApiFunction',
      handler: 'onboarding-api',
      description: 'Onboards business accounts: code exchange, token secret, webhook subscription, registration, health check, registry',
      serviceName: 'onboarding-api',
      stage: props.stage,
      memorySize: 256,
      // A run makes up to ten Graph calls; API Gateway waits at most 30 seconds.
      timeout: Duration.seconds(29),
      environment: {
        [ENV.tableName]: props.storage.table.tableName,
        [ENV.metaAppSecretId]: props.metaAppSecretName,
        [ENV.graphApiBaseUrl]: props.graphApiBaseUrl,
        [ENV.graphApiVersion]: props.graphApiVersion,
        [ONBOARDING_ENV.secretNamePrefix]: props.namePrefix,
        [ENV.eventBusName]: props.bus.eventBusName,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    props.storage.grantItemActions(this.handler.role, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    props.metaAppSecret.grantRead(this.handler.role);
    props.bus.grantPutEventsTo(this.handler.role);
    this.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ManagePerBusinessAccessTokens',
        actions: [...ACCOUNT_TOKEN_WRITE_ACTIONS],
        resources: [accountTokenSecretsArnPattern(Stack.of(this), props.namePrefix)],
      }),
    );
    Validations.of(this.handler.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${props.namePrefix}/${ACCOUNT_TOKENS_SECRET_PATH}/*]`,
      reason:
        "Onboarding creates one token secret per business after deployment, so their names are not known in advance; the grant is limited to this stack's <stack>/account-tokens/ name prefix and to create, put, describe and read.",
    });

    this.routes = addOperatorRoutes(this, {
      api: props.api,
      identity: props.identity,
      scope: OPERATOR_SCOPES.onboarding,
      routes: Object.values(ONBOARDING_ROUTES),
      handler: this.handler,
    });
  }
}
