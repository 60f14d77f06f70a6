import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** A short-lived link to read one stored object, signed with the function's own s3:GetObject grant. */
export interface MediaLinkSigner {
  signGet(objectKey: string, expiresInSeconds: number): Promise<string>;
}

export function s3MediaLinkSigner(bucket: string, client: S3Client = new S3Client({})): MediaLinkSigner {
  return {
    signGet: (objectKey, expiresInSeconds) => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: objectKey }), { expiresIn: expiresInSeconds }),
  };
}
