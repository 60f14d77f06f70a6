import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { i18next } from '../i18n/index.ts';
import { ApiError } from '../platform/api.ts';
import type { ShortcutId } from '../lib/shortcuts.ts';

/** The translate function; components using it re-render when the language changes. */
export function useT(): (key: string, options?: Record<string, unknown>) => string {
  const [, setLanguage] = useState(i18next.language);
  useEffect(() => {
    const changed = (lng: string) => setLanguage(lng);
    i18next.on('languageChanged', changed);
    return () => i18next.off('languageChanged', changed);
  }, []);
  return (key, options) => i18next.t(key, options ?? {}) as string;
}

/** An API failure in the person's words; the API's own message only where it explains a 400/409. */
export function errorText(err: unknown, t: (key: string) => string): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('errors.network');
    if (err.status === 401) return t('app.sessionExpired');
    if (err.status === 403) return t('errors.forbidden');
    if (err.status === 404) return t('errors.notFound');
    if (err.status === 400 || err.status === 409) return err.message.slice(0, 300) || t('errors.invalid');
  }
  return t('errors.generic');
}

/** The body of an API refusal (bot settings' `problems`). */
export function errorBody(err: unknown): unknown {
  return err instanceof ApiError ? err.body : undefined;
}

// Shortcuts are read once by the shell and handed to whichever view listens.
type ShortcutListener = (id: ShortcutId) => boolean;
const shortcutListeners = new Set<ShortcutListener>();
export function emitShortcut(id: ShortcutId): boolean {
  for (const l of [...shortcutListeners].reverse()) if (l(id) === true) return true;
  return false;
}
export function useShortcuts(listener: ShortcutListener): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => {
    const l: ShortcutListener = (id) => ref.current(id);
    shortcutListeners.add(l);
    return () => void shortcutListeners.delete(l);
  }, []);
}

// Short notices read out politely by screen readers.
type Notice = { id: number; text: string; kind: 'info' | 'error' };
const noticeListeners = new Set<(n: Notice) => void>();
let noticeId = 0;
export function notify(text: string, kind: Notice['kind'] = 'info'): void {
  const n = { id: ++noticeId, text, kind };
  for (const l of noticeListeners) l(n);
}
export function Notices() {
  const [items, setItems] = useState<Notice[]>([]);
  useEffect(() => {
    const l = (n: Notice) => {
      setItems((old) => [...old.slice(-3), n]);
      setTimeout(() => setItems((old) => old.filter((o) => o.id !== n.id)), 5000);
    };
    noticeListeners.add(l);
    return () => void noticeListeners.delete(l);
  }, []);
  return (
    <div class="notices" role="status" aria-live="polite">
      {items.map((n) => (
        <p key={n.id} class={`notice notice-${n.kind}`}>
          {n.text}
        </p>
      ))}
    </div>
  );
}

/** A modal dialog: focus moves in, Escape or the close button leaves, focus returns where it was. */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('input, select, textarea, button:not(.dialog-close)');
    (first ?? ref.current)?.focus();
    return () => before?.focus?.();
  }, []);
  useShortcuts((id) => {
    if (id !== 'dismiss') return false;
    props.onClose();
    return true;
  });
  const trap = (e: KeyboardEvent) => {
    if (e.key !== 'Tab' || !ref.current) return;
    const focusable = [...ref.current.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input, select, textarea, [tabindex="0"]')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last?.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first?.focus();
    }
  };
  const titleId = `dialog-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop outside the dialog closes it; keyboard users have Escape and the close button
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop outside the dialog closes it; keyboard users have Escape and the close button
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div
        class={`dialog${props.wide ? ' dialog-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={ref}
        tabIndex={-1}
        onKeyDown={trap}
      >
        <header class="dialog-head">
          <h2 id={titleId}>{props.title}</h2>
          <button type="button" class="dialog-close" onClick={props.onClose} aria-label="×">
            ×
          </button>
        </header>
        {props.children}
      </div>
    </div>
  );
}

/** The SLA state in words and colour (never colour alone). */
export function SlaBadge(props: { state: string | undefined }) {
  const t = useT();
  const state = props.state === 'ok' || props.state === 'warning' || props.state === 'breached' ? props.state : 'none';
  const mark = { ok: '●', warning: '▲', breached: '■', none: '○' }[state];
  return (
    <span class={`badge sla-${state}`}>
      <span aria-hidden="true">{mark} </span>
      {t(`sla.${state}`)}
    </span>
  );
}

/** Data loaded from the API, reloaded when `deps` change or `reload()` is called. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState((s) => ({ ...s, error, loading: false })),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

export function asArray<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

export function itemsOf<T>(value: unknown): T[] {
  if (Array.isArray(value)) return value as T[];
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of ['items', 'templates', 'actions', 'accounts']) if (Array.isArray(o[k])) return o[k] as T[];
  }
  return [];
}
