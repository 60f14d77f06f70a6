import { Stack, Token, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { setLogicalId } from '#lib/logical-id';

/** Steady requests per second and the burst above it (API Gateway's token bucket). */
export interface ThrottleLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * Meta's webhook deliveries (`GET /webhook`, `POST /webhook`). Sized from Meta's delivery pattern:
 * about three status webhooks (sent, delivered, read) per business message plus one per customer
 * message, so 80 messages a second each way on one WhatsApp number (Cloud API's default pair rate)
 * is about 320 deliveries a second. 500 leaves room for a second busy number and for Meta's
 * catch-up after an outage; the burst absorbs a retry wave. See docs/api-protection.md.
 */
export const DEFAULT_WEBHOOK_THROTTLE: ThrottleLimits = { rateLimit: 500, burstLimit: 1000 };

/**
 * Every other route: the operators' APIs (`/agent/*`, `/templates*`, `/onboarding/*`, `/admin/*`),
 * called by people through a console and by a few integrations, never at webhook volume.
 */
export const DEFAULT_OPERATOR_THROTTLE: ThrottleLimits = { rateLimit: 50, burstLimit: 100 };

/**
 * Webhook executions that may run at once. At 500 deliveries a second a 100 ms invocation needs 50
 * (concurrency = rate × duration); the cap also keeps a flood from taking the account's pool from
 * the consumers behind the queue.
 */
export const DEFAULT_WEBHOOK_RESERVED_CONCURRENCY = 50;

/** Requests one IP may make in five minutes (AWS WAF's rate window) before it is blocked. */
export const DEFAULT_WEBHOOK_REQUESTS_PER_IP = 30_000;
export const DEFAULT_OPERATOR_REQUESTS_PER_IP = 3_000;

/** API Gateway's default account-level limits per region, shared by every API of the account. */
export const ACCOUNT_THROTTLE_LIMITS: ThrottleLimits = { rateLimit: 10_000, burstLimit: 5_000 };

/** How the public API is shielded; every field has a default. */
export interface ApiProtectionSettings {
  /** Per-route limit of `GET /webhook` and `POST /webhook` (default 500 rps, burst 1,000). */
  readonly webhookThrottle?: ThrottleLimits;
  /** Stage default, so every operator route added later (default 50 rps, burst 100). */
  readonly operatorThrottle?: ThrottleLimits;
  /** Reserved concurrency of the webhook function (default 50). */
  readonly webhookReservedConcurrency?: number;
  /**
   * Put a CloudFront distribution with an AWS WAF web ACL in front of the HTTP API (WAF cannot be
   * associated with an HTTP API stage). Default: on for every stage but the ephemeral dev and test.
   */
  readonly edge?: boolean;
  /**
   * ARN of an existing web ACL of CLOUDFRONT scope (those live in us-east-1). Without it the stack
   * creates one, which only deploys when the stack itself is in us-east-1.
   */
  readonly webAclArn?: string;
  /** Per-IP limit on `/webhook` in five minutes, in the created web ACL (default 30,000). */
  readonly webhookRequestsPerIp?: number;
  /** Per-IP limit on every other path in five minutes, in the created web ACL (default 3,000). */
  readonly operatorRequestsPerIp?: number;
}

export class InvalidApiProtectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidApiProtectionError';
  }
}

/** Rejects limits API Gateway would refuse, or that exceed what the account grants all APIs together. */
export function checkThrottle(name: string, limits: ThrottleLimits): ThrottleLimits {
  const { rateLimit, burstLimit } = limits;
  if (!Number.isFinite(rateLimit) || rateLimit <= 0 || rateLimit > ACCOUNT_THROTTLE_LIMITS.rateLimit) {
    throw new InvalidApiProtectionError(
      `${name}.rateLimit must be above 0 and at most ${ACCOUNT_THROTTLE_LIMITS.rateLimit} (the account's limit), not ${rateLimit}`,
    );
  }
  if (!Number.isInteger(burstLimit) || burstLimit < 1 || burstLimit > ACCOUNT_THROTTLE_LIMITS.burstLimit) {
    throw new InvalidApiProtectionError(
      `${name}.burstLimit must be an integer from 1 to ${ACCOUNT_THROTTLE_LIMITS.burstLimit} (the account's limit), not ${burstLimit}`,
    );
  }
  return { rateLimit, burstLimit };
}

export function checkReservedConcurrency(value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidApiProtectionError(`webhookReservedConcurrency must be a positive integer, not ${value}`);
  }
  return value;
}

/** WAF's rate-based rules accept 10 to 2,000,000,000 requests per window. */
function checkRequestsPerIp(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 10 || value > 2_000_000_000) {
    throw new InvalidApiProtectionError(`${name} must be an integer from 10 to 2,000,000,000, not ${value}`);
  }
  return value;
}

export interface EdgeProtectionProps {
  readonly api: apigwv2.IHttpApi;
  /** Path of Meta's webhook, e.g. `/webhook`. */
  readonly webhookPath: string;
  /** Prefix of physical names, e.g. `Omnichannel-prod`. */
  readonly namePrefix: string;
  readonly webAclArn?: string;
  readonly webhookRequestsPerIp?: number;
  readonly operatorRequestsPerIp?: number;
}

/**
 * A CloudFront distribution in front of the HTTP API carrying an AWS WAF web ACL: per-IP rate
 * limits (one for Meta's webhook, a tighter one for everything else), unsigned webhook posts
 * refused at the edge, and AWS's lists of bad inputs and bad IP addresses. Nothing is cached.
 *
 * CloudFront is there because WAF cannot be attached to an HTTP API stage; a CLOUDFRONT-scope web
 * ACL must be created in us-east-1, so outside us-east-1 pass an existing one's ARN.
 */
