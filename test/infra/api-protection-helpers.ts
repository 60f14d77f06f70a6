import { App, RemovalPolicy, Stack, Duration, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type ApiProtectionSettings, EdgeProtection } from '#lib/constructs/api-protection';
import { Ingress, WEBHOOK_PATH } from '#lib/constructs/ingress';

export interface ProtectedApi {
  readonly app: App;
  readonly stack: Stack;
  readonly ingress: Ingress;
  readonly edge?: EdgeProtection;
  template(): Template;
}

/**
 * The ingress and its edge protection alone in a stack, without the rest of the pipeline: the
 * throttles, concurrency and web ACL are checked here whatever the other constructs are doing.
 */
export function buildProtectedApi(options: { settings?: ApiProtectionSettings; edge?: boolean; region?: string; nag?: boolean } = {}): ProtectedApi {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ApiProtectionTest', options.region ? { env: { region: options.region } } : {});
  const settings = options.settings ?? {};
  const ingress = new Ingress(stack, 'Ingress', {
    stage: 'test',
    namePrefix: 'Omnichannel-test',
    metaAppSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'AppSecret', 'Omnichannel-test/meta-app'),
    metaAppSecretName: 'Omnichannel-test/meta-app',
    queueVisibilityTimeout: Duration.minutes(6),
    removalPolicy: RemovalPolicy.DESTROY,
    webhookThrottle: settings.webhookThrottle,
    operatorThrottle: settings.operatorThrottle,
    webhookReservedConcurrency: settings.webhookReservedConcurrency,
  });
  const edge = options.edge
    ? new EdgeProtection(stack, 'EdgeProtection', {
        api: ingress.api,
        webhookPath: WEBHOOK_PATH,
        namePrefix: 'Omnichannel-test',
        webAclArn: settings.webAclArn,
        webhookRequestsPerIp: settings.webhookRequestsPerIp,
        operatorRequestsPerIp: settings.operatorRequestsPerIp,
      })
    : undefined;
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack, ingress, ...(edge ? { edge } : {}), template: () => Template.fromStack(stack) };
}
