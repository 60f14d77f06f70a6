import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { businessToolsSecretPrefix } from '#lambdas/agent/assistant/business-tools-config';

/**
 * ARN pattern of the per-business tools secrets (`<stack name>/business-tools/<businessId>`,
 * lambdas/agent/README.md). Secrets Manager appends six random characters to every secret's ARN,
 * so a name prefix needs the trailing wildcard.
 */
export function businessToolsSecretsArnPattern(stack: Stack, stackName: string): string {
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${businessToolsSecretPrefix(stackName)}/*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Lets `role` read (only read) the per-business tools secrets of this stack, and nothing else. */
export function grantBusinessToolsSecretsRead(role: iam.Role, stackName: string): void {
  const stack = Stack.of(role);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadPerBusinessToolSettings',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [businessToolsSecretsArnPattern(stack, stackName)],
    }),
  );
  Validations.of(role).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${businessToolsSecretPrefix(stackName)}/*]`,
    reason:
      'Each business keeps its own order API settings in a secret created after deployment under <stack>/business-tools/; the grant is GetSecretValue on that name prefix only, never on other secrets.',
  });
}