export class EdgeProtection extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** ARN of the web ACL on the distribution (created here, or the one given). */
  readonly webAclArn: string;
  readonly webAcl?: wafv2.CfnWebACL;
  /** Callback URL to give Meta: the webhook path on the distribution's domain. */
  readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: EdgeProtectionProps) {
    super(scope, id);
    const stack = Stack.of(this);

    if (props.webAclArn) {
      this.webAclArn = props.webAclArn;
    } else {
      if (!Token.isUnresolved(stack.region) && stack.region !== 'us-east-1') {
        throw new InvalidApiProtectionError(
          `A CloudFront web ACL can only be created in us-east-1, and this stack is in ${stack.region}: create one there and pass its ARN as apiProtection.webAclArn`,
        );
      }
      this.webAcl = this.createWebAcl(props);
      this.webAclArn = this.webAcl.attrArn;
    }

    // The $default stage serves at the root of the API's own domain.
    const apiDomain = `${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.namePrefix} API (Meta webhook and operator APIs) behind AWS WAF`,
      webAclId: this.webAclArn,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: new origins.HttpOrigin(apiDomain, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        }),
        // HTTPS only: a redirect would turn Meta's POST into a GET and lose the body.
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // Every response is per request (challenges, signed deliveries, operator data): never cached.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        // Body, query string (the verification challenge) and headers (X-Hub-Signature-256,
        // Authorization) go through untouched; Host must stay the API's own for API Gateway.
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        compress: false,
      },
    });
    setLogicalId(this.distribution, 'ApiDistribution');
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-CFR1',
        reason:
          "Meta delivers webhooks from its own data centres and operators work from anywhere; the web ACL's rate and reputation rules limit callers instead of countries.",
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR3',
        reason:
          "Every request CloudFront forwards is recorded in the HTTP API's access log (request id, source, route, status); WAF keeps sampled requests and metrics of every rule, blocked ones included.",
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR4',
        reason:
          "Without a custom domain the distribution serves *.cloudfront.net with CloudFront's default certificate, whose viewer TLS policy cannot be raised; a custom domain with its own certificate and TLSv1.2_2021 is the documented next step (docs/api-protection.md).",
      },
    );
    this.webhookUrl = `https://${this.distribution.distributionDomainName}${props.webhookPath}`;
  }

  private createWebAcl(props: EdgeProtectionProps): wafv2.CfnWebACL {
    const webhookPerIp = checkRequestsPerIp('webhookRequestsPerIp', props.webhookRequestsPerIp ?? DEFAULT_WEBHOOK_REQUESTS_PER_IP);
    const operatorPerIp = checkRequestsPerIp('operatorRequestsPerIp', props.operatorRequestsPerIp ?? DEFAULT_OPERATOR_REQUESTS_PER_IP);
    const metricPrefix = props.namePrefix.replace(/[^A-Za-z0-9]/g, '');
    const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${metricPrefix}${name}`,
      sampledRequestsEnabled: true,
    });
    const onWebhookPath: wafv2.CfnWebACL.StatementProperty = {
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'EXACTLY',
        searchString: props.webhookPath,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    };
    const managed = (priority: number, name: string): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });

    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${props.namePrefix}-api`,
      description: 'Per-IP rate limits, unsigned webhook posts and known bad inputs in front of the API',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('Api'),
      rules: [
        {
          // Meta signs every delivery; a POST without a signature header can only be noise, so it
          // is dropped before it costs a Lambda invocation or a token of the webhook's throttle.
          name: 'UnsignedWebhookPost',
          priority: 0,
          action: { block: {} },
          statement: {
            andStatement: {
              statements: [
                onWebhookPath,
                {
                  byteMatchStatement: {
                    fieldToMatch: { method: {} },
                    positionalConstraint: 'EXACTLY',
                    searchString: 'POST',
                    textTransformations: [{ priority: 0, type: 'NONE' }],
                  },
                },
                {
                  notStatement: {
                    statement: {
                      byteMatchStatement: {
                        fieldToMatch: { singleHeader: { Name: 'x-hub-signature-256' } },
                        positionalConstraint: 'STARTS_WITH',
                        searchString: 'sha256=',
                        textTransformations: [{ priority: 0, type: 'NONE' }],
                      },
                    },
                  },
                },
              ],
            },
          },
          visibilityConfig: visibility('UnsignedWebhookPost'),
        },
        {
          name: 'WebhookRequestsPerIp',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: { limit: webhookPerIp, aggregateKeyType: 'IP', scopeDownStatement: onWebhookPath },
          },
          visibilityConfig: visibility('WebhookRequestsPerIp'),
        },
        {
          name: 'OperatorRequestsPerIp',
          priority: 2,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: operatorPerIp,
              aggregateKeyType: 'IP',
              scopeDownStatement: { notStatement: { statement: onWebhookPath } },
            },
          },
          visibilityConfig: visibility('OperatorRequestsPerIp'),
        },
        managed(3, 'AWSManagedRulesAmazonIpReputationList'),
        // Not the common rule set: its 8 KB body limit would block Meta's larger deliveries.
        managed(4, 'AWSManagedRulesKnownBadInputsRuleSet'),
      ],
    });
    setLogicalId(webAcl, 'ApiWebAcl');
    return webAcl;
  }
}
