import { useContext, useState } from 'preact/hooks';
import { SPEND_ROUTES, type BudgetView, type SpendSummary } from '../../../lambdas/pricing/api/spend-api-contract.ts';
import { barGeometry } from '../lib/charts.ts';
import { budgetBar, budgetInput, categoryRows, formatCount, formatUsd, freeRows, monthName, shiftMonth } from '../lib/spend-figures.ts';
import { formatDateTime } from '../lib/time-format.ts';
import { ApiError, apiGet, apiPut } from '../platform/api.ts';
import { ConsoleContext } from '../shell/console-context.ts';
import { errorText, notify, useLoad, useT } from '../shell/ui.tsx';

const thisMonth = () => new Date().toISOString().slice(0, 7);

/** A country code's name in the person's language ("Brasil"), the code itself when unknown. */
function countryName(code: string, language: string): string {
  if (code === 'ZZ') return '–';
  try {
    return new Intl.DisplayNames([language], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * Meta's charges for the business's WhatsApp messages this month (or another): the total against
 * the monthly budget with its 80% and 100% marks, by category (free messages apart), by country,
 * by day and by number, and the spend per resolved conversation. Supervisors read it; admins set
 * the budget here (docs/meta-pricing.md § Spend views).
 */
export function SpendView() {
  const t = useT();
  const ctx = useContext(ConsoleContext)!;
  const [month, setMonth] = useState(thisMonth);
  const { data, error, loading, reload } = useLoad(() => apiGet<SpendSummary>(SPEND_ROUTES.summary.path, { month }), [month]);
  const canEdit = ctx.session.roles.some((r) => r === 'admin' || r === 'platform');
  const lang = ctx.language;
  const usd = (v: number | null | undefined) => formatUsd(v, lang);

  return (
    <section class="page spend" aria-labelledby="spend-h" data-testid="spend">
      <div class="row wrap">
        <h2 id="spend-h" class="grow">
          {t('spend.title')} · <span data-testid="spend-month">{monthName(month, lang)}</span>
        </h2>
        <button type="button" onClick={() => setMonth(shiftMonth(month, -1))} data-testid="spend-previous">
          {t('spend.previousMonth')}
        </button>
        <button type="button" onClick={() => setMonth(thisMonth())} disabled={month === thisMonth()}>
          {t('spend.thisMonth')}
        </button>
        <button type="button" onClick={() => setMonth(shiftMonth(month, 1))} disabled={month >= thisMonth()}>
          {t('spend.nextMonth')}
        </button>
      </div>
      <p class="muted">{t('spend.hint')}</p>
      {error ? (
        <p role="alert" class="error">
          {errorText(error, t)}
        </p>
      ) : null}
      {!data && loading ? <p class="muted">{t('app.loading')}</p> : null}
      {data ? <SpendFigures summary={data} usd={usd} language={lang} /> : null}
      {data && canEdit && month === thisMonth() ? <BudgetEditor budget={data.budget} onSaved={reload} /> : null}
    </section>
  );
}

function SpendFigures(props: { summary: SpendSummary; usd: (v: number | null | undefined) => string; language: string }) {
  const t = useT();
  const { summary: s, usd, language } = props;
  const bar = budgetBar(s);
  const categories = categoryRows(s);
  const free = freeRows(s);
  const days = barGeometry(
    s.byDay.map((d) => d.spentUsd),
    320,
    60,
  );
  return (
    <div>
      <div class="spend-totals">
        <p class="figure">
          <span class="figure-label">{t('spend.spent')}</span>
          <strong data-testid="spend-total">{usd(s.spentUsd)}</strong>
          <span class="muted"> {t('spend.chargedMessages', { count: s.chargedMessages })}</span>
        </p>
        <p class="figure">
          <span class="figure-label">{t('spend.budget')}</span>
          <strong data-testid="spend-budget">{s.budget.monthlyBudgetUsd === null ? t('spend.noBudget') : usd(s.budget.monthlyBudgetUsd)}</strong>
        </p>
        <p class="figure">
          <span class="figure-label">{t('spend.perResolved')}</span>
          <strong data-testid="spend-per-resolved">{s.spendPerResolvedUsd === null ? '–' : usd(s.spendPerResolvedUsd)}</strong>
          <span class="muted"> {t('spend.resolvedConversations', { count: s.resolvedConversations })}</span>
        </p>
      </div>

      {bar.state !== 'none' ? (
        <div class="budget-bar-wrap">
          <div
            class={`budget-bar budget-${bar.state}`}
            role="meter"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.min(bar.percent, 100)}
            aria-valuetext={t('spend.ofBudget', { percent: bar.percent })}
            aria-label={t('spend.budgetUsed')}
            data-testid="budget-bar"
            data-state={bar.state}
          >
            <span class="budget-fill" style={{ width: `${bar.fill}%` }} />
            {bar.marks.map((m) => (
              <span key={m.at} class="budget-mark" style={{ left: `${m.left}%` }} data-testid={`budget-mark-${m.at}`} aria-hidden="true">
                <span class="budget-mark-label">{m.at} %</span>
              </span>
            ))}
          </div>
          <p data-testid="budget-percent">
            {t('spend.ofBudget', { percent: bar.percent })}
            {bar.state === 'over' ? <strong class="error"> {t('spend.overBudget')}</strong> : null}
          </p>
        </div>
      ) : null}
      {s.saving ? (
        <p class="notice-inline" data-testid="spend-saving">
          <strong>{t('spend.savingTitle')}</strong> {t('spend.savingExplained')}
        </p>
      ) : null}
      {s.thresholds.length > 0 ? (
        <ul class="muted" data-testid="spend-thresholds">
          {s.thresholds.map((th) => (
            <li key={th.threshold}>
              {t('spend.thresholdCrossed', { threshold: th.threshold, budget: usd(th.budgetUsd), at: formatDateTime(th.crossedAt, language, undefined) })}
            </li>
          ))}
        </ul>
      ) : null}

      <h3 id="spend-cat-h">{t('spend.byCategory')}</h3>
      <div class="table-wrap" tabIndex={0} role="group" aria-labelledby="spend-cat-h">
        <table class="grid" data-testid="spend-categories">
          <thead>
            <tr>
              <th scope="col">{t('spend.category')}</th>
              <th scope="col">{t('spend.messagesCharged')}</th>
              <th scope="col">{t('spend.amount')}</th>
            </tr>
          </thead>
          <tbody>
            {categories.map((c) => (
              <tr key={c.category} data-category={c.category}>
                <th scope="row">{t(`spend.categories.${c.category}`, { defaultValue: c.category })}</th>
                <td>
                  {formatCount(c.charged, language)}
                  {c.unpriced > 0 ? <span class="muted"> · {t('spend.unpriced', { count: c.unpriced })}</span> : null}
                </td>
                <td>{usd(c.spentUsd)}</td>
              </tr>
            ))}
            {free.map((f) => (
              <tr key={f.type} data-category="free" data-free-type={f.type}>
                <th scope="row">
                  {t(`spend.free.${f.type}`, { defaultValue: f.type })} <span class="badge free-badge">{t('spend.freeBadge')}</span>
                </th>
                <td>{formatCount(f.messages, language)}</td>
                <td>{t('spend.freeAmount')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div class="spend-columns">
        <div>
          <h3 id="spend-country-h">{t('spend.byCountry')}</h3>
          {s.byCountry.length === 0 ? <p class="muted">{t('spend.nothingYet')}</p> : null}
          {s.byCountry.length > 0 ? (
            <div class="table-wrap" tabIndex={0} role="group" aria-labelledby="spend-country-h">
              <table class="grid" data-testid="spend-countries">
                <thead>
                  <tr>
                    <th scope="col">{t('spend.country')}</th>
                    <th scope="col">{t('spend.messages')}</th>
                    <th scope="col">{t('spend.amount')}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.byCountry.map((c) => (
                    <tr key={c.country} data-country={c.country}>
                      <th scope="row">{countryName(c.country, language)}</th>
                      <td>{formatCount(c.messages, language)}</td>
                      <td>{usd(c.spentUsd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
        <div>
          <h3 id="spend-number-h">{t('spend.byNumber')}</h3>
          {s.byAccount.length > 0 ? (
            <div class="table-wrap" tabIndex={0} role="group" aria-labelledby="spend-number-h">
              <table class="grid" data-testid="spend-numbers">
                <thead>
                  <tr>
                    <th scope="col">{t('spend.number')}</th>
                    <th scope="col">{t('spend.messages')}</th>
                    <th scope="col">{t('spend.amount')}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.byAccount.map((a) => (
                    <tr key={a.accountId}>
                      <th scope="row">{a.accountId}</th>
                      <td>{formatCount(a.messages, language)}</td>
                      <td>{usd(a.spentUsd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p class="muted">{t('spend.nothingYet')}</p>
          )}
        </div>
      </div>

      <h3>{t('spend.byDay')}</h3>
      {s.byDay.length > 0 ? (
        <figure class="spend-days">
          <svg class="bars" width="320" height="60" viewBox="0 0 320 60" role="img" aria-label={t('spend.byDayChart')} data-testid="spend-days">
            <title>{t('spend.byDayChart')}</title>
            {days.map((b, i) => (
              <rect key={i} x={b.x} y={b.y} width={b.width} height={Math.max(b.height, 0.5)}>
                <title>{`${s.byDay[i]!.day}: ${usd(s.byDay[i]!.spentUsd)} · ${formatCount(s.byDay[i]!.messages, language)}`}</title>
              </rect>
            ))}
          </svg>
        </figure>
      ) : (
        <p class="muted">{t('spend.nothingYet')}</p>
      )}
      <p class="muted small">{t('spend.source', { date: s.rateCardDate ?? '–' })}</p>
    </div>
  );
}

function BudgetEditor(props: { budget: BudgetView; onSaved: () => void }) {
  const t = useT();
  const [text, setText] = useState(props.budget.monthlyBudgetUsd === null ? '' : String(props.budget.monthlyBudgetUsd));
  const [problem, setProblem] = useState<string>();
  const save = async (value: number | null) => {
    try {
      await apiPut(SPEND_ROUTES.putBudget.path, { monthlyBudgetUsd: value, expectedVersion: props.budget.version });
      setProblem(undefined);
      notify(value === null ? t('spend.budgetRemoved') : t('spend.budgetSaved'));
      props.onSaved();
    } catch (err) {
      setProblem(err instanceof ApiError && err.code === 'version_conflict' ? t('spend.budgetConflict') : errorText(err, t));
    }
  };
  const submit = () => {
    const parsed = budgetInput(text);
    if (!parsed.ok) return setProblem(t('spend.budgetInvalid'));
    void save(parsed.value);
  };
  return (
    <form
      class="editor card"
      data-testid="budget-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h3>{t('spend.budgetTitle')}</h3>
      <p class="muted">{t('spend.budgetHint')}</p>
      <label class="field">
        <span>{t('spend.budgetLabel')}</span>
        <input
          type="text"
          inputMode="decimal"
          value={text}
          maxLength={20}
          data-field="monthlyBudgetUsd"
          aria-invalid={problem ? 'true' : undefined}
          aria-describedby="budget-error"
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
        />
      </label>
      <div id="budget-error" data-testid="budget-error">
        {problem ? (
          <p role="alert" class="error field-error">
            {problem}
          </p>
        ) : null}
      </div>
      <div class="row wrap">
        <button type="submit" class="primary" data-testid="budget-save">
          {t('spend.budgetSave')}
        </button>
        {props.budget.monthlyBudgetUsd !== null ? (
          <button type="button" class="danger" onClick={() => void save(null)} data-testid="budget-remove">
            {t('spend.budgetRemove')}
          </button>
        ) : null}
      </div>
    </form>
  );
}
