import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ClaimCheckStore } from '#lambdas/ingress/enqueue-ingress-events';

/** Bodies too large for one SQS message are parked in S3; the queue carries only the key. */
export function s3ClaimCheckStore(s3: S3Client, bucket: string): ClaimCheckStore {
  return {
    bucket,
    async put(key, body) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
      );
    },
  };
}

export async function readClaimCheck(s3: S3Client, ref: { bucket: string; key: string }): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  if (!out.Body) throw new Error(`claim check ${ref.key} has no body`);
  return out.Body.transformToString('utf8');
}

