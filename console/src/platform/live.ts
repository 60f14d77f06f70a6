/**
 * Live updates for the signed-in person: the WebSocket API (`?token=` with the access token),
 * reconnected with growing pauses; while the socket is down, `GET /agent/updates?cursor=` is
 * polled every few seconds so nothing waits for the socket to come back. A change is a wake-up
 * call: the console reloads what it shows through the API.
 */
import { AGENT_WORKSPACE_ROUTES } from '../../../lambdas/routing/routing-api-contract.ts';
import { apiGet } from './api.ts';
import { currentSession } from './auth.ts';
import { loadConsoleConfig } from './config.ts';

/** One change pushed to the console (an offer, a customer message, a receipt, a transfer…). */
export interface LiveChange {
  type: string;
  [field: string]: unknown;
}

/** `connecting` at first; `live` on the socket; `polling` while it is down; `closed` after close() or sign-out. */
export type LiveState = 'connecting' | 'live' | 'polling' | 'closed';

export interface LiveOptions {
  onState?: (state: LiveState) => void;
  /** Default 4 s. */
  pollIntervalMs?: number;
  /** First reconnect pause, doubled up to `maxReconnectMs`; default 1 s and 30 s. */
  reconnectMs?: number;
  maxReconnectMs?: number;
}

export interface LiveConnection {
  readonly state: LiveState;
  close(): void;
}

const MAX_MESSAGE_CHARS = 256 * 1024;

export function connectLive(onChange: (change: LiveChange) => void, options: LiveOptions = {}): LiveConnection {
  const pollIntervalMs = options.pollIntervalMs ?? 4_000;
  const firstPause = options.reconnectMs ?? 1_000;
  const maxPause = options.maxReconnectMs ?? 30_000;
  let state: LiveState = 'connecting';
  let socket: WebSocket | undefined;
  let pause = firstPause;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let cursor: string | undefined;
  let closed = false;

  const isLive = () => state === 'live';
  const setState = (next: LiveState) => {
    if (state === next) return;
    state = next;
    options.onState?.(next);
  };

  const deliver = (value: unknown) => {
    if (value === null || typeof value !== 'object') return;
    const items = (value as { items?: unknown }).items;
    if (Array.isArray(items)) {
      for (const item of items) deliver(item);
      return;
    }
    if (typeof (value as LiveChange).type === 'string') onChange(value as LiveChange);
  };

  const poll = async () => {
    pollTimer = undefined;
    if (closed || isLive()) return;
    try {
      const page = await apiGet<{ items?: unknown[]; cursor?: string }>(AGENT_WORKSPACE_ROUTES.updates.path, { cursor });
      if (closed || isLive()) return;
      if (typeof page?.cursor === 'string') cursor = page.cursor;
      deliver(page);
    } catch {
      // The next poll tries again; the socket may come back first.
    }
    if (!closed && !isLive()) pollTimer = setTimeout(() => void poll(), pollIntervalMs);
  };

  const startPolling = () => {
    if (closed) return;
    setState('polling');
    if (!pollTimer) pollTimer = setTimeout(() => void poll(), 0);
  };

  const connect = async () => {
    reconnectTimer = undefined;
    if (closed) return;
    const session = currentSession();
    if (!session) {
      close();
      return;
    }
    let url: URL;
    try {
      url = new URL((await loadConsoleConfig()).webSocketUrl);
    } catch {
      scheduleReconnect();
      return;
    }
    url.searchParams.set('token', session.accessToken);
    let ws: WebSocket;
    try {
      ws = new WebSocket(url.toString());
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (closed) return ws.close();
      pause = firstPause;
      if (pollTimer) clearTimeout(pollTimer);
      pollTimer = undefined;
      setState('live');
      // Anything that happened while the socket was down is caught up by the listener's reload.
      onChange({ type: 'live.connected' });
    };
    ws.onmessage = (message) => {
      if (typeof message.data !== 'string' || message.data.length > MAX_MESSAGE_CHARS) return;
      try {
        deliver(JSON.parse(message.data));
      } catch {
        // Not JSON: not a change the console knows.
      }
    };
    ws.onclose = () => {
      if (socket === ws) socket = undefined;
      if (closed) return;
      startPolling();
      scheduleReconnect();
    };
    ws.onerror = () => {
      // onclose follows.
    };
  };

  const scheduleReconnect = () => {
    if (closed || reconnectTimer) return;
    startPolling();
    reconnectTimer = setTimeout(() => void connect(), pause);
    pause = Math.min(pause * 2, maxPause);
  };

  function close() {
    if (closed) return;
    closed = true;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    if (pollTimer) clearTimeout(pollTimer);
    socket?.close();
    socket = undefined;
    setState('closed');
  }

  void connect();
  return {
    get state() {
      return state;
    },
    close,
  };
}
