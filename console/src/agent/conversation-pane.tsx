import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { AGENT_WORKSPACE_ROUTES } from '../../../lambdas/routing/routing-api-contract.ts';
import { HUMAN_AGENT_ROUTES } from '../../../lambdas/human-agent/human-agent-contract.ts';
import type { ConversationDetail, TemplatesAnswer } from '../lib/api-shapes.ts';
import { splitList } from '../lib/admin-forms.ts';
import { awaitingTick } from '../lib/ticks.ts';
import { windowState } from '../lib/window-time.ts';
import { apiGet, apiPost } from '../platform/api.ts';
import { ConsoleContext } from '../shell/console-context.ts';
import { Dialog, errorText, notify, SlaBadge, useShortcuts, useT } from '../shell/ui.tsx';
import { Composer } from './composer.tsx';
import { ContactAside } from './contact-aside.tsx';
import { MessageItem } from './message-item.tsx';

/** How often a conversation with a reply still in flight is read again. */
const TICK_POLL_MS = 4_000;

/** The close outcomes (lambdas/routing/routing-model.ts CLOSE_OUTCOMES); `converted` is a sale. */
const OUTCOMES = ['resolved', 'converted', 'unresolved', 'duplicate', 'spam', 'no_response'] as const;
type Action = 'note' | 'tags' | 'transfer' | 'close';

