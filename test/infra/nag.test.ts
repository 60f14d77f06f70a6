import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '#lib/app';

interface ValidationReport {
  readonly pluginReports: ReadonlyArray<{
    readonly pluginName: string;
    readonly violations: ReadonlyArray<{ readonly ruleName: string; readonly severity?: string }>;
  }>;
}

function readValidationReport(assemblyDir: string): ValidationReport {
  return JSON.parse(readFileSync(join(assemblyDir, 'validation-report.json'), 'utf8')) as ValidationReport;
}

/** Rule id → reason, for every acknowledgment recorded anywhere in the stack. */
function acknowledgments(built: BuiltApp): Array<{ path: string; id: string; reason: string }> {
  return built.stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

// cdk-nag 3 runs as a CDK policy validation plugin: findings go to validation-report.json and an
// unacknowledged error makes synthesis throw.
describe('cdk-nag AwsSolutions checks', () => {
  let built: BuiltApp;
  let report: ValidationReport;
  beforeAll(() => {
    // Exactly what `cdk synth` runs, bundling aside: nag plus CloudFormation schema validation.
    // The console's deployment (present only when console/dist is built) is checked in agent-console.test.ts.
    built = buildApp({ stage: 'prod', bundle: false, nag: true, cloudFormationValidation: true, stackProps: { consoleAssetsDir: null } });
    report = readValidationReport(built.app.synth().directory);
  });

  it('leave no unacknowledged finding of any severity', () => {
    const findings = report.pluginReports.flatMap((plugin) =>
      plugin.violations.map((violation) => `${plugin.pluginName}: ${violation.ruleName} (${violation.severity})`),
    );
    expect(findings).toEqual([]);
  });

  it('leave no error or warning annotations on the stack', () => {
    const annotations = Annotations.fromStack(built.stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  it('acknowledge only the expected rules, each with a specific reason', () => {
    const acks = acknowledgments(built);
    const ids = [...new Set(acks.map((ack) => ack.id))].sort();
    expect(ids).toEqual([
      // The agents' WebSocket API: access logs left to its functions (lib/constructs/agent-push.ts).
      'AwsSolutions::AwsSolutions-APIG1',
      'AwsSolutions::AwsSolutions-APIG4',
      // The CloudFront distribution in front of the API (lib/constructs/api-protection.ts).
      'AwsSolutions::AwsSolutions-CFR1',
      'AwsSolutions::AwsSolutions-CFR3',
      'AwsSolutions::AwsSolutions-CFR4',
      // The operators' user pool: optional MFA for agents, Essentials plan (lib/constructs/operator-identity.ts).
      'AwsSolutions::AwsSolutions-COG2',
      'AwsSolutions::AwsSolutions-COG3',
      'AwsSolutions::AwsSolutions-COG8',
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::<AnalyticsExportBucket.Arn>/exports/full/*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::<ClaimCheckBucket.Arn>/*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::<MediaBucket.Arn>/media/*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-idp:<AWS::Region>:<AWS::AccountId>:userpool/*]',
      // Integrations made at run time, named under the stack's prefix (lib/constructs/integrations.ts).
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:api-destination/Omnichannel-prod-i-*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:connection/Omnichannel-prod-i-*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/Omnichannel-prod-events/Omnichannel-prod-i-*]',
      // Posting to any connection of the agents' WebSocket API, and nothing else of it.
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<AgentPushApi>/live/POST/@connections/*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:Omnichannel-prod/account-tokens/*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:Omnichannel-prod/business-tools/*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:Omnichannel-prod/integrations/*]',
      'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:events!connection/Omnichannel-prod-i-*]',
      'AwsSolutions::AwsSolutions-L1',
      'AwsSolutions::AwsSolutions-S1',
      'AwsSolutions::AwsSolutions-SMG4',
    ]);
    for (const ack of acks) expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(60);
    // Acknowledged where the finding is, never for the whole stack.
    for (const ack of acks) expect(ack.path).not.toBe(built.stack.node.path);
  });

  it('do run: an unencrypted, unlogged bucket added to the stack fails synthesis', () => {
    const broken = buildApp({ stage: 'dev', bundle: false, nag: true, cloudFormationValidation: false });
    new s3.Bucket(broken.stack, 'UncheckedBucket');
    expect(() => broken.app.synth()).toThrow(/AwsSolutions-S1/);
    // The report names the finding that failed it.
    const outdir = broken.app.outdir;
    const findings = readValidationReport(outdir).pluginReports.flatMap((plugin) => plugin.violations.map((v) => v.ruleName));
    expect(findings).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});
