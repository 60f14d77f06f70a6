import type { StatusEvent } from '#lambdas/conversation/model';
import { messageSk } from '#lambdas/conversation/table-keys';
import type { ReplyStore } from '#lambdas/outbound/reply-store';

/** The replies' send state (outbound/reply-store.ts). */
export interface CompleteSendDeps {
  replies: Pick<ReplyStore, 'readSendRecord' | 'pointProviderIdOnce' | 'recordSentFromReceipt'>;
}

/**
 * Every WhatsApp send carries our outbound id as `biz_opaque_callback_data`, and Meta returns it in
 * each status webhook of the message. A receipt for a provider id we do not know, naming a reply of
 * its own conversation that is still `sending` without a provider id, is Meta's word that it
 * accepted a send whose record was lost (the sender stopped between Meta's answer and its own
 * write). The receipt then records the send as the sender would have: the provider-id pointer,
 * and the message `sent` with that id at the time Meta reports.
 *
 * Returns whether the message is now known under the receipt's provider id. Both writes are
 * conditional, so a sender finishing at the same moment and this agree on the same result.
 */
export async function completeInterruptedSend(event: StatusEvent, deps: CompleteSendDeps): Promise<boolean> {
  const outboundId = event.bizOpaqueCallbackData;
  const providerMessageId = event.providerMessageId;
  // Our ids: replies (`out_…`) and campaign messages (`cmp.…`, campaigns/campaign-keys.ts).
  if (event.channel !== 'whatsapp' || !outboundId || !providerMessageId || !(outboundId.startsWith('out_') || outboundId.startsWith('cmp.'))) return false;
  const replies = deps.replies;
  const ref = { conversationKey: event.conversationKey, outboundId };
  const message = await replies.readSendRecord(ref);
  if (message?.direction !== 'outbound') return false;
  if (message.providerMessageId !== undefined) return message.providerMessageId === providerMessageId;
  // Also a reply the reply watch gave back to `pending` after its claim went unconfirmed: this
  // receipt confirms that claim after all, and the reply must not go out a second time.
  const releasedByWatch = message.status === 'pending' && message.releasedByWatchAt !== undefined;
  if (message.status !== 'sending' && !releasedByWatch) return false;

  // Refused when the sender wrote it meanwhile: the same pointer.
  await replies.pointProviderIdOnce({
    providerMessageId,
    conversationKey: event.conversationKey,
    messageSk: messageSk(outboundId),
    ...(message.expiresAt !== undefined ? { expiresAt: message.expiresAt } : {}),
  });
  // Refused when the sender recorded it meanwhile, with the same provider id (and only while the
  // message is `sending`, or `pending` released by the watch, without a provider id).
  await replies.recordSentFromReceipt(ref, { providerMessageId, at: event.occurredAt });
  return true;
}
