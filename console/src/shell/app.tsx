import { lazy, Suspense } from 'preact/compat';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AGENT_WORKSPACE_ROUTES } from '../../../lambdas/routing/routing-api-contract.ts';
import { ADMIN_ROUTES } from '../../../lambdas/identity/admin-routes.ts';
import { LANGUAGES, setLanguage, i18next, type Language } from '../i18n/index.ts';
import { isTimeZone } from '../lib/time-format.ts';
import { matchShortcut } from '../lib/shortcuts.ts';
import { allowedViews, hashFor, resolveRoute, type Route, type ViewName } from '../lib/views.ts';
import { apiGet, apiPost, onUnauthorized } from '../platform/api.ts';
import { AuthError, handleRedirect, signIn, signOut, type ConsoleSession } from '../platform/auth.ts';
import { connectLive, type LiveChange, type LiveState } from '../platform/live.ts';
import { AgentView } from '../agent/agent-view.tsx';
import { ConsoleContext, type ConsoleState } from './console-context.ts';
import { HelpOverlay } from './help-overlay.tsx';
import { emitShortcut, errorText, Notices, notify, useT } from './ui.tsx';
import { askNotificationPermission } from './alert-sound.ts';

// The supervisor's and admin's screens load only for those who open them: an agent's first load stays small.
const SupervisorView = lazy(() => import('../supervisor/supervisor-view.tsx').then((m) => ({ default: m.SupervisorView })));
const AdminView = lazy(() => import('../admin/admin-view.tsx').then((m) => ({ default: m.AdminView })));
const CampaignsView = lazy(() => import('../admin/campaigns-view.tsx').then((m) => ({ default: m.CampaignsView })));
const SpendView = lazy(() => import('../admin/spend-view.tsx').then((m) => ({ default: m.SpendView })));

const PRESENCES = ['online', 'away', 'offline'] as const;
/** `GET /agent/me`: the agent, their display name and the business's time zone (route-workspace-request.ts). */
type MeAnswer = { agent?: ConsoleState['me'] & { presence?: string }; displayName?: string; timezone?: string; load?: number; capacity?: number };

export function App() {
  const t = useT();
  const [session, setSession] = useState<ConsoleSession | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>();
  useEffect(() => {
    handleRedirect().then(
      (s) => setSession(s),
      (err: unknown) => {
        setFailure(err instanceof AuthError ? err.message : t('errors.generic'));
        setSession(null);
      },
    );
    return onUnauthorized(() => setSession(null));
  }, []);
  if (session === undefined) return <p class="splash">{t('app.signingIn')}</p>;
  if (session === null) {
    return (
      <main id="main" class="splash">
        <h1>{t('app.title')}</h1>
        {failure ? <p role="alert">{failure}</p> : null}
        <button type="button" class="primary" onClick={() => void signIn()}>
          {t('app.signIn')}
        </button>
      </main>
    );
  }
  return <SignedIn session={session} />;
}