export function ConversationPane(props: { conversationKey: string; onBack: () => void; onGone: () => void }) {
  const t = useT();
  const ctx = useContext(ConsoleContext)!;
  const [detail, setDetail] = useState<ConversationDetail>();
  const [templates, setTemplates] = useState<TemplatesAnswer>();
  const [error, setError] = useState<string>();
  const [action, setAction] = useState<Action>();
  const [now, setNow] = useState(() => new Date());
  const history = useRef<HTMLOListElement>(null);
  const key = props.conversationKey;

  const load = async () => {
    try {
      const [d, tpl] = await Promise.all([
        apiGet<ConversationDetail>(HUMAN_AGENT_ROUTES.read.path, { key, limit: 100 }),
        apiGet<TemplatesAnswer>(AGENT_WORKSPACE_ROUTES.templates.path, { key }).catch(() => undefined),
      ]);
      setDetail({ ...d, messages: Array.isArray(d?.messages) ? d.messages : [] });
      setTemplates(tpl);
      setError(undefined);
      setNow(new Date());
    } catch (err) {
      setError(errorText(err, t));
    }
  };
  useEffect(() => {
    void load();
    const clock = setInterval(() => setNow(new Date()), 30_000);
    const off = ctx.onLive((change) => {
      if (change.conversationKey === key || change.type.startsWith('message.')) void load();
    });
    return () => {
      clearInterval(clock);
      off();
    };
  }, [key]);
  useEffect(() => {
    history.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [detail?.messages.length]);
  // Delivered and read receipts are pushed only when the stack publishes every status (statusEvents
  // `all`); by default only failures are. While a recent reply still waits for its last tick, ask again.
  useEffect(() => {
    if (!detail || !awaitingTick(detail.messages, Date.now())) return;
    const timer = setTimeout(() => void load(), TICK_POLL_MS);
    return () => clearTimeout(timer);
  }, [detail]);

  const act = async (path: string, body: Record<string, unknown>, done: string, leaves = false) => {
    try {
      await apiPost(path, { conversationKey: key, ...body });
      notify(t(done));
      setAction(undefined);
      if (leaves) {
        props.onGone();
        props.onBack();
      } else await load();
    } catch (err) {
      notify(errorText(err, t), 'error');
    }
  };

  useShortcuts((id) => {
    if (id === 'note' || id === 'tags' || id === 'transfer' || id === 'close') {
      setAction(id);
      return true;
    }
    if (id === 'handBack') {
      void act(HUMAN_AGENT_ROUTES.handBack.path, {}, 'actions.handedBack', true);
      return true;
    }
    return false;
  });

  if (error)
    return (
      <p role="alert" class="error">
        {error}
      </p>
    );
  if (!detail) return <p class="muted">{t('app.loading')}</p>;
  const c = detail.conversation;
  const name = c.customerName ?? c.customerId ?? t('conversation.unknownCustomer');
  const ctxt = c.handoffContext;
  const win = windowState(
    { windowClosesAt: templates?.windowClosesAt ?? c.windowClosesAt, lastInboundAt: c.lastInboundAt, channel: c.channel, windowOpen: templates?.windowOpen },
    now,
  );
  const tags = c.tags ?? [];

  return (
    <div class="conv-layout">
      <article class="conversation" aria-label={t('conversation.label', { name })}>
        <header class="conv-head">
          <button type="button" class="ghost back" onClick={props.onBack} aria-keyshortcuts="Alt+ArrowLeft">
            ← <span class="visually-hidden">{t('agent.back')}</span>
          </button>
          <div class="grow">
            <h2 data-testid="customer-name">{name}</h2>
            <p class="meta">
              <span class="chip">{t(`channels.${c.channel ?? 'whatsapp'}`)}</span>
              <span>
                {t('conversation.customerId')}: <code>{c.customerId}</code>
              </span>
              {c.language ? <span class="chip">{c.language.toUpperCase()}</span> : null}
              {c.slaState ? <SlaBadge state={c.slaState} /> : null}
            </p>
          </div>
          <div class="row wrap actions" role="toolbar" aria-label={t('actions.more')}>
            <button type="button" onClick={() => setAction('note')} aria-keyshortcuts="Alt+N">
              {t('actions.note')}
            </button>
            <button type="button" onClick={() => setAction('tags')} aria-keyshortcuts="Alt+G">
              {t('actions.tags')}
            </button>
            <button type="button" onClick={() => setAction('transfer')} aria-keyshortcuts="Alt+X">
              {t('actions.transfer')}
            </button>
            <button type="button" onClick={() => void act(HUMAN_AGENT_ROUTES.handBack.path, {}, 'actions.handedBack', true)} aria-keyshortcuts="Alt+B">
              {t('actions.handBack')}
            </button>
            <button type="button" class="danger" onClick={() => setAction('close')} aria-keyshortcuts="Alt+C">
              {t('actions.close')}
            </button>
          </div>
        </header>
        {ctxt || c.handoffSummary ? (
          <details class="summary" open>
            <summary>{t('conversation.handoffSummary')}</summary>
            {c.handoffSummary ? <p>{c.handoffSummary}</p> : null}
            {ctxt ? (
              <dl class="facts">
                <dt>{t('conversation.reason')}</dt>
                <dd>{ctxt.reason}</dd>
                {ctxt.intent ? (
                  <>
                    <dt>{t('conversation.intent')}</dt>
                    <dd>{ctxt.intent}</dd>
                  </>
                ) : null}
                {ctxt.language ? (
                  <>
                    <dt>{t('conversation.language')}</dt>
                    <dd>{ctxt.language}</dd>
                  </>
                ) : null}
                {Object.keys(ctxt.captured ?? {}).length ? (
                  <>
                    <dt>{t('conversation.captured')}</dt>
                    <dd>
                      {Object.entries(ctxt.captured).map(([k, v]) => (
                        <span key={k} class="chip">
                          {k}: {v}
                        </span>
                      ))}
                    </dd>
                  </>
                ) : null}
                {ctxt.lastCustomerTexts?.length ? (
                  <>
                    <dt>{t('conversation.lastCustomerTexts')}</dt>
                    <dd>
                      {ctxt.lastCustomerTexts.slice(-5).map((x, i) => (
                        <q key={i}>{x}</q>
                      ))}
                    </dd>
                  </>
                ) : null}
                {ctxt.botAnswers?.length ? (
                  <>
                    <dt>{t('conversation.botAnswers')}</dt>
                    <dd>
                      {ctxt.botAnswers.slice(-3).map((x, i) => (
                        <q key={i}>{x}</q>
                      ))}
                    </dd>
                  </>
                ) : null}
              </dl>
            ) : null}
          </details>
        ) : null}
        <div class="tags-line" role="group" aria-label={t('actions.tags')}>
          {tags.map((tag) => (
            <span key={tag} class={`chip${tag === 'vip' ? ' vip' : ''}`}>
              #{tag}
            </span>
          ))}
        </div>
        <h3 class="visually-hidden">{t('conversation.history')}</h3>
        {detail.messages.length === 0 ? <p class="muted">{t('conversation.noMessages')}</p> : null}
        <ol class="history" ref={history} tabIndex={0} aria-label={t('conversation.history')}>
          {detail.messages.map((m) => (
            <MessageItem key={m.messageId} message={m} conversationKey={key} language={ctx.language} {...(ctx.timeZone ? { timeZone: ctx.timeZone } : {})} />
          ))}
          {(detail.notes ?? []).map((n, i) => (
            <li key={`note-${i}`} class="msg msg-note">
              <div class="msg-head">
                <span class="msg-who">
                  {t('conversation.note')} {n.agentId ?? ''}
                </span>
              </div>
              <p class="msg-text">{n.text}</p>
            </li>
          ))}
        </ol>
        <Composer
          conversationKey={key}
          window={win}
          templates={templates?.templates ?? []}
          {...(c.language ? { language: c.language } : {})}
          {...(c.customerName ? { customerName: c.customerName } : {})}
          {...(ctx.me?.name ? { agentName: ctx.me.name } : {})}
          {...(ctxt?.captured ? { captured: ctxt.captured } : {})}
          onSent={() => void load()}
        />
        {action === 'note' ? (
          <NoteDialog onClose={() => setAction(undefined)} onSave={(text) => act(AGENT_WORKSPACE_ROUTES.note.path, { text }, 'actions.noteAdded')} />
        ) : null}
        {action === 'tags' ? (
          <TagsDialog
            tags={tags}
            onClose={() => setAction(undefined)}
            onSave={(add, remove) => act(AGENT_WORKSPACE_ROUTES.tags.path, { add, remove }, 'common.saved')}
          />
        ) : null}
        {action === 'transfer' ? (
          <TransferDialog onClose={() => setAction(undefined)} onSave={(to) => act(AGENT_WORKSPACE_ROUTES.transfer.path, to, 'actions.transferred', true)} />
        ) : null}
        {action === 'close' ? (
          <Dialog title={t('actions.closeTitle')} onClose={() => setAction(undefined)}>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const o = new FormData(e.currentTarget as HTMLFormElement).get('outcome');
                void act(HUMAN_AGENT_ROUTES.close.path, { outcome: String(o ?? 'resolved') }, 'actions.closed', true);
              }}
            >
              <fieldset>
                <legend>{t('actions.closeOutcome')}</legend>
                {OUTCOMES.map((o, i) => (
                  <label key={o} class="radio">
                    <input type="radio" name="outcome" value={o} defaultChecked={i === 0} /> {t(`actions.outcomes.${o}`)}
                  </label>
                ))}
              </fieldset>
              <p class="muted">{t('actions.closeHint')}</p>
              <button type="submit" class="danger" data-testid="confirm-close">
                {t('actions.close')}
              </button>
            </form>
          </Dialog>
        ) : null}
      </article>
      <ContactAside conversationKey={key} />
    </div>
  );
}

