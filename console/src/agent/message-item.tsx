import { useEffect, useRef, useState } from 'preact/hooks';
import { AGENT_WORKSPACE_ROUTES } from '../../../lambdas/routing/routing-api-contract.ts';
import type { MediaRef, MessageView } from '../lib/api-shapes.ts';
import { tickOf } from '../lib/ticks.ts';
import { formatMessageTime } from '../lib/time-format.ts';
import { ApiError, apiGet } from '../platform/api.ts';
import { useT } from '../shell/ui.tsx';

/** Only the API's own signed links are used as sources (https, or http on the local cloud). */
function safeUrl(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.length > 4096) return undefined;
  try {
    const u = new URL(url, location.href);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** Pauses before asking again for a file the pipeline is still copying to the media bucket. */
const MEDIA_RETRY_MS = [1_000, 2_000, 4_000, 8_000, 15_000];

function MediaView(props: { conversationKey: string; media: MediaRef; messageId: string; auto: boolean }) {
  const t = useT();
  const [state, setState] = useState<{ url?: string; type?: string; failed?: boolean; loading?: boolean }>({});
  const type = props.media.contentType ?? '';
  const kind = type.startsWith('image/') ? 'image' : type.startsWith('audio/') ? 'audio' : type.startsWith('video/') ? 'video' : 'document';
  const alive = useRef(true);
  const load = async (attempt = 0): Promise<void> => {
    setState({ loading: true });
    try {
      const answer = await apiGet<{ url?: string; contentType?: string }>(AGENT_WORKSPACE_ROUTES.media.path, {
        key: props.conversationKey,
        messageId: props.messageId,
        index: props.media.index,
      });
      const url = safeUrl(answer?.url);
      if (alive.current) setState(url ? { url, type: answer.contentType ?? type } : { failed: true });
    } catch (err) {
      // A customer's file is copied to the media bucket a moment after the message arrives: not
      // there yet (404/409) is asked again a few times; any other refusal is final.
      const notYet = err instanceof ApiError && (err.status === 404 || err.status === 409);
      const pause = MEDIA_RETRY_MS[attempt];
      if (notYet && pause !== undefined && alive.current) {
        setTimeout(() => alive.current && void load(attempt + 1), pause);
        return;
      }
      if (alive.current) setState({ failed: true });
    }
  };
  useEffect(() => {
    if (props.auto && (kind === 'image' || kind === 'audio')) void load();
    return () => {
      alive.current = false;
    };
  }, []);
  const label = props.media.caption ?? props.media.filename ?? t(`conversation.${kind}`);
  if (state.failed) return <p class="media-failed">{t('conversation.mediaFailed')}</p>;
  if (!state.url) {
    return (
      <button type="button" class="link" onClick={() => void load(MEDIA_RETRY_MS.length)} disabled={state.loading}>
        {state.loading ? t('conversation.mediaLoading') : `${t('conversation.showMedia')}: ${label}`}
      </button>
    );
  }
  if (kind === 'image')
    return <img class="media-image" src={state.url} alt={props.media.caption ?? t('conversation.image')} loading="lazy" data-testid="media-image" />;
  // biome-ignore lint/a11y/useMediaCaption: customers' voice notes and videos come from WhatsApp, Instagram and Messenger without caption tracks
  if (kind === 'audio') return <audio class="media-audio" src={state.url} controls preload="metadata" aria-label={label} />;
  // biome-ignore lint/a11y/useMediaCaption: customers' voice notes and videos come from WhatsApp, Instagram and Messenger without caption tracks
  if (kind === 'video') return <video class="media-video" src={state.url} controls preload="metadata" aria-label={label} />;
  return (
    <a href={state.url} download={props.media.filename ?? ''} rel="noopener noreferrer" target="_blank">
      {t('conversation.download')}: {label}
    </a>
  );
}

export function MessageItem(props: { message: MessageView; conversationKey: string; language: string; timeZone?: string }) {
  const t = useT();
  const m = props.message;
  const inbound = m.direction === 'inbound';
  const note = m.type === 'note' || m.origin === 'note';
  const who = note
    ? t('conversation.note')
    : inbound
      ? t('conversation.fromCustomer')
      : m.origin === 'bot' || (m.origin === 'agent' && !m.agentId)
        ? t('conversation.fromBot')
        : m.agentId
          ? `${t('conversation.fromAgent')} ${m.agentId}`
          : t('conversation.fromBusiness');
  const tick = tickOf(m);
  const failure =
    tick.state === 'failed'
      ? tick.errorKey && tick.errorKey !== 'errors.meta.other'
        ? t(tick.errorKey)
        : (m.error ?? (tick.errorTitle ? `${t('errors.meta.other')} (${tick.errorTitle})` : t('errors.meta.other')))
      : undefined;
  return (
    <li class={`msg ${note ? 'msg-note' : inbound ? 'msg-in' : 'msg-out'}`} data-testid="message" data-status={tick.state}>
      <div class="msg-head">
        <span class="msg-who">{who}</span>
        {m.channel ? <span class="chip">{t(`channels.${m.channel}`)}</span> : null}
        <time dateTime={m.occurredAt}>{formatMessageTime(m.occurredAt, props.language, props.timeZone)}</time>
      </div>
      {m.template ? (
        <p class="muted">
          📄 {m.template.name} ({m.template.language})
        </p>
      ) : null}
      {m.text ? <p class="msg-text">{m.text}</p> : null}
      {m.choiceTitle ? <p class="msg-choice">{t('conversation.choice', { title: m.choiceTitle })}</p> : null}
      {m.choices?.length ? (
        <div class="choices" role="group" aria-label={m.optionsLabel ?? t('conversation.choicesOffered')}>
          {m.choices.slice(0, 20).map((c) => (
            <span key={c.id} class="choice" title={c.description}>
              {c.title}
            </span>
          ))}
        </div>
      ) : null}
      {(m.media ?? []).slice(0, 10).map((media) => (
        <MediaView key={media.index} media={media} messageId={m.messageId} conversationKey={props.conversationKey} auto={inbound} />
      ))}
      {tick.state !== 'none' ? (
        <p class={`tick tick-${tick.state}`} data-testid="tick" data-tick={tick.state}>
          <span aria-hidden="true">{tick.symbol} </span>
          {t(tick.labelKey)}
          {failure ? <span class="tick-error">: {failure}</span> : null}
        </p>
      ) : null}
    </li>
  );
}
