import type { AnnouncedStatus } from '#lambdas/status/message-status-changed';

/**
 * Which status changes of business messages are published on the bus, set per stack:
 * - `failed` (default): `message.failed` for every message, and `message.delivered` and
 *   `message.read` only for messages a person sent (origin `human_agent`): the agent console
 *   shows their ticks through the push consumer. The bot's own messages, the bulk of receipts,
 *   stay unannounced: each announcement is an EventBridge entry per receipt.
 * - `all`: `message.delivered` and `message.read` of every message, for integrations that follow delivery.
 * Statuses are on the Message item either way.
 */
export const STATUS_EVENTS_SETTINGS = ['failed', 'all'] as const;
export type StatusEventsSetting = (typeof STATUS_EVENTS_SETTINGS)[number];

/** What the decision reads of the Message item the status advanced. */
export interface AnnouncedMessage {
  origin?: unknown;
}

/** Messages whose delivery and reading are announced under the default setting. */
const ANNOUNCED_ORIGINS: ReadonlySet<unknown> = new Set(['human_agent']);

export function announcedStatuses(setting: string | undefined): (status: AnnouncedStatus, message?: AnnouncedMessage) => boolean {
  if (setting === 'all') return () => true;
  return (status, message) => status === 'failed' || ANNOUNCED_ORIGINS.has(message?.origin);
}
