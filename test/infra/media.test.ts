import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_FINAL_RECEIVE } from '#lambdas/media/download-message-media';
import { MEDIA_BUCKET_ENV } from '#lambdas/media/media-env';
import { DOWNLOADABLE_MESSAGE_TYPES } from '#lambdas/media/media-received-detail';
import { DETAIL_TYPE, ENV, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { DEFAULT_MEDIA_RETENTION_DAYS } from '#lib/constructs/media-storage';
import { CONSUMER_MAX_RECEIVE_COUNT } from '#lib/queue-settings';
import { actionsOf, environmentOf, resourceOfType, statementsOfRole, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';

describe('media bucket and media-download consumer', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'prod' });
  });

  it('keeps the bucket private, encrypted, TLS-only and unversioned', () => {
    const bucket = resourceOfType(synth.json, 'MediaBucket', 'AWS::S3::Bucket');
    expect(bucket.Properties?.['BucketEncryption']).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.Properties?.['PublicAccessBlockConfiguration']).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties?.['VersioningConfiguration']).toBeUndefined();
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: 'MediaBucket' },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    // Customer data outlives a prod stack's deletion only by decision, like the table.
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('expires attachments after the retention and aborts unfinished uploads', () => {
    const bucket = resourceOfType(synth.json, 'MediaBucket', 'AWS::S3::Bucket');
    expect(bucket.Properties?.['LifecycleConfiguration']).toEqual({
      Rules: [
        {
          Id: 'ExpireMedia',
          Status: 'Enabled',
          ExpirationInDays: DEFAULT_MEDIA_RETENTION_DAYS,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    });
    const custom = synthesizeStack({ stage: 'dev', stackProps: { mediaRetentionDays: 30 } });
    const rules = (
      resourceOfType(custom.json, 'MediaBucket', 'AWS::S3::Bucket').Properties!['LifecycleConfiguration'] as {
        Rules: Array<{ ExpirationInDays: number }>;
      }
    ).Rules;
    expect(rules[0]?.ExpirationInDays).toBe(30);
    expect(() => synthesizeStack({ stage: 'dev', stackProps: { mediaRetentionDays: 0 } })).toThrow(/at least 1/);
  });

  it('lets the function write media objects and nothing else in the bucket', () => {
    const statements = statementsOfRole(synth.json, 'MediaDownloadFunctionRole');
    const s3Statements = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
    expect(s3Statements).toHaveLength(1);
    expect(actionsOf(s3Statements).sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject']);
    expect(s3Statements[0]?.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['MediaBucket', 'Arn'] }, '/media/*']] });
    // Reads its message and records the outcome; no queries, puts or deletes on the table.
    const dynamo = actionsOf(statements)
      .filter((a) => a.startsWith('dynamodb:'))
      .sort();
    expect(dynamo).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(actionsOf(statements)).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue']));
    expect(actionsOf(statements)).not.toContain('events:PutEvents');
  });

  it('wakes up only for received messages with an attachment', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: [EVENT_SOURCE.normalizer],
        'detail-type': [DETAIL_TYPE.messageReceived],
        detail: { type: [...DOWNLOADABLE_MESSAGE_TYPES] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': ['MediaDownloadQueue', 'Arn'] } })],
    });
  });

  it('gives the function its bucket, table, token secret and Graph settings', () => {
    const env = environmentOf(synth.json, 'MediaDownloadFunction');
    expect(env[MEDIA_BUCKET_ENV]).toEqual({ Ref: 'MediaBucket' });
    expect(env[ENV.tableName]).toEqual({ Ref: 'Table' });
    expect(env).toHaveProperty(ENV.metaAccessTokensSecretId);
    expect(env[ENV.graphApiVersion]).toBeDefined();
  });

  it('records a failure on the receive after which the queue parks the record', () => {
    expect(MEDIA_FINAL_RECEIVE).toBe(CONSUMER_MAX_RECEIVE_COUNT);
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: Match.stringLikeRegexp('-media-download$'),
      RedrivePolicy: { maxReceiveCount: CONSUMER_MAX_RECEIVE_COUNT, deadLetterTargetArn: { 'Fn::GetAtt': ['MediaDownloadDeadLetterQueue', 'Arn'] } },
    });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['MediaDownloadDeadLetterQueue', 'QueueName'] } }],
    });
  });
});
