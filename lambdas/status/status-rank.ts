import type { DeliveryStatus } from '#lambdas/conversation/model';

/** The statuses a business message moves through, and the attribute that records when each happened. */
export type TrackedStatus = 'sent' | 'delivered' | 'read' | 'played' | 'failed';

/**
 * A message's status only moves forward. Meta does not promise order (a `read` can arrive
 * before its `delivered`), so the rank, not the arrival, decides the current status. `failed`
 * ranks highest: nothing moves a message out of it.
 */
export const STATUS_RANK: Readonly<Record<TrackedStatus, number>> = {
  sent: 1,
  delivered: 2,
  read: 3,
  played: 4,
  failed: 5,
};

export const STATUS_TIME_ATTRIBUTE: Readonly<Record<TrackedStatus, string>> = {
  sent: 'sentAt',
  delivered: 'deliveredAt',
  read: 'readAt',
  played: 'playedAt',
  failed: 'failedAt',
};

export function isTrackedStatus(status: DeliveryStatus | string): status is TrackedStatus {
  return Object.hasOwn(STATUS_RANK, status);
}
