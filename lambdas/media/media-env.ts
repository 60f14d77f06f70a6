/** Name of the media bucket, set by the stack on the media-download function. */
export const MEDIA_BUCKET_ENV = 'MEDIA_BUCKET';
