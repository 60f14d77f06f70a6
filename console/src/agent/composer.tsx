import { useEffect, useRef, useState } from 'preact/hooks';
import { AGENT_WORKSPACE_ROUTES } from '../../../lambdas/routing/routing-api-contract.ts';
import { HUMAN_AGENT_ROUTES } from '../../../lambdas/human-agent/human-agent-contract.ts';
import type { Macro, TemplateOption } from '../lib/api-shapes.ts';
import { fillMacro, firstNameOf, macroText } from '../lib/macro-fill.ts';
import { sendableFromForm, templateFields, templateParameters, templatePreview, type TemplateField } from '../lib/template-form.ts';
import { replyBody } from '../lib/reply-body.ts';
import { splitDuration, type WindowState } from '../lib/window-time.ts';
import { apiGet, apiPost } from '../platform/api.ts';
import { Dialog, errorText, notify, useShortcuts, useT } from '../shell/ui.tsx';

const MAX_TEXT = 4096;

/**
 * The reply box. Inside the window: text, macros (filled, still editable), an attachment by URL.
 * With the window closed: only approved templates, with a form for their variables.
 */
export function Composer(props: {
  conversationKey: string;
  window: WindowState;
  templates: TemplateOption[];
  language?: string;
  customerName?: string;
  agentName?: string;
  captured?: Record<string, string>;
  onSent: () => void;
}) {
  const t = useT();
  const [text, setText] = useState('');
  const [attachment, setAttachment] = useState('');
  const [usedMacro, setUsedMacro] = useState<{ macroId: string; text: string }>();
  const [busy, setBusy] = useState(false);
  const [picker, setPicker] = useState<'macros' | 'templates' | undefined>();
  const box = useRef<HTMLTextAreaElement>(null);
  const closed = !props.window.open && props.window.urgency === 'closed';

  const send = async () => {
    const body = text.trim();
    if (!body || busy || closed) return;
    if (attachment && !/^https:\/\/\S{1,2000}$/.test(attachment.trim())) return notify(t('composer.attachInvalid'), 'error');
    setBusy(true);
    try {
      await apiPost(
        HUMAN_AGENT_ROUTES.reply.path,
        replyBody({
          conversationKey: props.conversationKey,
          requestId: crypto.randomUUID(),
          text: body,
          attachment,
          ...(usedMacro ? { macro: usedMacro } : {}),
        }),
      );
      setText('');
      setAttachment('');
      setUsedMacro(undefined);
      notify(t('composer.sent'));
      props.onSent();
    } catch (err) {
      notify(errorText(err, t), 'error');
    } finally {
      setBusy(false);
    }
  };

  useShortcuts((id) => {
    if (id === 'focusComposer' && box.current) {
      box.current.focus();
      return true;
    }
    if (id === 'send' && document.activeElement === box.current) {
      void send();
      return true;
    }
    if (id === 'macros' && !closed) {
      setPicker('macros');
      return true;
    }
    if (id === 'templates') {
      setPicker('templates');
      return true;
    }
    return false;
  });

  const { hours, minutes } = splitDuration(props.window.msLeft);
  const windowLine = closed
    ? t('composer.windowClosed')
    : props.window.urgency === 'unknown'
      ? t('composer.windowUnknown')
      : t(props.window.urgency === 'soon' ? 'composer.windowSoon' : 'composer.windowLeft', { hours, minutes });

  return (
    <section class="composer" aria-label={t('composer.label')}>
      <p class={`window window-${props.window.urgency}`} data-testid="window">
        <span aria-hidden="true">⏱ </span>
        {windowLine}
      </p>
      {closed ? (
        <div class="row">
          <button type="button" class="primary" onClick={() => setPicker('templates')} aria-keyshortcuts="Alt+T" data-testid="open-templates">
            {t('composer.templates')}
          </button>
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <label class="visually-hidden" for="reply-text">
            {t('composer.label')}
          </label>
          <textarea
            id="reply-text"
            ref={box}
            rows={3}
            maxLength={MAX_TEXT}
            value={text}
            placeholder={t('composer.placeholder')}
            aria-keyshortcuts="R Control+Enter"
            onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
            data-testid="reply-text"
          />
          <div class="row wrap">
            <button type="button" onClick={() => setPicker('macros')} aria-keyshortcuts="Alt+M" data-testid="open-macros">
              {t('composer.macros')}
            </button>
            <label class="inline grow">
              <span>{t('composer.attach')}</span>
              <input
                type="url"
                value={attachment}
                placeholder="https://"
                maxLength={2000}
                title={t('composer.attachHint')}
                onInput={(e) => setAttachment((e.target as HTMLInputElement).value)}
              />
            </label>
            <button type="submit" class="primary" disabled={busy || !text.trim()} data-testid="send">
              {busy ? t('composer.sending') : t('composer.send')}
            </button>
          </div>
        </form>
      )}
      {picker === 'macros' ? (
        <MacroPicker
          language={props.language}
          values={{
            first_name: firstNameOf(props.customerName),
            name: props.customerName,
            agent_name: props.agentName,
            order_id: props.captured?.order_id ?? props.captured?.orderId,
          }}
          onClose={() => setPicker(undefined)}
          onPick={(filled, macroId) => {
            const next = (text.trim() ? `${text.trimEnd()}\n${filled}` : filled).slice(0, MAX_TEXT);
            setText(next);
            // Alone and unedited, the reply names the macro (the API fills it and adds its tags); else it is the agent's text.
            setUsedMacro(text.trim() ? undefined : { macroId, text: next });
            setPicker(undefined);
            requestAnimationFrame(() => box.current?.focus());
          }}
        />
      ) : null}
      {picker === 'templates' ? (
        <TemplatePicker conversationKey={props.conversationKey} templates={props.templates} onClose={() => setPicker(undefined)} onSent={props.onSent} />
      ) : null}
    </section>
  );
}

