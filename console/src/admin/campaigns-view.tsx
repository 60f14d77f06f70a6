import { useContext, useEffect, useState } from 'preact/hooks';
import { ACCOUNTS_ADMIN_ROUTES } from '../../../lambdas/accounts/accounts-api-contract.ts';
import { CAMPAIGNS_ROUTES } from '../../../lambdas/campaigns/campaigns-api-contract.ts';
import { TEMPLATES_API_ROUTES } from '../../../lambdas/templates/templates-api-contract.ts';
import type { ChannelAccountRow } from '../lib/api-shapes.ts';
import {
  badLinesOf,
  campaignActions,
  campaignInputOf,
  needsHeaderMedia,
  newCampaignForm,
  templateKey,
  templateVariables,
  type Campaign,
  type CampaignForm,
  type TemplateRow,
  type VariableChoice,
} from '../lib/campaign-form.ts';
import { formatCount, formatUsd } from '../lib/spend-figures.ts';
import { formatDateTime } from '../lib/time-format.ts';
import { ApiError, apiGet, apiPost } from '../platform/api.ts';
import { ConsoleContext } from '../shell/console-context.ts';
import { errorText, itemsOf, notify, useLoad, useT } from '../shell/ui.tsx';

type T = (key: string, options?: Record<string, unknown>) => string;
const withId = (path: string, id: string) => `${path}?id=${encodeURIComponent(id)}`;
const COUNT_KEYS = ['targeted', 'released', 'sent', 'delivered', 'read', 'replied', 'failed', 'optedOut'] as const;

function StateBadge(props: { campaign: Pick<Campaign, 'state' | 'pauseReason' | 'list'> }) {
  const t = useT();
  const list = props.campaign.list;
  return (
    <span class={`badge campaign-${props.campaign.state}`} data-testid="campaign-state" data-state={props.campaign.state} data-list={list?.status}>
      {t(`campaigns.states.${props.campaign.state}`, { defaultValue: props.campaign.state })}
      {props.campaign.pauseReason ? ` · ${t(`campaigns.pauseReasons.${props.campaign.pauseReason}`, { defaultValue: props.campaign.pauseReason })}` : ''}
      {/* The list is built in the background after scheduling (or after a large CSV's upload). */}
      {list?.status === 'building' ? ` · ${t('campaigns.listBuilding', { count: list.built })}` : ''}
      {list?.status === 'failed'
        ? ` · ${t('campaigns.listFailed', { reason: t(`campaigns.listFailures.${list.reason ?? ''}`, { defaultValue: list.reason ?? '' }) })}`
        : ''}
    </span>
  );
}

/**
 * The business's campaigns (docs/campaigns.md): the list with each one's state and counts, a form to
 * create one (a number, an approved template in a language, an audience by tags and attributes or
 * an uploaded CSV, a start time), and a campaign's detail with what happened to its messages and
 * the actions its state allows. Supervisors read; admins create and act.
 */
