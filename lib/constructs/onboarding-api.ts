import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ACCOUNT_TOKENS_SECRET_PATH } from '#lambdas/accounts/channel-account';
import { HUMAN_AGENT_TOKEN_SECRET_ENV } from '#lambdas/human-agent/human-agent-contract';
import { ONBOARDING_ENV, ONBOARDING_ROUTES } from '#lambdas/onboarding/onboarding-contract';
import { ENV } from '#lambdas/shared/event-contract';
import { accountTokenSecretsArnPattern } from '#lib/constructs/account-token-secrets';
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
  /** The operators' bearer token for callers without IAM (the local cloud), shared with the human-agent API. */
  readonly operatorTokenSecret: secretsmanager.ISecret;
  readonly operatorTokenSecretName: string;
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
 * The onboarding API on the pipeline's HTTP API: IAM-authorised routes that finish a business's
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
        [HUMAN_AGENT_TOKEN_SECRET_ENV]: props.operatorTokenSecretName,
      },
      logRemovalPolicy: props.removalPolicy,
    });
    props.storage.grantItemActions(this.handler.role, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    props.metaAppSecret.grantRead(this.handler.role);
    props.operatorTokenSecret.grantRead(this.handler.role);
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
        'Onboarding creates one token secret per business after deployment, so their names are not known in advance; the grant is limited to this stack\'s <stack>/account-tokens/ name prefix and to create, put, describe and read.',
    });

    const integration = new HttpLambdaIntegration('OnboardingIntegration', this.handler.function, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    const authorizer = new HttpIamAuthorizer();
    this.routes = Object.values(ONBOARDING_ROUTES).flatMap((route) =>
      props.api.addRoutes({
        path: route.path,
        methods: [route.method === 'GET' ? apigwv2.HttpMethod.GET : apigwv2.HttpMethod.POST],
        integration,
        authorizer,
      }),
    );
  }
}
