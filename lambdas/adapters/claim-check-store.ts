import { signedS3GetText, s3TargetFromEnvironment, type S3Target } from '#lambdas/adapters/s3-signed-object';

/**
 * Reads a parked event back (the normalizer). Bodies too large for one SQS message are parked in
 * S3 by the webhook (s3-put-claim-check-store.ts); the queue carries only the key. One GetObject
 * signed with the SDK's SigV4 signer (s3-signed-object.ts): the S3 client would add about 160 KB
 * to the normalizer's bundle, and its cold start, for a path few events take.
 */
export function s3ClaimCheckReader(target: () => S3Target = s3TargetFromEnvironment): (ref: { bucket: string; key: string }) => Promise<string> {
  const getText = signedS3GetText(target);
  return (ref) => getText(ref.bucket, ref.key);
}