export function CampaignsView(props: { campaignId?: string; onOpen: (campaignId?: string) => void }) {
  const t = useT();
  const ctx = useContext(ConsoleContext)!;
  const canWrite = ctx.session.roles.some((r) => r === 'admin' || r === 'platform');
  const { data, error, reload } = useLoad(() => apiGet<{ items?: Campaign[]; cursor?: string }>(CAMPAIGNS_ROUTES.list.path, { limit: 50 }), []);
  const rows = itemsOf<Campaign>(data);
  const [creating, setCreating] = useState(false);

  return (
    <section class="page campaigns" aria-labelledby="campaigns-h" data-testid="campaigns">
      <div class="row wrap">
        <h2 id="campaigns-h" class="grow">
          {t('campaigns.title')}
        </h2>
        {canWrite && !creating ? (
          <button type="button" class="primary" onClick={() => setCreating(true)} data-testid="campaign-new">
            {t('campaigns.new')}
          </button>
        ) : null}
      </div>
      <p class="muted">{t('campaigns.hint')}</p>
      {error ? (
        <p role="alert" class="error">
          {errorText(error, t)}
        </p>
      ) : null}
      {creating ? (
        <CampaignCreator
          onCancel={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            reload();
            props.onOpen(c.campaignId);
          }}
        />
      ) : null}
      {props.campaignId ? (
        <CampaignDetail key={props.campaignId} campaignId={props.campaignId} canWrite={canWrite} onChanged={reload} onClose={() => props.onOpen(undefined)} />
      ) : null}
      {!error && data && rows.length === 0 ? (
        <p class="muted" data-testid="campaigns-empty">
          {t('campaigns.empty')}
        </p>
      ) : null}
      {rows.length > 0 ? (
        <div class="table-wrap" tabIndex={0} role="group" aria-labelledby="campaigns-h">
          <table class="grid" data-testid="campaign-list">
            <thead>
              <tr>
                <th scope="col">{t('campaigns.name')}</th>
                <th scope="col">{t('campaigns.state')}</th>
                <th scope="col">{t('campaigns.template')}</th>
                <th scope="col">{t('campaigns.counts.targeted')}</th>
                <th scope="col">{t('campaigns.counts.sent')}</th>
                <th scope="col">{t('campaigns.counts.delivered')}</th>
                <th scope="col">{t('campaigns.counts.read')}</th>
                <th scope="col">{t('campaigns.counts.replied')}</th>
                <th scope="col">{t('campaigns.counts.failed')}</th>
                <th scope="col">{t('campaigns.spend')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.campaignId} data-testid="campaign-row" data-campaign-id={c.campaignId}>
                  <th scope="row">
                    <a href={`#/campaigns/${c.campaignId}`} aria-current={props.campaignId === c.campaignId ? 'true' : undefined}>
                      {c.name}
                    </a>
                  </th>
                  <td>
                    <StateBadge campaign={c} />
                  </td>
                  <td>
                    {c.template?.name} <span class="muted">{c.template?.language}</span>
                  </td>
                  <td>{formatCount(c.counts?.targeted ?? 0, ctx.language)}</td>
                  <td>{formatCount(c.counts?.sent ?? 0, ctx.language)}</td>
                  <td>{formatCount(c.counts?.delivered ?? 0, ctx.language)}</td>
                  <td>{formatCount(c.counts?.read ?? 0, ctx.language)}</td>
                  <td>{formatCount(c.counts?.replied ?? 0, ctx.language)}</td>
                  <td>{formatCount(c.counts?.failed ?? 0, ctx.language)}</td>
                  <td>{formatUsd((c.counts?.spendMicros ?? 0) / 1_000_000, ctx.language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function CampaignDetail(props: { campaignId: string; canWrite: boolean; onChanged: () => void; onClose: () => void }) {
  const t = useT();
  const ctx = useContext(ConsoleContext)!;
  const { data: campaign, error, reload } = useLoad(() => apiGet<Campaign>(CAMPAIGNS_ROUTES.get.path, { id: props.campaignId }), [props.campaignId]);
  const [preview, setPreview] = useState<{ count?: number; skipped?: Record<string, number> }>();
  const [problem, setProblem] = useState<string>();
  // A running campaign's counts move, and a list being built grows: read them again every ten seconds meanwhile.
  useEffect(() => {
    if (campaign?.state !== 'running' && campaign?.state !== 'scheduled' && campaign?.list?.status !== 'building') return;
    const timer = setInterval(reload, 10_000);
    return () => clearInterval(timer);
  }, [campaign?.state, campaign?.list?.status]);
  if (error)
    return (
      <p role="alert" class="error" data-testid="campaign-detail-error">
        {errorText(error, t)}
      </p>
    );
  if (!campaign) return <p class="muted">{t('app.loading')}</p>;
  const counts = campaign.counts;
  const act = async (action: 'schedule' | 'pause' | 'resume' | 'cancel') => {
    try {
      await apiPost(withId(CAMPAIGNS_ROUTES[action].path, campaign.campaignId), { expectedVersion: campaign.version });
      setProblem(undefined);
      notify(t(`campaigns.done.${action}`, { name: campaign.name }));
      reload();
      props.onChanged();
    } catch (err) {
      setProblem(errorText(err, t));
      if (err instanceof ApiError && err.status === 409) reload();
    }
  };
  const showPreview = async () => {
    try {
      setPreview(await apiGet(CAMPAIGNS_ROUTES.preview.path, { id: campaign.campaignId }));
      setProblem(undefined);
    } catch (err) {
      setProblem(errorText(err, t));
    }
  };
  const failedBy = Object.entries(counts?.failedByError ?? {});
  const skipped = Object.entries(counts?.skipped ?? {});
  return (
    <article class="card campaign-detail" aria-labelledby="campaign-detail-h" data-testid="campaign-detail">
      <div class="row wrap">
        <h3 id="campaign-detail-h" class="grow">
          {campaign.name} <StateBadge campaign={campaign} />
        </h3>
        <button type="button" onClick={props.onClose}>
          {t('campaigns.closeDetail')}
        </button>
      </div>
      <p class="muted">
        {t('campaigns.detailLine', {
          template: `${campaign.template.name} (${campaign.template.language})`,
          number: campaign.accountId,
          audience: campaign.audience.kind === 'csv' ? t('campaigns.audienceCsvRows', { rows: campaign.audience.rows }) : t('campaigns.audienceContacts'),
        })}
        {campaign.startAt ? ` · ${t('campaigns.startsAt', { at: formatDateTime(campaign.startAt, ctx.language, ctx.timeZone) })}` : ''}
      </p>
      <div class="table-wrap" tabIndex={0} role="group" aria-labelledby="campaign-detail-h">
        <table class="grid" data-testid="campaign-counts">
          <tbody>
            {COUNT_KEYS.map((k) => (
              <tr key={k} data-count={k}>
                <th scope="row">{t(`campaigns.counts.${k}`)}</th>
                <td>{formatCount(counts?.[k] ?? 0, ctx.language)}</td>
              </tr>
            ))}
            <tr data-count="spend">
              <th scope="row">{t('campaigns.spend')}</th>
              <td>{formatUsd((counts?.spendMicros ?? 0) / 1_000_000, ctx.language)}</td>
            </tr>
          </tbody>
        </table>
      </div>
      {failedBy.length > 0 ? (
        <div data-testid="campaign-failed-by-error">
          <h4>{t('campaigns.failedByError')}</h4>
          <ul>
            {failedBy.map(([code, n]) => (
              <li key={code}>
                <code>{code}</code>: {formatCount(n, ctx.language)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {skipped.length > 0 ? (
        <div data-testid="campaign-skipped">
          <h4>{t('campaigns.skipped')}</h4>
          <ul>
            {skipped.map(([reason, n]) => (
              <li key={reason}>
                {t(`campaigns.skipReasons.${reason}`, { defaultValue: reason })}: {formatCount(n, ctx.language)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {preview ? (
        <p data-testid="campaign-preview">
          {t('campaigns.previewCount', { count: preview.count ?? 0 })}
          {Object.entries(preview.skipped ?? {}).map(([reason, n]) => ` · ${t(`campaigns.skipReasons.${reason}`, { defaultValue: reason })}: ${n}`)}
        </p>
      ) : null}
      {problem ? (
        <p role="alert" class="error" data-testid="campaign-action-error">
          {problem}
        </p>
      ) : null}
      {props.canWrite ? (
        <div class="row wrap">
          {campaignActions(campaign.state).map((action) =>
            action === 'preview' ? (
              <button key={action} type="button" onClick={() => void showPreview()} data-testid="campaign-preview-button">
                {t('campaigns.actions.preview')}
              </button>
            ) : (
              <button
                key={action}
                type="button"
                class={action === 'cancel' ? 'danger' : action === 'schedule' || action === 'resume' ? 'primary' : undefined}
                onClick={() => void act(action)}
                data-testid={`campaign-${action}`}
              >
                {t(`campaigns.actions.${action}`)}
              </button>
            ),
          )}
        </div>
      ) : null}
    </article>
  );
}

const CONTACT_FIELDS = ['name', 'first_name', 'phone'] as const;

function VariableRow(props: { name: string; choice: VariableChoice | undefined; onChange: (c: VariableChoice) => void }) {
  const t = useT();
  const choice = props.choice ?? { from: 'contact', field: 'first_name' };
  const kind = choice.from === 'contact' ? `contact:${choice.field}` : choice.from;
  const id = `var-${props.name.replace(/\W/g, '_')}`;
  return (
    <div class="row wrap variable-row" data-variable={props.name}>
      <label for={`${id}-from`}>
        <code>{`{{${props.name}}}`}</code>
      </label>
      <select
        id={`${id}-from`}
        value={kind}
        onChange={(e) => {
          const v = (e.target as HTMLSelectElement).value;
          if (v.startsWith('contact:')) props.onChange({ from: 'contact', field: v.slice(8) as (typeof CONTACT_FIELDS)[number] });
          else if (v === 'attribute') props.onChange({ from: 'attribute', key: '' });
          else props.onChange({ from: 'text', value: '' });
        }}
      >
        {CONTACT_FIELDS.map((f) => (
          <option key={f} value={`contact:${f}`}>
            {t(`campaigns.sources.${f}`)}
          </option>
        ))}
        <option value="attribute">{t('campaigns.sources.attribute')}</option>
        <option value="text">{t('campaigns.sources.text')}</option>
      </select>
      {choice.from === 'attribute' || choice.from === 'text' ? (
        <input
          aria-label={
            choice.from === 'attribute' ? t('campaigns.sources.attributeKey', { name: props.name }) : t('campaigns.sources.textValue', { name: props.name })
          }
          value={choice.from === 'attribute' ? choice.key : choice.value}
          maxLength={choice.from === 'attribute' ? 64 : 1024}
          onInput={(e) => {
            const v = (e.target as HTMLInputElement).value;
            props.onChange(choice.from === 'attribute' ? { from: 'attribute', key: v } : { from: 'text', value: v });
          }}
        />
      ) : null}
    </div>
  );
}

function CampaignCreator(props: { onCancel: () => void; onCreated: (c: Campaign) => void }) {
  const t = useT();
  const [form, setForm] = useState<CampaignForm>(newCampaignForm);
  const [problem, setProblem] = useState<string>();
  const [badLines, setBadLines] = useState<{ lines: Array<{ line: number; message: string }>; count: number }>();
  const [saving, setSaving] = useState(false);
  const accounts = useLoad(() => apiGet(ACCOUNTS_ADMIN_ROUTES.list.path, { limit: 100 }), []);
  const numbers = itemsOf<ChannelAccountRow>(accounts.data).filter((a) => a.channel === 'whatsapp');
  const accountId = form.accountId || numbers[0]?.accountId || '';
  const waba = numbers.find((n) => n.accountId === accountId)?.wabaId;
  const templates = useLoad(() => (waba ? apiGet(TEMPLATES_API_ROUTES.list.path, { wabaId: waba }) : Promise.resolve([])), [waba]);
  const approved = itemsOf<TemplateRow>(templates.data).filter((tpl) => (tpl.status ?? '').toUpperCase() === 'APPROVED');
  const template = approved.find((tpl) => templateKey(tpl) === form.template);
  const variables = templateVariables(template);
  const set = (change: Partial<CampaignForm>) => setForm((f) => ({ ...f, ...change }));

  const upload = (file: File | undefined) => {
    if (!file) return;
    if (file.size > 5_000_000) return setProblem(t('campaigns.problems.csvTooLarge'));
    void file.text().then((csv) => set({ csv }));
  };
  const submit = async () => {
    setBadLines(undefined);
    const built = campaignInputOf({ ...form, accountId }, template);
    if (!built.ok) return setProblem(t(`campaigns.problems.${built.problem}`, { line: built.line ?? 0 }));
    setSaving(true);
    try {
      const created = await apiPost<Campaign>(CAMPAIGNS_ROUTES.create.path, built.input);
      setProblem(undefined);
      notify(t('campaigns.created', { name: created.name }));
      props.onCreated(created);
    } catch (err) {
      setBadLines(err instanceof ApiError ? badLinesOf(err.body) : undefined);
      setProblem(errorText(err, t));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      class="editor card"
      data-testid="campaign-form"
      aria-labelledby="campaign-form-h"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id="campaign-form-h">{t('campaigns.new')}</h3>
      <label class="field">
        <span>{t('campaigns.name')}</span>
        <input value={form.name} maxLength={120} data-field="name" onInput={(e) => set({ name: (e.target as HTMLInputElement).value })} />
      </label>
      <label class="field">
        <span>{t('campaigns.number')}</span>
        <select
          value={accountId}
          data-field="accountId"
          onChange={(e) => set({ accountId: (e.target as HTMLSelectElement).value, template: '', variables: {} })}
        >
          {numbers.map((n) => (
            <option key={n.accountId} value={n.accountId}>
              {n.displayPhoneNumber ?? n.displayName ?? n.accountId}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>{t('campaigns.templateAndLanguage')}</span>
        <select
          value={form.template}
          data-field="template"
          onChange={(e) => {
            const key = (e.target as HTMLSelectElement).value;
            // Each variable starts as the contact's first name; the person changes what needs changing.
            const names = templateVariables(approved.find((tpl) => templateKey(tpl) === key));
            set({ template: key, variables: Object.fromEntries(names.map((v) => [v, { from: 'contact', field: 'first_name' } as VariableChoice])) });
          }}
        >
          <option value="">{t('campaigns.pickTemplate')}</option>
          {approved.map((tpl) => (
            <option key={templateKey(tpl)} value={templateKey(tpl)}>
              {`${tpl.name} · ${tpl.language}${tpl.category ? ` · ${tpl.category.toLowerCase()}` : ''}`}
            </option>
          ))}
        </select>
      </label>
      {templates.data !== undefined && approved.length === 0 ? <p class="muted">{t('campaigns.noTemplates')}</p> : null}
      {needsHeaderMedia(template) ? (
        <label class="field">
          <span>{t('campaigns.headerMediaLink')}</span>
          <input
            type="url"
            value={form.headerMediaLink}
            maxLength={2048}
            data-field="headerMediaLink"
            onInput={(e) => set({ headerMediaLink: (e.target as HTMLInputElement).value })}
          />
        </label>
      ) : null}

      <fieldset class="field">
        <legend>{t('campaigns.audience')}</legend>
        <label class="row">
          <input
            type="radio"
            name="audience"
            checked={form.audience === 'contacts'}
            onChange={() => set({ audience: 'contacts' })}
            data-field="audience-contacts"
          />
          {t('campaigns.audienceContacts')}
        </label>
        <label class="row">
          <input type="radio" name="audience" checked={form.audience === 'csv'} onChange={() => set({ audience: 'csv' })} data-field="audience-csv" />
          {t('campaigns.audienceCsv')}
        </label>
      </fieldset>
      {form.audience === 'contacts' ? (
        <div>
          <p class="muted">{t('campaigns.consentHint')}</p>
          <label class="field">
            <span>{t('campaigns.tags')}</span>
            <input value={form.tags} maxLength={1000} data-field="tags" onInput={(e) => set({ tags: (e.target as HTMLInputElement).value })} />
          </label>
          <label class="field">
            <span>{t('campaigns.excludeTags')}</span>
            <input
              value={form.excludeTags}
              maxLength={1000}
              data-field="excludeTags"
              onInput={(e) => set({ excludeTags: (e.target as HTMLInputElement).value })}
            />
          </label>
          <label class="field">
            <span>{t('campaigns.attributes')}</span>
            <textarea
              rows={3}
              class="code"
              value={form.attributes}
              maxLength={5000}
              data-field="attributes"
              onInput={(e) => set({ attributes: (e.target as HTMLTextAreaElement).value })}
            />
          </label>
          {variables.length > 0 ? (
            <fieldset class="field" data-testid="campaign-variables">
              <legend>{t('campaigns.variables')}</legend>
              {variables.map((v) => (
                <VariableRow key={v} name={v} choice={form.variables[v]} onChange={(c) => set({ variables: { ...form.variables, [v]: c } })} />
              ))}
            </fieldset>
          ) : null}
        </div>
      ) : (
        <div>
          <p class="muted">{t('campaigns.csvHint', { columns: ['phone', 'name', ...variables].join(', ') })}</p>
          <label class="field">
            <span>{t('campaigns.csvFile')}</span>
            <input type="file" accept=".csv,text/csv,text/plain" data-field="csvFile" onChange={(e) => upload((e.target as HTMLInputElement).files?.[0])} />
          </label>
          <label class="field">
            <span>{t('campaigns.csvText')}</span>
            <textarea
              rows={6}
              class="code"
              value={form.csv}
              maxLength={5_000_000}
              data-field="csv"
              onInput={(e) => set({ csv: (e.target as HTMLTextAreaElement).value })}
            />
          </label>
          <label class="field">
            <span>{t('campaigns.defaultCountry')}</span>
            <input
              value={form.defaultCountry}
              maxLength={2}
              size={3}
              data-field="defaultCountry"
              onInput={(e) => set({ defaultCountry: (e.target as HTMLInputElement).value })}
            />
          </label>
        </div>
      )}
      <label class="field">
        <span>{t('campaigns.startAt')}</span>
        <input type="datetime-local" value={form.startAt} data-field="startAt" onInput={(e) => set({ startAt: (e.target as HTMLInputElement).value })} />
      </label>
      <div data-testid="campaign-form-error">
        {problem ? (
          <p role="alert" class="error field-error">
            {problem}
          </p>
        ) : null}
        {badLines && badLines.lines.length > 0 ? <BadLines lines={badLines.lines} count={badLines.count} t={t} /> : null}
      </div>
      <div class="row wrap">
        <button type="submit" class="primary" disabled={saving} data-testid="campaign-save">
          {t('campaigns.saveDraft')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function BadLines(props: { lines: Array<{ line: number; message: string }>; count: number; t: T }) {
  return (
    <div data-testid="campaign-bad-lines">
      <p>{props.t('campaigns.badLines', { count: props.count })}</p>
      <ul>
        {props.lines.map((l) => (
          <li key={l.line} data-line={l.line}>
            {props.t('campaigns.line', { line: l.line })}: {l.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
