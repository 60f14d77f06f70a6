import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { setLogicalId } from '#lib/logical-id';
import type { OperatorIdentity } from '#lib/constructs/operator-identity';

/** The console's files sit under this prefix, so the same build serves `/console/` locally and in AWS. */
export const CONSOLE_KEY_PREFIX = 'console/';
/** What the console asks Cognito for (the same list the local cloud's config.json names). */
export const CONSOLE_OAUTH_SCOPES = ['openid', 'email', 'profile', 'omnichannel/agent', 'omnichannel/templates', 'omnichannel/onboarding', 'omnichannel/admin'];

export interface AgentConsoleProps {
  readonly namePrefix: string;
  readonly removalPolicy: RemovalPolicy;
  /** Base URL of the operator HTTP API the console calls (the API's CloudFront URL when it has one). */
  readonly apiUrl: string;
  /** The WebSocket API of live updates, and the URL (with stage) the console connects to. */
  readonly webSocketApi: apigwv2.IWebSocketApi;
  readonly webSocketUrl: string;
  readonly identity: OperatorIdentity;
  /** Customers' attachments, shown in the console through short-lived signed URLs. */
  readonly mediaBucket?: s3.IBucket;
  /** The built console (`console/dist`); without it the hosting is created and nothing is deployed. */
  readonly assetsDir?: string;
  /** A CloudFront web ACL (the API's) to put in front of the console too. */
  readonly webAclArn?: string;
}

/**
 * The agent console in AWS: a private S3 bucket read only by CloudFront (origin access control),
 * HTTPS only, security headers on every response (HSTS, a content security policy naming only the
 * API, the WebSocket API, the sign-in domain and the media bucket, no framing, no sniffing), the
 * single-page app's fallback to index.html, and the build deployed with a `config.json` naming
 * where the API and the Cognito hosted sign-in are. The console's app client may send people back
 * to the CloudFront URL.
 */