function SignedIn({ session }: { session: ConsoleSession }) {
  const t = useT();
  const views = allowedViews(session.roles);
  const [route, setRoute] = useState<Route>(() => resolveRoute(location.hash, session.roles));
  const [helpOpen, setHelpOpen] = useState(false);
  const [me, setMe] = useState<ConsoleState['me']>();
  const [timeZone, setTimeZone] = useState<string | undefined>();
  const [liveState, setLiveState] = useState<LiveState>('connecting');
  const listeners = useRef(new Set<(c: LiveChange) => void>());

  useEffect(() => {
    const onHash = () => setRoute(resolveRoute(location.hash, session.roles));
    window.addEventListener('hashchange', onHash);
    // The address may have changed between the first render and now (a link opened during sign-in).
    const current = resolveRoute(location.hash, session.roles);
    setRoute(current);
    if (location.hash !== hashFor(current)) history.replaceState(null, '', hashFor(current));
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const loadMe = useCallback(() => {
    if (!views.includes('agent')) return;
    apiGet<MeAnswer>(AGENT_WORKSPACE_ROUTES.me.path).then(
      (answer) => {
        const agent = answer?.agent;
        if (agent && typeof agent.agentId === 'string') {
          const name = typeof answer.displayName === 'string' && answer.displayName.trim() ? answer.displayName.slice(0, 100) : agent.name;
          setMe({ ...agent, ...(name ? { name } : {}), load: answer.load ?? agent.load, capacity: answer.capacity ?? agent.capacity });
        }
        if (isTimeZone(answer?.timezone)) setTimeZone(answer.timezone);
      },
      () => {
        setMe(undefined);
        // Not a routing agent: a supervisor or admin reads the time zone from the bot settings.
        if (views.includes('supervisor')) {
          apiGet<{ settings?: { timezone?: string } }>(ADMIN_ROUTES.getBotSettings.path, { businessId: session.businessId }).then(
            (s) => isTimeZone(s?.settings?.timezone) && setTimeZone(s.settings!.timezone),
            () => undefined,
          );
        }
      },
    );
  }, []);

  useEffect(() => {
    loadMe();
    const live = connectLive(
      (change) => {
        if (change.type === 'agent.presence_changed' && change.agentId === session.actor) loadMe();
        for (const l of listeners.current) l(change);
      },
      { onState: setLiveState },
    );
    return () => live.close();
  }, []);

  const go = (next: Route) => {
    location.hash = hashFor(next);
  };
  const goView = (view: ViewName) => views.includes(view) && go({ view });

  const changePresence = async (presence: string) => {
    askNotificationPermission();
    try {
      const answer = await apiPost<{ agent?: { presence?: string } } & { presence?: string }>(AGENT_WORKSPACE_ROUTES.presence.path, { presence });
      setMe((old) => (old ? { ...old, presence: answer?.agent?.presence ?? answer?.presence ?? presence } : old));
      notify(t('presence.changed', { presence: t(`presence.${presence}`) }));
    } catch (err) {
      notify(errorText(err, t), 'error');
    }
  };
  const changeLanguage = (lng: string) => void setLanguage(lng as Language);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing = !!target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      const id = matchShortcut({ key: e.key, code: e.code, altKey: e.altKey, ctrlKey: e.ctrlKey, metaKey: e.metaKey, typing });
      if (!id) return;
      if (id === 'help') {
        e.preventDefault();
        setHelpOpen((o) => !o);
        return;
      }
      if (id === 'viewAgent' || id === 'viewSupervisor' || id === 'viewAdmin') {
        e.preventDefault();
        goView(id === 'viewAgent' ? 'agent' : id === 'viewSupervisor' ? 'supervisor' : 'admin');
        return;
      }
      if (id === 'presence' && me) {
        e.preventDefault();
        const i = PRESENCES.indexOf((me.presence ?? 'offline') as (typeof PRESENCES)[number]);
        void changePresence(PRESENCES[(i + 1) % PRESENCES.length]!);
        return;
      }
      if (id === 'language') {
        e.preventDefault();
        const i = LANGUAGES.indexOf(i18next.language as Language);
        changeLanguage(LANGUAGES[(i + 1) % LANGUAGES.length]!);
        return;
      }
      if (emitShortcut(id)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [me, views.join()]);

  const state = useMemo<ConsoleState>(
    () => ({
      session,
      language: i18next.language,
      ...(timeZone ? { timeZone } : {}),
      ...(me ? { me } : {}),
      onLive: (l) => {
        listeners.current.add(l);
        return () => void listeners.current.delete(l);
      },
    }),
    [session, timeZone, me, i18next.language],
  );

  return (
    <ConsoleContext.Provider value={state}>
      <a class="skip" href="#main">
        {t('app.skipToContent')}
      </a>
      <header class="topbar">
        <h1 class="brand">{t('app.title')}</h1>
        <nav aria-label={t('app.views')} class="views">
          {views.map((v) => (
            <a key={v} href={hashFor({ view: v })} aria-current={route.view === v ? 'page' : undefined}>
              {t(`nav.${v}`)}
            </a>
          ))}
        </nav>
        <div class="who">
          <span class="person" title={t('app.signedInAs', { actor: session.actor })}>
            {me?.name ?? session.displayName ?? session.actor}
          </span>
          <span class="business">
            <span class="visually-hidden">{t('app.business')}: </span>
            {session.businessId}
          </span>
          <span class={`live live-${liveState}`} title={t(liveState === 'live' ? 'app.live' : liveState === 'polling' ? 'app.polling' : 'app.offline')}>
            <span aria-hidden="true">{liveState === 'live' ? '●' : '○'}</span>
            <span class="visually-hidden">{t(liveState === 'live' ? 'app.live' : liveState === 'polling' ? 'app.polling' : 'app.offline')}</span>
          </span>
        </div>
        {views.includes('agent') ? (
          <label class="control">
            <span>{t('presence.label')}</span>
            <select
              value={me?.presence ?? 'offline'}
              disabled={!me}
              title={me ? undefined : t('presence.notAgent')}
              onChange={(e) => void changePresence((e.target as HTMLSelectElement).value)}
              data-testid="presence"
              class={`presence presence-${me?.presence ?? 'offline'}`}
            >
              {PRESENCES.map((p) => (
                <option key={p} value={p}>
                  {t(`presence.${p}`)}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label class="control">
          <span>{t('language.label')}</span>
          <select value={i18next.language} onChange={(e) => changeLanguage((e.target as HTMLSelectElement).value)} data-testid="language">
            {LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {t(`language.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="ghost" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">
          ?<span class="visually-hidden"> {t('shortcuts.title')}</span>
        </button>
        <button type="button" class="ghost" onClick={() => void signOut()}>
          {t('app.signOut')}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {!route.view ? <p class="splash">{t('app.noAccess')}</p> : null}
        {route.view === 'agent' ? (
          <AgentView conversationKey={route.conversationKey} onOpen={(key) => go({ view: 'agent', ...(key ? { conversationKey: key } : {}) })} />
        ) : null}
        <Suspense fallback={<p class="splash">{t('app.loading')}</p>}>
          {route.view === 'supervisor' ? <SupervisorView /> : null}
          {route.view === 'admin' ? <AdminView section={route.section} onSection={(section) => go({ view: 'admin', section })} /> : null}
          {route.view === 'campaigns' ? (
            <CampaignsView campaignId={route.campaignId} onOpen={(campaignId) => go({ view: 'campaigns', ...(campaignId ? { campaignId } : {}) })} />
          ) : null}
          {route.view === 'spend' ? <SpendView /> : null}
        </Suspense>
      </main>
      {helpOpen ? <HelpOverlay onClose={() => setHelpOpen(false)} /> : null}
      <Notices />
    </ConsoleContext.Provider>
  );
}
