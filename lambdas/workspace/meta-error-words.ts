/**
 * Meta's delivery error codes in words a person can act on. Meta's own title is used when the
 * status carried one; these cover the codes agents meet most when it did not.
 */
const WORDS: Record<number, string> = {
  131047: 'More than 24 hours have passed since the customer last wrote; only a template can be sent',
  131026: 'The message could not be delivered (the number may not be on WhatsApp, or has an old app version)',
  131049: 'Meta did not deliver this message to keep engagement healthy; try later or another message',
  131051: 'This message type is not supported',
  131052: 'The media could not be downloaded from the link',
  131053: 'The media could not be uploaded (unsupported type or too large)',
  131048: 'Too many messages were sent from this number recently (spam rate limit)',
  131056: 'Too many messages to this customer in a short time; wait before sending more',
  131042: 'A payment problem on the WhatsApp Business Account blocks sending',
  131031: 'The business account is locked or restricted',
  131021: 'The recipient cannot be the sender',
  131000: 'Meta could not send the message (an unknown error on its side)',
  132000: 'The template parameters do not match the template',
  132001: 'The template does not exist in this language, or is not approved',
  132015: 'The template is paused for low quality',
  132016: 'The template is disabled for low quality',
  130472: "The customer's number is part of a Meta experiment and did not receive marketing messages",
  10: 'Permission missing: the message cannot be sent to this person on this channel',
  551: 'The person is not available on this channel right now',
  2018278: 'The message was sent outside the allowed window',
};

export function metaErrorInWords(errorCode: number | undefined, errorTitle: string | undefined, failureReason?: string): string | undefined {
  if (errorCode !== undefined && WORDS[errorCode]) return WORDS[errorCode];
  if (errorTitle) return errorTitle.slice(0, 300);
  if (errorCode !== undefined) return `Meta refused the message (error ${errorCode})`;
  if (failureReason) return failureReason.replace(/_/g, ' ').slice(0, 300);
  return undefined;
}
