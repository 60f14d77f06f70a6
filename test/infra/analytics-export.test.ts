import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { glueItemType } from '#lib/analytics/export-schema';
import { METRIC_QUERIES, metricSql } from '#lib/analytics/metric-queries';
import { EXPORT_GLUE_TABLE, EXPORT_TARGET_ARN, FULL_EXPORT_PREFIX, VIEW_QUERIES } from '#lib/constructs/analytics-export';
import { actionsOf, resourceOfType, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

describe('analyst exports and saved queries', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'prod' });
  });

  it('keep point-in-time recovery on the table, which exports need', () => {
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('write exports to an encrypted, private, TLS-only bucket whose objects expire', () => {
    const bucket = resourceOfType(synth.json, 'AnalyticsExportBucket', 'AWS::S3::Bucket');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    const rules = (bucket.Properties!['LifecycleConfiguration'] as { Rules: Array<Record<string, unknown>> }).Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Prefix: `${FULL_EXPORT_PREFIX}/`, ExpirationInDays: 30, Status: 'Enabled' }),
        expect.objectContaining({ Prefix: 'athena-results/', ExpirationInDays: 30, Status: 'Enabled' }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      ]),
    );
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: 'AnalyticsExportBucket' },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('start a full export every day through EventBridge Scheduler', () => {
    const schedule = resourceOfType(synth.json, 'AnalyticsFullExportSchedule', 'AWS::Scheduler::Schedule');
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'cron(15 3 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: EXPORT_TARGET_ARN,
        RoleArn: { 'Fn::GetAtt': ['AnalyticsExportSchedulerRole', 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3 },
      },
    });
    // The input is JSON once CloudFormation puts in the table ARN, bucket name and account.
    const join = (schedule.Properties!['Target'] as { Input: { 'Fn::Join': [string, unknown[]] } }).Input['Fn::Join'][1];
    const tokens: unknown[] = [];
    const text = join.map((part) => (typeof part === 'string' ? part : `TOKEN${tokens.push(part) - 1}`)).join('');
    const input = JSON.parse(text) as Record<string, string>;
    for (const [key, value] of Object.entries(input)) {
      const match = /^TOKEN(\d+)$/.exec(value);
      if (match) input[key] = JSON.stringify(tokens[Number(match[1])]);
    }
    expect(input).toEqual({
      TableArn: '{"Fn::GetAtt":["Table","Arn"]}',
      S3Bucket: '{"Ref":"AnalyticsExportBucket"}',
      S3BucketOwner: '{"Ref":"AWS::AccountId"}',
      S3Prefix: FULL_EXPORT_PREFIX,
      S3SseAlgorithm: 'AES256',
      ExportFormat: 'DYNAMODB_JSON',
      ExportType: 'FULL_EXPORT',
    });
  });

  it('let the scheduler role do the export and nothing else', () => {
    const role = resourceOfType(synth.json, 'AnalyticsExportSchedulerRole', 'AWS::IAM::Role');
    expect(JSON.stringify(role.Properties?.['AssumeRolePolicyDocument'])).toContain('scheduler.amazonaws.com');
    expect(JSON.stringify(role.Properties?.['AssumeRolePolicyDocument'])).toContain('aws:SourceAccount');
    expect(role.Properties?.['ManagedPolicyArns']).toBeUndefined();
    const statements = statementsOfRole(synth.json, 'AnalyticsExportSchedulerRole');
    expect(actionsOf(statements).sort()).toEqual(['dynamodb:ExportTableToPointInTime', 's3:AbortMultipartUpload', 's3:PutObject', 's3:PutObjectAcl']);
    const exportStatement = statements.find((s) => actionsOf([s]).includes('dynamodb:ExportTableToPointInTime'));
    expect(exportStatement?.Resource).toEqual({ 'Fn::GetAtt': ['Table', 'Arn'] });
    const s3Statement = statements.find((s) => actionsOf([s]).includes('s3:PutObject'));
    expect(JSON.stringify(s3Statement?.Resource)).toContain(`/${FULL_EXPORT_PREFIX}/*`);
  });

  it('describe the export files to Glue as one DynamoDB JSON item struct', () => {
    const table = resourceOfType(synth.json, 'AnalyticsExportTable', 'AWS::Glue::Table');
    const input = table.Properties?.['TableInput'] as Record<string, any>;
    expect(input['Name']).toBe(EXPORT_GLUE_TABLE);
    expect(input['StorageDescriptor']['Columns']).toEqual([{ Name: 'item', Type: glueItemType() }]);
    expect(input['StorageDescriptor']['SerdeInfo']).toEqual({
      SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
      Parameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' },
    });
    expect(JSON.stringify(input['StorageDescriptor']['Location'])).toContain(`/${FULL_EXPORT_PREFIX}/AWSDynamoDB/`);
    expect(glueItemType()).toContain('csatscore:struct<n:string>');
    expect(glueItemType()).toContain('template:struct<m:struct<name:struct<s:string>,category:struct<s:string>>>');
    const database = resourceOfType(synth.json, 'AnalyticsDatabase', 'AWS::Glue::Database');
    expect((database.Properties!['DatabaseInput'] as { Name: string }).Name).toBe('omnichannel_prod_analytics');
  });

  it('give Athena a workgroup that enforces encrypted results', () => {
    const workGroup = resourceOfType(synth.json, 'AnalyticsWorkGroup', 'AWS::Athena::WorkGroup');
    expect(workGroup.Properties).toMatchObject({
      Name: 'Omnichannel-prod-analytics',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
      },
    });
  });

  it('save the view queries and every metric query, each exactly the SQL file the local report runs', () => {
    const named = Object.values(synth.json.Resources)
      .filter((r) => r.Type === 'AWS::Athena::NamedQuery')
      .map((r) => r.Properties as { Name: string; QueryString: string; Database: string; WorkGroup: unknown });
    expect(named.map((q) => q.Name).sort()).toEqual([...VIEW_QUERIES.map((v) => v.name), ...METRIC_QUERIES.map((q) => q.name)].sort());
    for (const query of METRIC_QUERIES) {
      expect(named.find((q) => q.Name === query.name)?.QueryString, query.name).toBe(metricSql(query.name));
    }
    for (const view of VIEW_QUERIES) expect(named.find((q) => q.Name === view.name)?.QueryString).toBe(view.sql());
    for (const q of named) {
      expect(q.Database).toBe('omnichannel_prod_analytics');
      expect(q.WorkGroup).toEqual({ Ref: 'AnalyticsWorkGroup' });
    }
  });
});
