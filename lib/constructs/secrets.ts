import { type RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { setLogicalId } from '#lib/logical-id';

export interface SecretsProps {
  /** Prefix of the secret names, e.g. `Omnichannel-dev`. */
  readonly namePrefix: string;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The pipeline's secrets, created empty (or with a generated verify token) so the stack can deploy
 * before anyone has a Meta app; the platform team pastes the real values afterwards.
 * Each is granted only to the function that reads it.
 */
export class Secrets extends Construct {
  /** `{ "appSecret": "", "appId": "", "verifyToken": "<generated>" }`: read by the webhook and onboarding only. */
  readonly metaAppSecret: secretsmanager.Secret;
  /** `{ "<accountId>": "<access token>" }`: read by the outbound sender only. */
  readonly metaAccessTokens: secretsmanager.Secret;
  /** `{ "apiKey": "" }`: read by the agent only. */
  readonly anthropicApiKey: secretsmanager.Secret;
  /**
   * The secrets' names as plain strings. `Secret.secretName` is a token parsed out of the ARN;
   * Lambdas and the local cloud are better served by the literal name they can look up directly.
   */
  readonly names: { readonly metaAppSecret: string; readonly metaAccessTokens: string; readonly anthropicApiKey: string };

  constructor(scope: Construct, id: string, props: SecretsProps) {
    super(scope, id);
    this.names = {
      metaAppSecret: `${props.namePrefix}/meta-app-secret`,
      metaAccessTokens: `${props.namePrefix}/meta-access-tokens`,
      anthropicApiKey: `${props.namePrefix}/anthropic-api-key`,
    };

    this.metaAppSecret = new secretsmanager.Secret(this, 'MetaAppSecret', {
      secretName: this.names.metaAppSecret,
      description: 'Meta app secret (verifies X-Hub-Signature-256) and the webhook verify token',
      generateSecretString: {
        // appId: the code exchange of onboarding (Embedded Signup) sends it with the app secret.
        secretStringTemplate: JSON.stringify({ appSecret: '', appId: '' }),
        generateStringKey: 'verifyToken',
        // Meta echoes the token in a query string; letters and digits need no escaping.
        excludePunctuation: true,
        passwordLength: 48,
      },
      removalPolicy: props.removalPolicy,
    });
    setLogicalId(this.metaAppSecret, 'MetaAppSecret');

    this.metaAccessTokens = new secretsmanager.Secret(this, 'MetaAccessTokens', {
      secretName: this.names.metaAccessTokens,
      description: 'Graph API access tokens by channel account id (phone number id, Instagram id, Page id)',
      secretObjectValue: {},
      removalPolicy: props.removalPolicy,
    });
    setLogicalId(this.metaAccessTokens, 'MetaAccessTokens');

    this.anthropicApiKey = new secretsmanager.Secret(this, 'AnthropicApiKey', {
      secretName: this.names.anthropicApiKey,
      description: 'Anthropic API key for the agent; empty means the agent answers from flows and FAQ only',
      // Empty is not a secret; the template only fixes the shape the agent reads.
      secretObjectValue: { apiKey: SecretValue.unsafePlainText('') },
      removalPolicy: props.removalPolicy,
    });
    setLogicalId(this.anthropicApiKey, 'AnthropicApiKey');

    Validations.of(this.metaAppSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason: 'The app secret is issued by Meta and can only be rotated in the Meta app dashboard; an operator pastes the new value.',
    });
    Validations.of(this.metaAccessTokens).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason: 'Access tokens are issued by Meta (system user tokens) and are renewed in Meta Business Manager, not by a rotation Lambda.',
    });
    Validations.of(this.anthropicApiKey).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason: 'The API key is issued in the Anthropic console and rotated there by an operator; Secrets Manager cannot mint a new one.',
    });
  }
}
