import { Aws, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { OPERATOR_ROLES, type OperatorRole } from '#lambdas/identity/operator-identity';
import { fullScope, OPERATOR_RESOURCE_SERVER, OPERATOR_SCOPES, type OperatorScope } from '#lambdas/identity/operator-scopes';
import { MACHINE_CLIENTS_ENV, type MachineClientGrant } from '#lambdas/identity/token-claims';
import { setLogicalId } from '#lib/logical-id';
import type { Stage } from '#lib/stage';
import { SupportFunction } from '#lib/constructs/support-function';

/** A business's own backend calling the operator APIs with the client-credentials grant. */
export interface MachineClient {
  /** Short name, unique in the stack: letters, digits and `-` (the app client is named after it). */
  readonly name: string;
  readonly businessId: string;
  readonly roles: readonly OperatorRole[];
  /** Scopes the client may ask for; usually `templates`. */
  readonly scopes: readonly OperatorScope[];
}

/** People signing in through a company identity provider instead of a Cognito password. */
export type FederatedSignIn =
  | {
      readonly type: 'oidc';
      readonly name: string;
      readonly issuerUrl: string;
      readonly clientId: string;
      readonly clientSecret: string;
      readonly businessIdClaim?: string;
    }
  | { readonly type: 'saml'; readonly name: string; readonly metadataUrl: string; readonly businessIdAttribute?: string };

export interface OperatorIdentityProps {
  readonly stage: Stage;
  readonly namePrefix: string;
  readonly api: apigwv2.HttpApi;
  readonly removalPolicy: RemovalPolicy;
  /** Where Cognito's hosted sign-in may send people back to (the console's URL). */
  readonly consoleCallbackUrls?: readonly string[];
  readonly machineClients?: readonly MachineClient[];
  readonly federatedSignIn?: FederatedSignIn;
  /** Prefix of the hosted sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`); globally unique. */
  readonly domainPrefix?: string;
}

export const BUSINESS_ID_ATTRIBUTE = 'business_id';

/**
 * Who operates the deployment: an Amazon Cognito user pool for people (agents, supervisors, admins
 * of one business; the platform team) and app clients for businesses' own backends, a resource
 * server with one scope per operator API, and the HTTP API's JWT authoriser every operator route
 * uses. A pre token generation trigger writes the business and roles into every access token
 * (`business_id`, `roles`); admin and platform roles are granted only to people with TOTP set up.
 */
export class OperatorIdentity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly consoleClient: cognito.UserPoolClient;
  readonly machineClients: cognito.UserPoolClient[] = [];
  readonly authorizer: apigwv2.HttpAuthorizer;
  readonly tokenClaims: SupportFunction;
  readonly issuer: string;
  readonly domain: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: OperatorIdentityProps) {
    super(scope, id);
    const ephemeral = props.removalPolicy === RemovalPolicy.DESTROY;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${props.namePrefix}-operators`,
      // People are invited by a business admin or the platform team; nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      autoVerify: { email: true },
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      customAttributes: { [BUSINESS_ID_ATTRIBUTE]: new cognito.StringAttribute({ minLen: 1, maxLen: 100, mutable: true }) },
      deletionProtection: !ephemeral,
      removalPolicy: props.removalPolicy,
    });
    setLogicalId(this.userPool, 'OperatorUserPool');
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG3',
      reason:
        'Threat protection (advanced security) needs the Plus feature plan; the pool is on Essentials. TOTP is required for admin and platform roles by the token trigger.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG8',
      reason: 'Essentials covers what operators need (TOTP, access token customisation); Plus is a cost a platform team may choose, not a requirement.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG2',
      reason: 'MFA is optional for agents by design; admin and platform roles are only written into tokens of people with TOTP set up.',
    });

    for (const role of OPERATOR_ROLES) {
      const group = new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: ROLE_DESCRIPTIONS[role],
      });
      setLogicalId(group, `Operator${role[0]!.toUpperCase()}${role.slice(1)}Group`);
    }

    const resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: OPERATOR_RESOURCE_SERVER,
      scopes: Object.values(OPERATOR_SCOPES).map((s) => new cognito.ResourceServerScope({ scopeName: s, scopeDescription: SCOPE_DESCRIPTIONS[s] })),
    });
    setLogicalId(resourceServer, 'OperatorResourceServer');
    const oauthScope = (s: OperatorScope) =>
      cognito.OAuthScope.resourceServer(resourceServer, new cognito.ResourceServerScope({ scopeName: s, scopeDescription: SCOPE_DESCRIPTIONS[s] }));

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? Fn.join('-', ['omnichannel', props.stage, Aws.ACCOUNT_ID]) },
    });
    setLogicalId(this.domain, 'OperatorSignInDomain');

    const identityProviders: cognito.UserPoolClientIdentityProvider[] = [cognito.UserPoolClientIdentityProvider.COGNITO];
    const federated = props.federatedSignIn ? this.addFederatedSignIn(props.federatedSignIn) : undefined;
    if (federated) identityProviders.push(cognito.UserPoolClientIdentityProvider.custom(federated.providerName));

    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: `${props.namePrefix}-console`,
      // A browser app: no secret, authorisation code with PKCE through the hosted sign-in.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE, ...Object.values(OPERATOR_SCOPES).map(oauthScope)],
        callbackUrls: [...(props.consoleCallbackUrls ?? ['http://localhost:3000/console/'])],
        logoutUrls: [...(props.consoleCallbackUrls ?? ['http://localhost:3000/console/'])],
      },
      supportedIdentityProviders: identityProviders,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    setLogicalId(this.consoleClient, 'OperatorConsoleClient');
    if (federated) this.consoleClient.node.addDependency(federated);

    const grants: Record<string, MachineClientGrant> = {};
    for (const client of props.machineClients ?? []) {
      if (!/^[A-Za-z0-9-]{1,40}$/.test(client.name)) throw new Error(`Machine client name ${client.name}: letters, digits and - only`);
      const clientName = `${props.namePrefix}-m2m-${client.name}`;
      const appClient = this.userPool.addClient(`Machine-${client.name}`, {
        userPoolClientName: clientName,
        generateSecret: true,
        oAuth: { flows: { clientCredentials: true }, scopes: client.scopes.map(oauthScope) },
        accessTokenValidity: Duration.hours(1),
      });
      appClient.node.addDependency(resourceServer);
      this.machineClients.push(appClient);
      grants[clientName] = { businessId: client.businessId, roles: [...client.roles] };
    }

    this.tokenClaims = new SupportFunction(this, 'TokenClaims', {
      logicalId: 'OperatorTokenClaimsFunction',
      handler: 'operator-token-claims',
      description: "Cognito pre token generation: writes the business and roles into operators' access tokens",
      serviceName: 'operator-token-claims',
      stage: props.stage,
      memorySize: 256,
      // Cognito waits five seconds for a trigger.
      timeout: Duration.seconds(5),
      environment: { [MACHINE_CLIENTS_ENV]: JSON.stringify(grants) },
      logRemovalPolicy: props.removalPolicy,
    });
    this.userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, this.tokenClaims.function, cognito.LambdaVersion.V3_0);
    // The pool names the trigger, so the trigger cannot name the pool's ARN without a cycle: it may
    // read users' MFA settings and app clients' names of this account's pools in this region.
    this.tokenClaims.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cognito-idp:AdminGetUser', 'cognito-idp:DescribeUserPoolClient'],
        resources: [Stack.of(this).formatArn({ service: 'cognito-idp', resource: 'userpool', resourceName: '*' })],
      }),
    );
    Validations.of(this.tokenClaims.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-idp:<AWS::Region>:<AWS::AccountId>:userpool/*]',
      reason: 'Read-only user and app-client look-ups; the pool ARN cannot be named without a dependency cycle (the pool names the trigger).',
    });

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.authorizer = new apigwv2.HttpAuthorizer(this, 'JwtAuthorizer', {
      httpApi: props.api,
      authorizerName: 'operators',
      type: apigwv2.HttpAuthorizerType.JWT,
      identitySource: ['$request.header.Authorization'],
      jwtIssuer: this.issuer,
      jwtAudience: [this.consoleClient.userPoolClientId, ...this.machineClients.map((c) => c.userPoolClientId)],
    });
    setLogicalId(this.authorizer, 'OperatorJwtAuthorizer');
  }

  /** The route authoriser of an operator route that needs `scope`. */
  routeAuthorizer(scope: OperatorScope): apigwv2.IHttpRouteAuthorizer {
    const authorizerId = this.authorizer.authorizerId;
    return {
      bind: () => ({ authorizationType: 'JWT', authorizerId, authorizationScopes: [fullScope(scope)] }),
    };
  }

  get hostedSignInUrl(): string {
    return this.domain.baseUrl();
  }

  private addFederatedSignIn(sso: FederatedSignIn): cognito.UserPoolIdentityProviderOidc | cognito.UserPoolIdentityProviderSaml {
    const businessAttribute = `custom:${BUSINESS_ID_ATTRIBUTE}`;
    if (sso.type === 'oidc') {
      return new cognito.UserPoolIdentityProviderOidc(this, 'Sso', {
        userPool: this.userPool,
        name: sso.name,
        issuerUrl: sso.issuerUrl,
        clientId: sso.clientId,
        clientSecret: sso.clientSecret,
        scopes: ['openid', 'email', 'profile'],
        attributeMapping: {
          email: cognito.ProviderAttribute.other('email'),
          custom: { [businessAttribute]: cognito.ProviderAttribute.other(sso.businessIdClaim ?? BUSINESS_ID_ATTRIBUTE) },
        },
      });
    }
    return new cognito.UserPoolIdentityProviderSaml(this, 'Sso', {
      userPool: this.userPool,
      name: sso.name,
      metadata: cognito.UserPoolIdentityProviderSamlMetadata.url(sso.metadataUrl),
      attributeMapping: {
        custom: { [businessAttribute]: cognito.ProviderAttribute.other(sso.businessIdAttribute ?? BUSINESS_ID_ATTRIBUTE) },
      },
    });
  }
}

const ROLE_DESCRIPTIONS: Record<OperatorRole, string> = {
  agent: 'Answers handed-off conversations of their business',
  supervisor: 'Agent, and oversees the queues and agents of their business',
  admin: "Supervisor, and manages their business's settings (TOTP required)",
  platform: "The deployment's operators: onboarding, registry, cross-business support (TOTP required)",
};

const SCOPE_DESCRIPTIONS: Record<OperatorScope, string> = {
  agent: 'Conversations: list, read, reply, hand back, close',
  templates: 'WhatsApp templates: list, sync, send',
  onboarding: 'Onboarding of channel accounts',
  admin: 'Business settings and audit trail',
};
