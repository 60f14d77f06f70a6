import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ACCOUNT_TOKENS_SECRET_PATH } from '#lambdas/accounts/channel-account';

/**
 * ARN pattern of the per-business access-token secrets onboarding creates
 * (`<stack name>/account-tokens/<WABA, Instagram or Page id>`). Secrets Manager appends six random
 * characters to every secret's ARN, so a name prefix needs the trailing wildcard.
 */
export function accountTokenSecretsArnPattern(stack: Stack, secretNamePrefix: string): string {
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretNamePrefix}/${ACCOUNT_TOKENS_SECRET_PATH}/*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** Lets `role` read (only read) the per-business token secrets of this stack, and nothing else. */
export function grantAccountTokenSecretsRead(role: iam.Role, secretNamePrefix: string): void {
  const stack = Stack.of(role);
  const pattern = accountTokenSecretsArnPattern(stack, secretNamePrefix);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadPerBusinessAccessTokens',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [pattern],
    }),
  );
  Validations.of(role).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagResource(secretNamePrefix)}]`,
    reason:
      'Each business onboarded gets its own token secret, created after deployment under <stack>/account-tokens/; the grant is GetSecretValue on that name prefix only, never on other secrets.',
  });
}

/** How cdk-nag prints the pattern (pseudo parameters in angle brackets). */
function nagResource(secretNamePrefix: string): string {
  return `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${secretNamePrefix}/${ACCOUNT_TOKENS_SECRET_PATH}/*`;
}
