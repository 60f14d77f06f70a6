import type { AnnouncedStatus } from '#lambdas/status/message-status-changed';

/**
 * Which status changes of business messages are published on the bus, set per stack:
 * - `failed` (default): `message.failed` only. A failure is something to act on; nothing in the
 *   stack consumes delivered and read announcements, and each is an EventBridge entry per receipt.
 * - `all`: `message.delivered` and `message.read` too, for integrations that follow delivery.
 * Statuses are on the Message item either way.
 */
export type StatusEventsSetting = 'failed' | 'all';

export function announcedStatuses(setting: string | undefined): (status: AnnouncedStatus) => boolean {
  if (setting === 'all') return () => true;
  return (status) => status === 'failed';
}
