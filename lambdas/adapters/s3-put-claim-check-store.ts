import { signedS3Put, s3TargetFromEnvironment, type S3Target } from '#lambdas/adapters/s3-signed-object';
import type { ClaimCheckStore } from '#lambdas/ingress/enqueue-ingress-events';

/**
 * The webhook's claim-check store: one S3 PutObject signed with the SDK's SigV4 signer and sent
 * with fetch (s3-signed-object.ts), not the S3 client: only bodies over the SQS size limit take
 * this path, and the client would be most of the webhook's bundle and cold start. The normalizer
 * reads the object back the same way (claim-check-store.ts).
 */
export function s3PutClaimCheckStore(bucket: string, target: () => S3Target = s3TargetFromEnvironment): ClaimCheckStore {
  const put = signedS3Put(target);
  return { bucket, put: (key, body) => put(bucket, key, body, { contentType: 'application/json' }) };
}
