import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { setLogicalId } from '#lib/logical-id';

/** How long customers' attachments are kept unless the stack says otherwise. */
export const DEFAULT_MEDIA_RETENTION_DAYS = 90;

/** Objects live under this prefix; the media function may write there and nowhere else. */
export const MEDIA_KEY_PREFIX = 'media/';

export interface MediaStorageProps {
  readonly removalPolicy: RemovalPolicy;
  /** Days after which stored attachments expire (default 90). */
  readonly retentionDays?: number;
}

/**
 * The bucket customers' attachments are copied into, out of Meta's short-lived URLs: private,
 * encrypted at rest, reachable over TLS only, and emptied by a lifecycle rule, since attachments
 * are customer data kept for a bounded time like the table's items.
 */
export class MediaStorage extends Construct {
  readonly bucket: s3.Bucket;
  readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: MediaStorageProps) {
    super(scope, id);
    this.retentionDays = props.retentionDays ?? DEFAULT_MEDIA_RETENTION_DAYS;
    if (!Number.isInteger(this.retentionDays) || this.retentionDays < 1) {
      throw new Error(`media retention must be a whole number of days, at least 1 (got ${this.retentionDays})`);
    }

    this.bucket = new s3.Bucket(this, 'MediaBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Each key is written once per message; versions would only keep expired attachments alive.
      versioned: false,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'ExpireMedia',
          expiration: Duration.days(this.retentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: props.removalPolicy,
    });
    setLogicalId(this.bucket, 'MediaBucket');
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'Objects are written only by the media-download role and expire with the retention period; object access can be audited with CloudTrail data events, so a second bucket of access logs has no reader.',
    });
  }

  /** Write-only access under the media prefix: no reads, lists or deletes. */
  grantWriteMedia(role: iam.Role): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects(`${MEDIA_KEY_PREFIX}*`)],
      }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<MediaBucket.Arn>/${MEDIA_KEY_PREFIX}*]`,
      reason:
        'Media keys are per message and unknown in advance; the grant is PutObject and AbortMultipartUpload only, under the media prefix of this one bucket.',
    });
  }
}
