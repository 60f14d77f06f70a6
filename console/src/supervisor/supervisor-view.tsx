import { useContext, useEffect, useState } from 'preact/hooks';
import { SUPERVISOR_ROUTES } from '../../../lambdas/routing/routing-api-contract.ts';
import type { AgentLive, ConversationSummary, QueueLive, StatsAnswer, StatsRow } from '../lib/api-shapes.ts';
import { barGeometry, percent } from '../lib/charts.ts';
import { figure, METRICS, rowLabel, type Metric } from '../lib/stats-figures.ts';
import { dateKey, formatDateTime, formatSeconds, sinceSeconds } from '../lib/time-format.ts';
import { apiGet, apiPost } from '../platform/api.ts';
import { ConsoleContext } from '../shell/console-context.ts';
import { Dialog, errorText, itemsOf, notify, SlaBadge, useT } from '../shell/ui.tsx';

const LIVE_CHANGES = /^(conversation\.|agent\.|sla\.)/;

function show(metric: Metric, value: number | undefined): string {
  if (metric === 'frt' || metric === 'tmo') return formatSeconds(value);
  if (metric === 'csat') return typeof value === 'number' ? value.toFixed(1) : '–';
  return percent(value);
}

function MiniBars(props: { rows: StatsRow[]; metric: Metric; label: string }) {
  const values = props.rows.map((r) => figure(r, props.metric));
  const bars = barGeometry(
    values,
    160,
    32,
    props.metric === 'csat' ? 5 : props.metric === 'fcr' || props.metric === 'slaMet' ? (values.some((v) => (v ?? 0) > 1) ? 100 : 1) : undefined,
  );
  return (
    <svg class="bars" width="160" height="32" viewBox="0 0 160 32" role="img" aria-label={props.label}>
      <title>{props.label}</title>
      {bars.map((b, i) => (
        <rect key={i} x={b.x} y={b.y} width={b.width} height={Math.max(b.height, 0.5)}>
          <title>{`${rowLabel(props.rows[i]!)}: ${show(props.metric, values[i])}`}</title>
        </rect>
      ))}
    </svg>
  );
}