function NoteDialog(props: { onClose: () => void; onSave: (text: string) => Promise<void> }) {
  const t = useT();
  const [text, setText] = useState('');
  return (
    <Dialog title={t('actions.note')} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void props.onSave(text.trim());
        }}
      >
        <label class="field">
          <span>{t('actions.note')}</span>
          <textarea
            rows={4}
            maxLength={4000}
            value={text}
            placeholder={t('actions.notePlaceholder')}
            onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          />
        </label>
        <button type="submit" class="primary" disabled={!text.trim()}>
          {t('actions.addNote')}
        </button>
      </form>
    </Dialog>
  );
}

function TagsDialog(props: { tags: string[]; onClose: () => void; onSave: (add: string[], remove: string[]) => Promise<void> }) {
  const t = useT();
  const [text, setText] = useState('');
  const [removed, setRemoved] = useState<string[]>([]);
  return (
    <Dialog title={t('actions.tags')} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void props.onSave(splitList(text.toLowerCase(), 20), removed);
        }}
      >
        <ul class="row wrap plain">
          {props.tags
            .filter((x) => !removed.includes(x))
            .map((tag) => (
              <li key={tag}>
                <button type="button" class="chip" onClick={() => setRemoved([...removed, tag])} aria-label={t('actions.removeTag', { tag })}>
                  #{tag} ×
                </button>
              </li>
            ))}
        </ul>
        <label class="field">
          <span>
            {t('actions.addTag')} ({t('common.commaSeparated')})
          </span>
          <input value={text} maxLength={400} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary">
          {t('common.save')}
        </button>
      </form>
    </Dialog>
  );
}

function TransferDialog(props: { onClose: () => void; onSave: (to: Record<string, string>) => Promise<void> }) {
  const t = useT();
  const [kind, setKind] = useState<'queue' | 'agent'>('queue');
  const [target, setTarget] = useState('');
  const [note, setNote] = useState('');
  return (
    <Dialog title={t('actions.transfer')} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!target.trim()) return;
          void props.onSave({
            ...(kind === 'queue' ? { toQueueId: target.trim() } : { toAgentId: target.trim() }),
            ...(note.trim() ? { note: note.trim() } : {}),
          });
        }}
      >
        <fieldset>
          <legend>{t('actions.transferTo')}</legend>
          <label class="radio">
            <input type="radio" name="kind" checked={kind === 'queue'} onChange={() => setKind('queue')} /> {t('actions.toQueue')}
          </label>
          <label class="radio">
            <input type="radio" name="kind" checked={kind === 'agent'} onChange={() => setKind('agent')} /> {t('actions.toAgent')}
          </label>
        </fieldset>
        <label class="field">
          <span>{kind === 'queue' ? t('admin.queueId') : t('admin.agentId')}</span>
          <input
            required
            maxLength={128}
            pattern="[A-Za-z0-9][A-Za-z0-9._@+\-]{0,127}"
            value={target}
            onInput={(e) => setTarget((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="field">
          <span>{t('actions.transferNote')}</span>
          <textarea rows={2} maxLength={1000} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
        </label>
        <button type="submit" class="primary">
          {t('actions.transfer')}
        </button>
      </form>
    </Dialog>
  );
}