function MacroPicker(props: {
  language?: string;
  values: Record<string, string | undefined>;
  onClose: () => void;
  onPick: (text: string, macroId: string) => void;
}) {
  const t = useT();
  const [macros, setMacros] = useState<Macro[]>([]);
  const [filter, setFilter] = useState('');
  const [chosen, setChosen] = useState<string>();
  useEffect(() => {
    apiGet<{ items?: Macro[] }>(AGENT_WORKSPACE_ROUTES.macros.path, props.language ? { language: props.language } : undefined).then(
      (a) => setMacros(Array.isArray(a?.items) ? a.items : []),
      (err: unknown) => notify(errorText(err, t), 'error'),
    );
  }, []);
  const shown = macros.filter((m) => !filter || `${m.name} ${m.macroId}`.toLowerCase().includes(filter.toLowerCase()));
  const macro = macros.find((m) => m.macroId === chosen);
  const raw = macro ? macroText(macro.texts, props.language) : undefined;
  const preview = raw ? fillMacro(raw, props.values) : undefined;
  return (
    <Dialog title={t('composer.macroPicker')} onClose={props.onClose}>
      <label class="field">
        <span>{t('composer.macroFilter')}</span>
        <input type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      </label>
      {shown.length === 0 ? <p class="muted">{t('composer.noMacros')}</p> : null}
      {/* biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: a list of buttons exposed as a listbox so the chosen macro is announced as selected */}
      <ul class="pick-list" role="listbox" aria-label={t('composer.macros')}>
        {shown.map((m) => (
          // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: each option holds the button that takes the focus and the click
          // biome-ignore lint/a11y/useFocusableInteractive: each option holds the button that takes the focus and the click
          <li key={m.macroId} role="option" aria-selected={chosen === m.macroId}>
            <button type="button" class={chosen === m.macroId ? 'selected' : ''} onClick={() => setChosen(m.macroId)} data-testid="macro">
              {m.name}
            </button>
          </li>
        ))}
      </ul>
      {preview ? (
        <div class="preview">
          <h3>{t('composer.preview')}</h3>
          <p class="msg-text">{preview.text}</p>
          {preview.missing.length ? <p class="warning">{t('composer.macroMissing', { names: preview.missing.join(', ') })}</p> : null}
          <button type="button" class="primary" onClick={() => props.onPick(preview.text, macro!.macroId)} data-testid="insert-macro">
            {t('composer.insert')}
          </button>
        </div>
      ) : null}
    </Dialog>
  );
}

function TemplatePicker(props: { conversationKey: string; templates: TemplateOption[]; onClose: () => void; onSent: () => void }) {
  const t = useT();
  const [index, setIndex] = useState(0);
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const template = props.templates[index];
  // One field per variable of the header, body and buttons, as the workspace API describes the template.
  const fields = template ? templateFields(template) : [];
  const sendable = template ? sendableFromForm(template) : false;
  const preview = template ? templatePreview(template, values) : undefined;
  const labelOf = (f: TemplateField) =>
    f.part === 'body'
      ? /^\d+$/.test(f.key)
        ? t('composer.templateParam', { n: Number(f.key) })
        : f.key
      : f.part === 'header'
        ? `{{${f.key}}}`
        : `#${Number(f.key) + 1}`;
  const send = async () => {
    if (!template || !sendable) return;
    setBusy(true);
    try {
      await apiPost(AGENT_WORKSPACE_ROUTES.sendTemplate.path, {
        conversationKey: props.conversationKey,
        templateName: template.name,
        language: template.language,
        parameters: templateParameters(template, values),
        requestId: crypto.randomUUID(),
      });
      notify(t('composer.templateSent'));
      props.onSent();
      props.onClose();
    } catch (err) {
      notify(errorText(err, t), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('composer.templatePicker')} onClose={props.onClose}>
      {props.templates.length === 0 ? (
        <p class="muted">{t('composer.noTemplates')}</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <label class="field">
            <span>{t('composer.templates')}</span>
            <select
              value={String(index)}
              onChange={(e) => {
                setIndex(Number((e.target as HTMLSelectElement).value));
                setValues({});
              }}
              data-testid="template-select"
            >
              {props.templates.map((tpl, i) => (
                <option key={`${tpl.name}-${tpl.language}`} value={String(i)}>
                  {tpl.name} ({tpl.language})
                </option>
              ))}
            </select>
          </label>
          {fields.map((f) => (
            <label class="field" key={f.id}>
              <span>{labelOf(f)}</span>
              <input
                required
                maxLength={1024}
                value={values[f.id] ?? ''}
                onInput={(e) => setValues({ ...values, [f.id]: (e.target as HTMLInputElement).value })}
              />
            </label>
          ))}
          {preview ? (
            <div class="preview">
              <h3>{t('composer.preview')}</h3>
              <p class="msg-text">{preview}</p>
            </div>
          ) : null}
          {!sendable ? <p class="muted">{t('common.notAvailable')}</p> : null}
          <button type="submit" class="primary" disabled={busy || !sendable} data-testid="send-template">
            {t('composer.templateSend')}
          </button>
        </form>
      )}
    </Dialog>
  );
}
