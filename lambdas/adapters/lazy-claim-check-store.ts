import type { ClaimCheckStore } from '#lambdas/ingress/enqueue-ingress-events';

/**
 * The S3 claim-check store, loaded on first use: claim checks are rare, and keeping the S3 client
 * out of the webhook's init phase shortens its cold start. Nothing here imports the client
 * statically, so the bundle evaluates it only when a large event actually arrives.
 */
export function lazyS3ClaimCheckStore(bucket: string): ClaimCheckStore {
  let store: Promise<ClaimCheckStore> | undefined;
  return {
    bucket,
    async put(key, body) {
      store ??= Promise.all([import('@aws-sdk/client-s3'), import('#lambdas/adapters/claim-check-store')]).then(
        ([{ S3Client }, { s3ClaimCheckStore }]) => s3ClaimCheckStore(new S3Client({}), bucket),
      );
      await (await store).put(key, body);
    },
  };
}
