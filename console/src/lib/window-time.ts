/**
 * The customer-service window of a conversation: free-form replies are allowed for 24 hours after
 * the customer's last message (WhatsApp, Messenger), 7 days on Instagram for a person replying with
 * the human-agent tag. The API states when the window closes; the last inbound time is the fallback.
 */
export const HOUR_MS = 3_600_000;
export const WINDOW_HOURS: Record<string, number> = { whatsapp: 24, messenger: 24, instagram: 7 * 24 };
/** Under this much time left the composer warns. */
export const WINDOW_SOON_MS = 2 * HOUR_MS;

export type WindowUrgency = 'open' | 'soon' | 'closed' | 'unknown';

export interface WindowState {
  open: boolean;
  urgency: WindowUrgency;
  /** Milliseconds left; 0 once closed. */
  msLeft: number;
  closesAt?: string;
}

function parseTime(iso: string | undefined): number | undefined {
  if (typeof iso !== 'string' || iso.length > 40) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

export function windowState(input: { windowClosesAt?: string; lastInboundAt?: string; channel?: string; windowOpen?: boolean }, now: Date): WindowState {
  let closes = parseTime(input.windowClosesAt);
  if (closes === undefined) {
    const last = parseTime(input.lastInboundAt);
    if (last !== undefined) closes = last + (WINDOW_HOURS[input.channel ?? ''] ?? 24) * HOUR_MS;
  }
  if (closes === undefined) {
    if (input.windowOpen === false) return { open: false, urgency: 'closed', msLeft: 0 };
    return { open: input.windowOpen === true, urgency: 'unknown', msLeft: 0 };
  }
  const msLeft = Math.max(0, closes - now.getTime());
  const closesAt = new Date(closes).toISOString();
  // The API's own verdict wins when it says closed (its clock may be ahead of the browser's).
  if (msLeft === 0 || input.windowOpen === false) return { open: false, urgency: 'closed', msLeft: 0, closesAt };
  return { open: true, urgency: msLeft <= WINDOW_SOON_MS ? 'soon' : 'open', msLeft, closesAt };
}

/** Hours and minutes of a duration, rounded down; for "3 h 05 min left". */
export function splitDuration(ms: number): { hours: number; minutes: number } {
  const totalMinutes = Math.max(0, Math.floor(ms / 60_000));
  return { hours: Math.floor(totalMinutes / 60), minutes: totalMinutes % 60 };
}

/** "3:05" style, for tight places (lists). */
export function shortDuration(ms: number): string {
  const { hours, minutes } = splitDuration(ms);
  return `${hours}:${String(minutes).padStart(2, '0')}`;
}
