import { lazy, Suspense } from 'preact/compat';
import { useState } from 'preact/hooks';
import { useT } from '../shell/ui.tsx';

// The contact panel and its dialogs load when the panel is first opened: the first load stays small.
const ContactPanel = lazy(() => import('../contacts/contact-panel.tsx').then((m) => ({ default: m.ContactPanel })));

const STORAGE_KEY = 'console.contactPanel';
/** Wide enough for the panel beside the conversation (styles.css puts it there). */
const SIDE_BY_SIDE = '(min-width: 1100px)';

function initiallyOpen(): boolean {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (stored === 'open' || stored === 'closed') return stored === 'open';
  } catch {
    /* private mode: decide by the width */
  }
  return typeof matchMedia === 'function' && matchMedia(SIDE_BY_SIDE).matches;
}

/** The open conversation's contact, beside it on a wide screen and below it on a narrow one; the person's choice to open or close it is kept. */
export function ContactAside(props: { conversationKey: string }) {
  const t = useT();
  const [open, setOpen] = useState(initiallyOpen);
  const toggle = (next: boolean) => {
    setOpen(next);
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, next ? 'open' : 'closed');
    } catch {
      /* the choice lasts this visit */
    }
  };
  return (
    <details
      class="contact-panel"
      open={open}
      onToggle={(e) => {
        // Also fired when the panel is first drawn open: only a change is the person's choice.
        const next = (e.currentTarget as HTMLDetailsElement).open;
        if (next !== open) toggle(next);
      }}
      data-testid="contact-panel"
    >
      <summary>{t('contacts.open')}</summary>
      {open ? (
        <Suspense fallback={<p class="muted">{t('app.loading')}</p>}>
          <ContactPanel key={props.conversationKey} conversationKey={props.conversationKey} />
        </Suspense>
      ) : null}
    </details>
  );
}
