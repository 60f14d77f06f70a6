import { createContext } from 'preact';
import type { ConsoleSession } from '../platform/auth.ts';
import type { LiveChange } from '../platform/live.ts';

export interface ConsoleState {
  session: ConsoleSession;
  /** The business's time zone (bot settings or queues); undefined: the browser's. */
  timeZone?: string;
  language: string;
  /** The signed-in person as a routing agent (`GET /agent/me`), when they are one. */
  me?: { agentId: string; name?: string; presence?: string; load?: number; capacity?: number; languages?: string[] };
  /** Subscribe to live changes; returns the unsubscribe. */
  onLive: (listener: (change: LiveChange) => void) => () => void;
}

export const ConsoleContext = createContext<ConsoleState | undefined>(undefined);
