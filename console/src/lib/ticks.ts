/**
 * Delivery ticks of a message the business sent, as people know them from WhatsApp: one grey tick
 * when sent, two grey when delivered, two coloured when read, a warning with Meta's error in words
 * when failed. Customer messages and internal notes carry no ticks.
 */
export type TickState = 'none' | 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface TickView {
  state: TickState;
  /** What is drawn: ✓, ✓✓, ⚠ or a clock. */
  symbol: string;
  /** i18n key of the status in words (screen readers, tooltip). */
  labelKey: string;
  /** i18n key of the failure explained, when failed. */
  errorKey?: string;
  errorCode?: number;
  /** Meta's own title of the error, shown when the code is not one we explain. */
  errorTitle?: string;
}

const STATE_OF: Record<string, TickState> = {
  pending: 'pending',
  sending: 'pending',
  accepted: 'pending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'read',
  failed: 'failed',
  undeliverable: 'failed',
};

/** Meta error codes we explain in the agent's language; others show Meta's title. */
export const META_ERROR_KEYS: Record<number, string> = {
  131047: 'errors.meta.windowClosed',
  470: 'errors.meta.windowClosed',
  131026: 'errors.meta.undeliverable',
  131056: 'errors.meta.pairRateLimit',
  130429: 'errors.meta.throughput',
  131048: 'errors.meta.spamRateLimit',
  131049: 'errors.meta.marketingLimit',
  131050: 'errors.meta.stoppedMarketing',
  131051: 'errors.meta.unsupportedType',
  131052: 'errors.meta.mediaDownload',
  131053: 'errors.meta.mediaUpload',
  131031: 'errors.meta.accountLocked',
  131042: 'errors.meta.payment',
  131021: 'errors.meta.sameNumber',
  190: 'errors.meta.tokenExpired',
  10: 'errors.meta.permission',
  551: 'errors.meta.userUnavailable',
};

export function tickOf(message: { direction?: string; origin?: string; type?: string; status?: string; errorCode?: unknown; errorTitle?: unknown }): TickView {
  if (message.direction !== 'outbound' || message.type === 'note' || message.origin === 'note') {
    return { state: 'none', symbol: '', labelKey: '' };
  }
  const state = STATE_OF[message.status ?? ''] ?? 'pending';
  switch (state) {
    case 'sent':
      return { state, symbol: '✓', labelKey: 'ticks.sent' };
    case 'delivered':
      return { state, symbol: '✓✓', labelKey: 'ticks.delivered' };
    case 'read':
      return { state, symbol: '✓✓', labelKey: 'ticks.read' };
    case 'failed': {
      const code = typeof message.errorCode === 'number' && Number.isInteger(message.errorCode) ? message.errorCode : undefined;
      const title = typeof message.errorTitle === 'string' ? message.errorTitle.slice(0, 200) : undefined;
      const errorKey = code !== undefined ? (META_ERROR_KEYS[code] ?? 'errors.meta.other') : 'errors.meta.other';
      return {
        state,
        symbol: '⚠',
        labelKey: 'ticks.failed',
        errorKey,
        ...(code !== undefined ? { errorCode: code } : {}),
        ...(title ? { errorTitle: title } : {}),
      };
    }
    default:
      return { state: 'pending', symbol: '🕓', labelKey: 'ticks.pending' };
  }
}

/** How long after a reply the console keeps asking for its receipts when they are not pushed. */
export const TICK_POLL_WINDOW_MS = 10 * 60_000;
const FINAL_STATUSES = new Set(['read', 'played', 'failed', 'undeliverable']);

/** Whether a reply of the last few minutes has not reached its final tick (read or failed) yet. */
export function awaitingTick(
  messages: ReadonlyArray<{ direction?: string; origin?: string; type?: string; status?: string; occurredAt?: string }>,
  nowMs: number,
): boolean {
  return messages.some((m) => {
    if (m.direction !== 'outbound' || m.type === 'note' || m.origin === 'note') return false;
    const at = Date.parse(m.occurredAt ?? '');
    return Number.isFinite(at) && nowMs - at < TICK_POLL_WINDOW_MS && !FINAL_STATUSES.has(m.status ?? '');
  });
}
