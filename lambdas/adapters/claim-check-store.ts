import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * Reads a parked event back (the normalizer). Bodies too large for one SQS message are parked in
 * S3 by the webhook (s3-put-claim-check-store.ts); the queue carries only the key.
 */
export async function readClaimCheck(s3: Pick<S3Client, 'send'>, ref: { bucket: string; key: string }): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
  if (!out.Body) throw new Error(`claim check ${ref.key} has no body`);
  return out.Body.transformToString('utf8');
}

/** A claim-check reader with its own S3 client. */
export function s3ClaimCheckReader(): (ref: { bucket: string; key: string }) => Promise<string> {
  const s3 = new S3Client({});
  return (ref) => readClaimCheck(s3, ref);
}
