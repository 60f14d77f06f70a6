import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import type { Channel } from '#lambdas/conversation/model';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';

/**
 * `reply.requested`: the outbound Message item `CONV#<conversationKey>` / `MSG#<outboundId>` is
 * written and waits to be sent. The event carries ids only; the content is read from the table.
 */
export const replyRequestedDetailSchema = z.looseObject({
  v: z.literal(1),
  conversationKey: z.string().check(z.minLength(1)),
  outboundId: z.string().check(z.minLength(1)),
  channel: z.enum(['whatsapp', 'instagram', 'messenger']),
  accountId: z.string().check(z.minLength(1)),
});

export type ReplyRequestedDetail = z.infer<typeof replyRequestedDetailSchema>;

export function replyRequestedEvent(source: string, detail: { conversationKey: string; outboundId: string; channel: Channel; accountId: string }): DomainEvent {
  return {
    source,
    detailType: DETAIL_TYPE.replyRequested,
    detail: {
      v: 1,
      conversationKey: detail.conversationKey,
      outboundId: detail.outboundId,
      channel: detail.channel,
      accountId: detail.accountId,
    },
  };
}
