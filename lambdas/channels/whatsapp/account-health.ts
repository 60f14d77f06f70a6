import type { NormalizedEvent } from '#lambdas/conversation/model';

/**
 * A WhatsApp account or number change the on-call should hear about the same day:
 * - `quality_downgraded` / `quality_flagged`: `phone_number_quality_update` DOWNGRADE / FLAGGED
 *   (the number's quality rating dropped, or Meta warns that it will drop);
 * - `restricted`: `account_update` ACCOUNT_RESTRICTION or ACCOUNT_VIOLATION (some messaging blocked);
 * - `disabled`: `account_update` DISABLED_UPDATE unless the ban state is a reinstatement.
 */
export type AccountHealthSignal = 'quality_downgraded' | 'quality_flagged' | 'restricted' | 'disabled';

const QUALITY_SIGNALS: Readonly<Record<string, AccountHealthSignal>> = {
  DOWNGRADE: 'quality_downgraded',
  FLAGGED: 'quality_flagged',
};

const ACCOUNT_SIGNALS: Readonly<Record<string, AccountHealthSignal>> = {
  ACCOUNT_RESTRICTION: 'restricted',
  ACCOUNT_VIOLATION: 'restricted',
  DISABLED_UPDATE: 'disabled',
};

/** The health signal a normalized event carries, if any. */
export function accountHealthSignal(event: NormalizedEvent): AccountHealthSignal | undefined {
  if (event.kind !== 'notification') return undefined;
  const name = typeof event.details['event'] === 'string' ? event.details['event'].toUpperCase() : undefined;
  if (name === undefined) return undefined;
  if (event.topic === 'whatsapp.phone_number_quality_update') return Object.hasOwn(QUALITY_SIGNALS, name) ? QUALITY_SIGNALS[name] : undefined;
  if (event.topic !== 'whatsapp.account_update' || !Object.hasOwn(ACCOUNT_SIGNALS, name)) return undefined;
  const signal = ACCOUNT_SIGNALS[name];
  // DISABLED_UPDATE also announces a reinstatement; only a (scheduled) disabling is bad news.
  if (
    signal === 'disabled' &&
    String(event.details['ban_state'] ?? '')
      .toUpperCase()
      .split(',')
      .every((s) => s === 'REINSTATE')
  ) {
    return undefined;
  }
  return signal;
}