export class AgentConsole extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** `https://<distribution>/console/`: the console's URL and its OAuth redirect URI. */
  readonly url: string;
  readonly deployed: boolean;

  constructor(scope: Construct, id: string, props: AgentConsoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const ephemeral = props.removalPolicy === RemovalPolicy.DESTROY;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      removalPolicy: props.removalPolicy,
    });
    setLogicalId(this.bucket, 'AgentConsoleBucket');
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'The bucket holds the public build of the console and is read only by CloudFront; deployments are in CloudTrail, so an access-log bucket would have no reader.',
    });

    const signInOrigin = props.identity.domain.baseUrl();
    const mediaOrigin = props.mediaBucket ? `https://${props.mediaBucket.bucketRegionalDomainName}` : undefined;
    const media = ['data:', 'blob:', ...(mediaOrigin ? [mediaOrigin] : [])].join(' ');
    const csp = [
      "default-src 'self'",
      `connect-src 'self' ${originOf(props.apiUrl)} ${props.webSocketApi.apiEndpoint} ${signInOrigin}`,
      `img-src 'self' ${media}`,
      `media-src 'self' ${media}`,
      "style-src 'self' 'unsafe-inline'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      `form-action 'self' ${signInOrigin}`,
      "frame-ancestors 'none'",
      'upgrade-insecure-requests',
    ].join('; ');
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `${props.namePrefix} agent console security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
    });
    setLogicalId(this.responseHeadersPolicy, 'AgentConsoleSecurityHeaders');

    const index = `/${CONSOLE_KEY_PREFIX}index.html`;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.namePrefix} agent console`,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultRootObject: `${CONSOLE_KEY_PREFIX}index.html`,
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
      },
      // The app routes in the browser: a path with no file is the app's own, served by index.html.
      errorResponses: [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 200, responsePagePath: index, ttl: Duration.seconds(0) })),
    });
    setLogicalId(this.distribution, 'AgentConsoleDistribution');
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-CFR1',
        reason: 'Agents work from wherever the business has them; the console is static files and every request for data goes through the authorised API.',
      },
      ...(props.webAclArn
        ? []
        : [
            {
              id: 'AwsSolutions::AwsSolutions-CFR2',
              reason: 'Static files only: no data is served without a token, which the API checks; stages with API edge protection share its web ACL here.',
            },
          ]),
      {
        id: 'AwsSolutions::AwsSolutions-CFR3',
        reason: 'The distribution serves the same static files to everyone; the actions people take are in the API access log and the audit trail.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR4',
        reason:
          "Without a custom domain the distribution serves *.cloudfront.net with CloudFront's default certificate, whose viewer TLS policy cannot be raised; a custom domain with TLSv1.2_2021 is the documented next step (docs/console.md).",
      },
    );
    this.url = `https://${this.distribution.distributionDomainName}/${CONSOLE_KEY_PREFIX}`;

    // The console's app client may send people back here after signing in and out.
    const client = props.identity.consoleClient.node.defaultChild as cognito.CfnUserPoolClient;
    client.callbackUrLs = [...asList(client.callbackUrLs), this.url];
    client.logoutUrLs = [...asList(client.logoutUrLs), this.url];

    this.deployed = props.assetsDir !== undefined;
    if (props.assetsDir) {
      const config = {
        apiUrl: props.apiUrl,
        webSocketUrl: props.webSocketUrl,
        auth: {
          authorizeUrl: `${signInOrigin}/oauth2/authorize`,
          tokenUrl: `${signInOrigin}/oauth2/token`,
          logoutUrl: `${signInOrigin}/logout`,
          clientId: props.identity.consoleClient.userPoolClientId,
          redirectUri: this.url,
          scopes: CONSOLE_OAUTH_SCOPES,
        },
        localSignIn: false,
      };
      const common = {
        destinationBucket: this.bucket,
        destinationKeyPrefix: CONSOLE_KEY_PREFIX,
        // Files of earlier builds stay: a page loaded before a deployment still finds its assets.
        prune: false,
        retainOnDelete: !ephemeral,
        memoryLimit: 512,
      };
      // Built assets are named by their content hash and never change; everything else is revalidated.
      new s3deploy.BucketDeployment(this, 'DeployAssets', {
        ...common,
        sources: [s3deploy.Source.asset(props.assetsDir, { exclude: ['*', '!assets', '!assets/**'] })],
        cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
      });
      new s3deploy.BucketDeployment(this, 'DeployPages', {
        ...common,
        sources: [s3deploy.Source.asset(props.assetsDir, { exclude: ['assets', 'assets/**'] }), s3deploy.Source.jsonData('config.json', config)],
        cacheControl: [s3deploy.CacheControl.fromString('no-cache')],
        distribution: this.distribution,
        distributionPaths: [`/${CONSOLE_KEY_PREFIX}*`, '/'],
      });
      acknowledgeDeploymentFunction(stack);
    }
  }
}

function asList(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : [];
}

/** `https://host` of a URL that may hold tokens (`https://${apiId}.execute-api…`): everything before the first path slash. */
function originOf(url: string): string {
  const match = /^(https?:\/\/[^/]+)/.exec(url);
  return match ? match[1]! : url;
}

/** The findings of CDK's own deployment function (one per stack), which this stack does not write. */
function acknowledgeDeploymentFunction(stack: Stack): void {
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    Validations.of(child).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's deployment function writes its own logs only; the managed policy is that and nothing else.",
      },
      { id: 'AwsSolutions::AwsSolutions-L1', reason: "CDK's deployment function; its runtime is chosen and updated by aws-cdk-lib." },
      ...['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*'].map((finding) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`,
        reason:
          "CDK's deployment function copies the build from the CDK assets bucket into the console bucket and nothing else; these are aws-cdk-lib's own grants on those two buckets.",
      })),
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        reason: 'Reads the uploaded build from the CDK bootstrap assets bucket, whose object keys are content hashes unknown before synthesis.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<AgentConsoleBucket.Arn>/*]',
        reason: "Writes the build into the console bucket, whose object keys are the build's own file names; this bucket only.",
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'CloudFront invalidations after a deployment: cloudfront:CreateInvalidation and GetInvalidation take no resource narrower than * in the grant aws-cdk-lib writes.',
      },
    );
  }
}
