import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import type { Channel } from '#lambdas/conversation/model';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';

export type AnnouncedStatus = 'delivered' | 'read' | 'failed';

/** Detail of `message.delivered`, `message.read` and `message.failed`: ids and codes, never content. */
export interface MessageStatusChangedDetail {
  v: 1;
  conversationKey: string;
  /** Our id of the message (the part after `MSG#` in its sort key). */
  messageId: string;
  providerMessageId?: string;
  channel: Channel;
  accountId: string;
  status: AnnouncedStatus;
  occurredAt: string;
  errorCode?: number;
  /** Our reason when the sender refused the message itself (`window_closed`, …), never Meta's text. */
  reason?: string;
}

const DETAIL_TYPE_BY_STATUS: Readonly<Record<AnnouncedStatus, string>> = {
  delivered: DETAIL_TYPE.messageDelivered,
  read: DETAIL_TYPE.messageRead,
  failed: DETAIL_TYPE.messageFailed,
};

export function isAnnouncedStatus(status: string): status is AnnouncedStatus {
  return Object.hasOwn(DETAIL_TYPE_BY_STATUS, status);
}

export function messageStatusChangedEvent(source: string, detail: Omit<MessageStatusChangedDetail, 'v'>): DomainEvent {
  const { errorCode, providerMessageId, reason, ...rest } = detail;
  return {
    source,
    detailType: DETAIL_TYPE_BY_STATUS[detail.status],
    detail: {
      v: 1,
      ...rest,
      ...(providerMessageId !== undefined ? { providerMessageId } : {}),
      ...(errorCode !== undefined ? { errorCode } : {}),
      ...(reason !== undefined ? { reason } : {}),
    },
  };
}
