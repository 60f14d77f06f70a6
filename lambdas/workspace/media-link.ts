import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import type { MessageMediaStore } from '#lambdas/workspace/message-media-store';
import type { MediaLinkSigner } from '#lambdas/workspace/s3-media-link-signer';

/** Media links live five minutes: long enough to load, too short to pass around. */
export const MEDIA_LINK_SECONDS = 300;

/** A short-lived link to one stored attachment of one message of the conversation. */
export async function mediaLink(
  input: { conversationKey: string; messageId: string; index: number },
  deps: { messageMedia: MessageMediaStore; mediaSigner: MediaLinkSigner; now: Date },
): Promise<{ url: string; expiresAt: string; contentType?: string }> {
  const attachments = await deps.messageMedia.storedAttachments(input.conversationKey, input.messageId);
  if (attachments === undefined) throw new HumanAgentRequestError(404, 'message_not_found', 'No such message in this conversation');
  const attachment = attachments[input.index];
  if (!attachment) throw new HumanAgentRequestError(404, 'media_not_stored', 'The attachment is not stored (yet, or it could not be downloaded)');
  const url = await deps.mediaSigner.signGet(attachment.objectKey, MEDIA_LINK_SECONDS);
  return {
    url,
    expiresAt: new Date(deps.now.getTime() + MEDIA_LINK_SECONDS * 1000).toISOString(),
    ...(attachment.contentType ? { contentType: attachment.contentType } : {}),
  };
}
