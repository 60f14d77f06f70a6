import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { AGENT_WORKSPACE_ROUTES } from '../../../lambdas/routing/routing-api-contract.ts';
import type { ConversationSummary, Inbox } from '../lib/api-shapes.ts';
import { formatMessageTime, formatSeconds, sinceSeconds } from '../lib/time-format.ts';
import { apiGet, apiPost } from '../platform/api.ts';
import { ConsoleContext } from '../shell/console-context.ts';
import { errorText, notify, SlaBadge, useShortcuts, useT } from '../shell/ui.tsx';
import { playOfferChime, showOfferNotification } from '../shell/alert-sound.ts';
import { ConversationPane } from './conversation-pane.tsx';

/** Changes that may alter the agent's lists. */
const INBOX_CHANGES = /^(conversation\.|agent\.|message\.received|sla\.)/;

/** The agent's workspace: offers and assigned conversations on the left, the open one on the right. */
export function AgentView(props: { conversationKey?: string; onOpen: (key?: string) => void }) {
  const t = useT();
  const ctx = useContext(ConsoleContext)!;
  const [inbox, setInbox] = useState<Inbox>({ offers: [], assigned: [] });
  const [error, setError] = useState<string>();
  const known = useRef<Set<string> | undefined>(undefined);
  const listRef = useRef<HTMLDivElement>(null);

  const load = async () => {
    try {
      const answer = await apiGet<Partial<Inbox>>(AGENT_WORKSPACE_ROUTES.inbox.path);
      const next = { offers: Array.isArray(answer?.offers) ? answer.offers : [], assigned: Array.isArray(answer?.assigned) ? answer.assigned : [] };
      // A new offer rings (not the ones already there when the page opened).
      const fresh = known.current ? next.offers.filter((o) => !known.current!.has(o.conversationKey)) : [];
      known.current = new Set(next.offers.map((o) => o.conversationKey));
      if (fresh.length) {
        playOfferChime();
        const first = fresh[0]!;
        showOfferNotification(
          t('agent.newOffer'),
          t('agent.newOfferBody', { name: first.customerName ?? t('conversation.unknownCustomer'), channel: t(`channels.${first.channel ?? 'whatsapp'}`) }),
        );
        notify(t('agent.newOffer'));
      }
      setInbox(next);
      setError(undefined);
    } catch (err) {
      setError(errorText(err, t));
    }
  };
  useEffect(() => {
    void load();
    return ctx.onLive((change) => {
      if (INBOX_CHANGES.test(change.type)) void load();
    });
  }, []);

  const accept = async (key: string) => {
    try {
      await apiPost(AGENT_WORKSPACE_ROUTES.acceptOffer.path, { conversationKey: key });
      notify(t('agent.accepted'));
      await load();
      props.onOpen(key);
    } catch (err) {
      notify(errorText(err, t), 'error');
      await load();
    }
  };
  const decline = async (key: string) => {
    try {
      await apiPost(AGENT_WORKSPACE_ROUTES.declineOffer.path, { conversationKey: key });
      notify(t('agent.declined'));
    } catch (err) {
      notify(errorText(err, t), 'error');
    }
    await load();
  };

  const order = inbox.assigned.map((c) => c.conversationKey);
  useShortcuts((id) => {
    const firstOffer = inbox.offers[0];
    if (id === 'acceptOffer' && firstOffer) {
      void accept(firstOffer.conversationKey);
      return true;
    }
    if (id === 'declineOffer' && firstOffer) {
      void decline(firstOffer.conversationKey);
      return true;
    }
    if ((id === 'nextConversation' || id === 'previousConversation') && order.length) {
      const at = props.conversationKey ? order.indexOf(props.conversationKey) : -1;
      const next = id === 'nextConversation' ? Math.min(order.length - 1, at + 1) : Math.max(0, at - 1);
      props.onOpen(order[next]);
      requestAnimationFrame(() => listRef.current?.querySelector<HTMLElement>(`[aria-current="true"]`)?.focus());
      return true;
    }
    if (id === 'backToList' && props.conversationKey) {
      props.onOpen(undefined);
      return true;
    }
    return false;
  });

  const now = new Date();
  const item = (c: ConversationSummary, offer: boolean) => {
    const name = c.customerName ?? c.customerId ?? t('conversation.unknownCustomer');
    const waiting = sinceSeconds(c.waitingSince ?? c.queuedAt, now);
    const vip = (c.tags ?? []).includes('vip');
    return (
      <li key={c.conversationKey} class={`card${props.conversationKey === c.conversationKey ? ' selected' : ''}`} data-testid={offer ? 'offer' : 'assigned'}>
        {offer ? (
          <div class="card-body">
            <strong>{name}</strong>
          </div>
        ) : (
          <a
            class="card-body"
            href={`#/agent/c/${encodeURIComponent(c.conversationKey)}`}
            aria-current={props.conversationKey === c.conversationKey ? 'true' : undefined}
          >
            <strong>{name}</strong>
          </a>
        )}
        <div class="meta">
          <span class={`chip ch-${c.channel}`}>{t(`channels.${c.channel ?? 'whatsapp'}`)}</span>
          {c.language ? <span class="chip">{c.language.toUpperCase()}</span> : null}
          {vip ? <span class="chip vip">{t('agent.vip')}</span> : null}
          {(c.queueName ?? c.queueId) ? <span>{t('agent.queue', { queue: c.queueName ?? c.queueId })}</span> : null}
          {waiting !== undefined ? <span>{t('agent.waiting', { time: formatSeconds(waiting) })}</span> : null}
          {c.slaState ? <SlaBadge state={c.slaState} /> : null}
          {!offer && c.lastMessageAt ? <time dateTime={c.lastMessageAt}>{formatMessageTime(c.lastMessageAt, ctx.language, ctx.timeZone)}</time> : null}
        </div>
        {offer ? (
          <div class="row">
            <button type="button" class="primary" onClick={() => void accept(c.conversationKey)} aria-keyshortcuts="Alt+A" data-testid="accept">
              {t('agent.accept')}
            </button>
            <button type="button" onClick={() => void decline(c.conversationKey)} aria-keyshortcuts="Alt+D">
              {t('agent.decline')}
            </button>
          </div>
        ) : null}
      </li>
    );
  };

  return (
    <div class={`split${props.conversationKey ? ' has-detail' : ''}`}>
      <div class="list-pane" ref={listRef}>
        {ctx.me?.capacity ? <p class="muted">{t('agent.load', { load: inbox.assigned.length + inbox.offers.length, capacity: ctx.me.capacity })}</p> : null}
        {error ? (
          <p role="alert" class="error">
            {error}
          </p>
        ) : null}
        <section aria-labelledby="offers-h">
          <h2 id="offers-h">
            {t('agent.offers')} <span class="count">{inbox.offers.length}</span>
          </h2>
          {inbox.offers.length ? <ul class="cards">{inbox.offers.map((c) => item(c, true))}</ul> : <p class="muted">{t('agent.offersEmpty')}</p>}
        </section>
        <section aria-labelledby="mine-h">
          <h2 id="mine-h">
            {t('agent.conversations')} <span class="count">{inbox.assigned.length}</span>
          </h2>
          {inbox.assigned.length ? <ul class="cards">{inbox.assigned.map((c) => item(c, false))}</ul> : <p class="muted">{t('agent.conversationsEmpty')}</p>}
        </section>
      </div>
      <div class="detail-pane">
        {props.conversationKey ? (
          <ConversationPane
            key={props.conversationKey}
            conversationKey={props.conversationKey}
            onBack={() => props.onOpen(undefined)}
            onGone={() => void load()}
          />
        ) : (
          <p class="muted center">{t('agent.selectConversation')}</p>
        )}
      </div>
    </div>
  );
}