export function SupervisorView() {
  const t = useT();
  const ctx = useContext(ConsoleContext)!;
  const [queues, setQueues] = useState<QueueLive[]>([]);
  const [agents, setAgents] = useState<AgentLive[]>([]);
  const [stats, setStats] = useState<StatsAnswer>();
  const [error, setError] = useState<string>();
  const [moving, setMoving] = useState<ConversationSummary>();
  const today = dateKey(new Date(), ctx.timeZone);

  const load = async () => {
    try {
      const [q, a] = await Promise.all([apiGet(SUPERVISOR_ROUTES.queues.path), apiGet(SUPERVISOR_ROUTES.agents.path)]);
      setQueues(itemsOf<QueueLive>(q));
      setAgents(itemsOf<AgentLive>(a));
      setError(undefined);
    } catch (err) {
      setError(errorText(err, t));
    }
    apiGet<StatsAnswer>(SUPERVISOR_ROUTES.stats.path, { date: today }).then(
      (s) => setStats({ queues: itemsOf<StatsRow>(s?.queues), agents: itemsOf<StatsRow>(s?.agents), ...(s?.date ? { date: s.date } : {}) }),
      () => setStats(undefined),
    );
  };
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 30_000);
    const off = ctx.onLive((c) => LIVE_CHANGES.test(c.type) && void load());
    return () => {
      clearInterval(timer);
      off();
    };
  }, []);

  const reassign = async (to: { toAgentId: string } | { toQueueId: string }) => {
    if (!moving) return;
    try {
      await apiPost(SUPERVISOR_ROUTES.reassign.path, { conversationKey: moving.conversationKey, ...to });
      notify(t('supervisor.reassigned'));
      setMoving(undefined);
      await load();
    } catch (err) {
      notify(errorText(err, t), 'error');
    }
  };
  const now = new Date();
  const statsTable = (rows: StatsRow[], what: string) => (
    <table class="grid">
      <caption>{what}</caption>
      <thead>
        <tr>
          <th scope="col">{what}</th>
          <th scope="col">{t('supervisor.handled')}</th>
          {METRICS.map((m) => (
            <th scope="col" key={m}>
              {t(`supervisor.${m}`)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            <th scope="row">{rowLabel(r)}</th>
            <td>{figure(r, 'handled') ?? '–'}</td>
            {METRICS.map((m) => (
              <td key={m}>{show(m, figure(r, m))}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );

  return (
    <div class="page">
      <h2 class="visually-hidden">{t('supervisor.title')}</h2>
      {error ? (
        <p role="alert" class="error">
          {error}
        </p>
      ) : null}
      <section aria-labelledby="sq-h">
        <h3 id="sq-h">{t('supervisor.queues')}</h3>
        {queues.length === 0 ? (
          <p class="muted">{t('supervisor.noQueues')}</p>
        ) : (
          <div class="table-wrap" tabIndex={0}>
            <table class="grid" data-testid="queues">
              <thead>
                <tr>
                  <th scope="col">{t('supervisor.queue')}</th>
                  <th scope="col">{t('supervisor.waiting')}</th>
                  <th scope="col">{t('supervisor.oldestWait')}</th>
                  <th scope="col">{t('supervisor.sla')}</th>
                  <th scope="col">{t('supervisor.open')}</th>
                  <th scope="col">{t('supervisor.entries')}</th>
                </tr>
              </thead>
              <tbody>
                {queues.map((q) => {
                  const sla = (q.slaBreached ?? 0) > 0 ? 'breached' : (q.slaWarning ?? 0) > 0 ? 'warning' : 'ok';
                  return (
                    <tr key={q.queue.queueId}>
                      <th scope="row">{q.queue.name ?? q.queue.queueId}</th>
                      <td>{q.waiting}</td>
                      <td>{formatSeconds(sinceSeconds(q.oldestWaitingSince, now))}</td>
                      <td>
                        <SlaBadge state={sla} />{' '}
                        {q.slaWarning ? (
                          <span>
                            {t('supervisor.warnings')}: {q.slaWarning}
                          </span>
                        ) : null}{' '}
                        {q.slaBreached ? (
                          <span>
                            {t('supervisor.breaches')}: {q.slaBreached}
                          </span>
                        ) : null}
                      </td>
                      <td>
                        {q.open === false ? t('supervisor.closedUntil', { time: formatDateTime(q.nextOpenAt, ctx.language, ctx.timeZone) }) : t('common.yes')}
                      </td>
                      <td>
                        <ul class="plain">
                          {(q.entries ?? []).slice(0, 10).map((e) => (
                            <li key={e.conversationKey}>
                              {e.customerName ?? e.customerId ?? e.conversationKey.slice(-8)}{' '}
                              {(e.tags ?? []).includes('vip') ? <span class="chip vip">VIP</span> : null}{' '}
                              <button type="button" class="link" onClick={() => setMoving(e)}>
                                {t('supervisor.reassign')}
                              </button>
                            </li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="sa-h">
        <h3 id="sa-h">{t('supervisor.agents')}</h3>
        {agents.length === 0 ? (
          <p class="muted">{t('supervisor.noAgents')}</p>
        ) : (
          <div class="table-wrap" tabIndex={0}>
            <table class="grid" data-testid="agents">
              <thead>
                <tr>
                  <th scope="col">{t('supervisor.agent')}</th>
                  <th scope="col">{t('supervisor.presence')}</th>
                  <th scope="col">{t('supervisor.load')}</th>
                  <th scope="col">{t('supervisor.current')}</th>
                </tr>
              </thead>
              <tbody>
                {agents.map((a) => (
                  <tr key={a.agent.agentId}>
                    <th scope="row">{a.agent.name ?? a.agent.agentId}</th>
                    <td>
                      <span class={`badge presence-${a.presence}`}>{t(`presence.${a.presence}`)}</span>
                    </td>
                    <td>
                      <meter min={0} max={Math.max(1, a.capacity)} value={a.load} aria-label={`${a.load} / ${a.capacity}`} /> {a.load} / {a.capacity}
                    </td>
                    <td>
                      <ul class="plain">
                        {(a.conversations ?? []).slice(0, 20).map((c) => (
                          <li key={c.conversationKey}>
                            {c.customerName ?? c.conversationKey.slice(-8)} {c.slaState ? <SlaBadge state={c.slaState} /> : null}{' '}
                            <button type="button" class="link" onClick={() => setMoving(c)} data-testid="reassign">
                              {t('supervisor.reassign')}
                            </button>
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="ss-h">
        <h3 id="ss-h">{t('supervisor.statsFor', { date: stats?.date ?? today })}</h3>
        {!stats || (stats.queues.length === 0 && stats.agents.length === 0) ? (
          <p class="muted">{t('supervisor.noStats')}</p>
        ) : (
          <>
            <div class="charts">
              {METRICS.map((m) => (
                <figure key={m}>
                  <figcaption>{t(`supervisor.${m}`)}</figcaption>
                  <MiniBars rows={stats.queues} metric={m} label={t('supervisor.chartOf', { metric: t(`supervisor.${m}`), what: t('supervisor.queue') })} />
                </figure>
              ))}
            </div>
            <div class="table-wrap" tabIndex={0}>
              {statsTable(stats.queues, t('supervisor.queue'))}
            </div>
            <div class="table-wrap" tabIndex={0}>
              {statsTable(stats.agents, t('supervisor.agent'))}
            </div>
          </>
        )}
      </section>
      {moving ? (
        <Dialog title={t('supervisor.reassignTitle', { name: moving.customerName ?? moving.conversationKey.slice(-8) })} onClose={() => setMoving(undefined)}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const v = String(new FormData(e.currentTarget as HTMLFormElement).get('to') ?? '');
              const [kind, id] = [v.slice(0, 2), v.slice(2)];
              if (id) void reassign(kind === 'a:' ? { toAgentId: id } : { toQueueId: id });
            }}
          >
            <label class="field">
              <span>{t('actions.transferTo')}</span>
              <select name="to" data-testid="reassign-to">
                <optgroup label={t('supervisor.agents')}>
                  {agents
                    .filter((a) => a.presence === 'online')
                    .map((a) => (
                      <option key={a.agent.agentId} value={`a:${a.agent.agentId}`}>
                        {a.agent.name ?? a.agent.agentId} ({a.load}/{a.capacity})
                      </option>
                    ))}
                </optgroup>
                <optgroup label={t('supervisor.queues')}>
                  {queues.map((q) => (
                    <option key={q.queue.queueId} value={`q:${q.queue.queueId}`}>
                      {q.queue.name ?? q.queue.queueId}
                    </option>
                  ))}
                </optgroup>
              </select>
            </label>
            <button type="submit" class="primary">
              {t('supervisor.reassign')}
            </button>
          </form>
        </Dialog>
      ) : null}
    </div>
  );
}
