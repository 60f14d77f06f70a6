import { SHORTCUTS } from '../lib/shortcuts.ts';
import { Dialog, useT } from './ui.tsx';

/** Every shortcut, by where it works (`?` opens it, Esc closes it). */
export function HelpOverlay(props: { onClose: () => void }) {
  const t = useT();
  const scopes = ['global', 'agent', 'conversation'] as const;
  const scopeKey = { global: 'shortcuts.scopeGlobal', agent: 'shortcuts.scopeAgent', conversation: 'shortcuts.scopeConversation' };
  return (
    <Dialog title={t('shortcuts.title')} onClose={props.onClose}>
      {scopes.map((scope) => (
        <section key={scope}>
          <h3>{t(scopeKey[scope])}</h3>
          <dl class="shortcuts">
            {SHORTCUTS.filter((s) => s.scope === scope).map((s) => (
              <div key={s.id}>
                <dt>
                  <kbd>{s.keys}</kbd>
                </dt>
                <dd>{t(s.labelKey)}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </Dialog>
  );
}
