import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Validations } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#lib/app';
import { synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

/** A stand-in for `console/dist`: the tests synthesize without building the console. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  return dir;
}

const resourcesOf = (synth: SynthesizedStack, type: string) => Object.entries(synth.json.Resources).filter(([, r]) => r.Type === type);

describe('agent console hosting (S3 + CloudFront)', () => {
  let synth: SynthesizedStack;
  let withoutBuild: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'dev', stackProps: { consoleAssetsDir: fakeBuild() } });
    withoutBuild = synthesizeStack({ stage: 'dev', stackProps: { consoleAssetsDir: null } });
  });

  it('keeps the files in a private, encrypted bucket that refuses plain HTTP', () => {
    const bucket = synth.json.Resources.AgentConsoleBucket!;
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    const policy = resourcesOf(synth, 'AWS::S3::BucketPolicy').find(
      ([, r]) => JSON.stringify(r.Properties?.Bucket) === JSON.stringify({ Ref: 'AgentConsoleBucket' }),
    );
    const statements = (policy![1].Properties!.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
    expect(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('"aws:SecureTransport":"false"'))).toBe(true);
    // Only CloudFront, and only this distribution, may read.
    const read = statements.find((s) => s.Effect === 'Allow');
    expect(read).toMatchObject({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    expect(JSON.stringify(read?.Condition)).toContain('AgentConsoleDistribution');
  });

  it('serves through CloudFront with origin access control, HTTPS only and the SPA fallback', () => {
    const oac = resourcesOf(synth, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.length).toBeGreaterThanOrEqual(1);
    const dist = synth.json.Resources.AgentConsoleDistribution!.Properties!.DistributionConfig as Record<string, any>;
    expect(dist.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(dist.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: 'AgentConsoleSecurityHeaders' });
    expect(dist.Origins[0].OriginAccessControlId).toBeDefined();
    expect(dist.Origins[0].S3OriginConfig).toMatchObject({ OriginAccessIdentity: '' });
    expect(dist.CustomErrorResponses).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/console/index.html' }),
        expect.objectContaining({ ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/console/index.html' }),
      ]),
    );
  });

  it('sends HSTS, a content security policy naming only its own services, no framing and no sniffing', () => {
    const config = synth.json.Resources.AgentConsoleSecurityHeaders!.Properties!.ResponseHeadersPolicyConfig as Record<string, any>;
    const headers = config.SecurityHeadersConfig;
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 730 * 86400, IncludeSubdomains: true, Override: true });
    expect(headers.FrameOptions).toMatchObject({ FrameOption: 'DENY', Override: true });
    expect(headers.ContentTypeOptions).toMatchObject({ Override: true });
    expect(headers.ReferrerPolicy).toMatchObject({ ReferrerPolicy: 'strict-origin-when-cross-origin' });
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    expect(csp).not.toMatch(/connect-src[^;]*\*/);
    // The API, the WebSocket API and the hosted sign-in domain, by reference.
    expect(csp).toContain('WebhookApi');
    expect(csp).toContain('AgentPush');
    expect(csp).toContain('amazoncognito.com');
  });

  it('deploys the build with a config.json naming the API, the WebSocket API and the hosted sign-in', () => {
    const deployments = resourcesOf(synth, 'Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(2);
    // Pages (index.html and config.json) invalidate the distribution; the hashed assets need not.
    const pages = deployments.map(([, r]) => r.Properties!).find((p) => p.DistributionId !== undefined)!;
    expect(pages.DestinationBucketKeyPrefix).toBe('console/');
    expect(pages.DistributionId).toEqual({ Ref: 'AgentConsoleDistribution' });
    expect(pages.SourceObjectKeys).toHaveLength(2);
    // config.json's values that are only known at deployment: the app client, the distribution and the APIs.
    const markers = JSON.stringify(pages.SourceMarkers);
    for (const word of ['OperatorConsoleClient', 'AgentConsoleDistribution', 'WebhookApi', 'AgentPush', 'OperatorSignInDomain'])
      expect(markers).toContain(word);
    // The build alone is absent from a stack synthesized without one: synth works unbuilt.
    expect(resourcesOf(withoutBuild, 'Custom::CDKBucketDeployment')).toHaveLength(0);
    expect(withoutBuild.json.Resources.AgentConsoleDistribution).toBeDefined();
  });

  it('lets the console client return people to the CloudFront URL, and outputs that URL', () => {
    const client = synth.json.Resources.OperatorConsoleClient!.Properties!;
    const consoleUrl = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['AgentConsoleDistribution', 'DomainName'] }, '/console/']] };
    expect(client.CallbackURLs).toContainEqual(consoleUrl);
    expect(client.LogoutURLs).toContainEqual(consoleUrl);
    expect(synth.json.Outputs?.AgentConsoleUrl?.Value).toEqual(consoleUrl);
  });

  it('answers CORS preflights of the operator API (bearer tokens, no cookies)', () => {
    const api = synth.json.Resources.WebhookApi!.Properties!;
    expect(api.CorsConfiguration).toMatchObject({
      AllowHeaders: ['authorization', 'content-type'],
      AllowMethods: expect.arrayContaining(['GET', 'POST', 'PUT']),
    });
    expect(api.CorsConfiguration).not.toHaveProperty('AllowCredentials', true);
  });

  it('passes cdk-nag with a build deployed, every acknowledgment with a reason', () => {
    const built = buildApp({ stage: 'prod', bundle: false, nag: true, cloudFormationValidation: false, stackProps: { consoleAssetsDir: fakeBuild() } });
    const report = JSON.parse(readFileSync(join(built.app.synth().directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ violations: Array<{ ruleName: string }> }>;
    };
    expect(report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName))).toEqual([]);
    const reasons = built.stack.node
      .findAll()
      .filter((c) => c.node.path.includes('AgentConsole') || c.node.id.startsWith('Custom::CDKBucketDeployment'))
      .flatMap((c) =>
        c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.values(m.data as Record<string, string>)),
      );
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.length).toBeGreaterThanOrEqual(60);
  });
});
