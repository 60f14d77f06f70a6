import { useContext, useState } from 'preact/hooks';
import { ROUTING_ADMIN_ROUTES } from '../../../lambdas/routing/routing-api-contract.ts';
import { ADMIN_ROUTES } from '../../../lambdas/identity/admin-routes.ts';
import { ACCOUNTS_ADMIN_ROUTES } from '../../../lambdas/accounts/accounts-api-contract.ts';
import { TEMPLATES_API_ROUTES } from '../../../lambdas/templates/templates-api-contract.ts';
import type { AuditRow, ChannelAccountRow } from '../lib/api-shapes.ts';
import { ADMIN_SECTIONS, type AdminSection } from '../lib/views.ts';
import { formatDateTime } from '../lib/time-format.ts';
import { apiGet, apiPost, apiPut } from '../platform/api.ts';
import { ConsoleContext } from '../shell/console-context.ts';
import { errorText, itemsOf, notify, useLoad, useT } from '../shell/ui.tsx';
import { BotSettingsEditor } from './bot-settings-editor.tsx';
import { ContactSchemaEditor } from './contact-schema-editor.tsx';
import { IntegrationsEditor } from './integrations-editor.tsx';

/** The business's channel accounts from the registry (`GET /admin/accounts`, settings.read: supervisors and admins). */
export const ACCOUNTS_ROUTE = ACCOUNTS_ADMIN_ROUTES.list.path;

export function AdminView(props: { section?: AdminSection; onSection: (s: AdminSection) => void }) {
  const t = useT();
  const section = props.section ?? 'agents';
  return (
    <div class="admin">
      <nav class="tabs" aria-label={t('admin.title')}>
        {ADMIN_SECTIONS.map((s) => (
          <a key={s} href={`#/admin/${s}`} aria-current={s === section ? 'page' : undefined}>
            {t(`admin.sections.${s}`)}
          </a>
        ))}
      </nav>
      <section class="page" aria-labelledby="admin-h">
        <h2 id="admin-h">{t(`admin.sections.${section}`)}</h2>
        {section === 'agents' ? (
          <RoutingList
            list={ROUTING_ADMIN_ROUTES.listAgents.path}
            put={ROUTING_ADMIN_ROUTES.putAgent.path}
            del={ROUTING_ADMIN_ROUTES.deleteAgent.path}
            idField="agentId"
            columns={['agentId', 'name', 'languages', 'skills', 'channels', 'maxConcurrent', 'presence']}
            template={{ agentId: '', name: '', languages: ['es'], skills: [], maxConcurrent: 3 }}
          />
        ) : null}
        {section === 'queues' ? (
          <RoutingList
            list={ROUTING_ADMIN_ROUTES.listQueues.path}
            put={ROUTING_ADMIN_ROUTES.putQueue.path}
            del={ROUTING_ADMIN_ROUTES.deleteQueue.path}
            idField="queueId"
            columns={['queueId', 'name', 'requiredSkills', 'languages', 'channels', 'priority', 'hours', 'sla']}
            template={{
              queueId: '',
              name: '',
              languages: ['es'],
              priority: 50,
              hours: { timezone: 'America/Mexico_City', weekly: { mon: [{ from: '09:00', to: '18:00' }] }, holidays: [] },
              sla: { firstResponseSeconds: 300, warnAtShare: 0.8 },
            }}
          />
        ) : null}
        {section === 'macros' ? (
          <RoutingList
            list={ROUTING_ADMIN_ROUTES.listMacros.path}
            put={ROUTING_ADMIN_ROUTES.putMacro.path}
            del={ROUTING_ADMIN_ROUTES.deleteMacro.path}
            idField="macroId"
            columns={['macroId', 'name', 'texts', 'addTags']}
            template={{ macroId: '', name: '', texts: { es: 'Hola {first_name}', pt: 'Olá {first_name}', en: 'Hello {first_name}' }, addTags: [] }}
          />
        ) : null}
        {section === 'rules' ? <RulesEditor /> : null}
        {section === 'bot' ? <BotSettingsEditor /> : null}
        {section === 'accounts' || section === 'templates' ? <AccountsAndTemplates showTemplates={section === 'templates'} /> : null}
        {section === 'contacts' ? <ContactSchemaEditor /> : null}
        {section === 'integrations' ? <IntegrationsEditor /> : null}
        {section === 'audit' ? <AuditTrail /> : null}
      </section>
    </div>
  );
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '–';
  if (Array.isArray(value)) return value.map(cell).join(', ');
  if (typeof value === 'object') return JSON.stringify(value).slice(0, 160);
  return String(value).slice(0, 160);
}

/** The API's answer to a refused save, next to the editor. */
function SaveError(props: { text?: string }) {
  return props.text ? (
    <p role="alert" class="error field-error">
      {props.text}
    </p>
  ) : null;
}

function RoutingList(props: { list: string; put: string; del: string; idField: string; columns: string[]; template: Record<string, unknown> }) {
  const t = useT();
  const { data, error, reload } = useLoad(() => apiGet(props.list, { limit: 100 }), [props.list]);
  const items = itemsOf<Record<string, unknown>>(data);
  const [editing, setEditing] = useState<string>();
  const [text, setText] = useState('');
  const [saveError, setSaveError] = useState<string>();
  const open = (item: Record<string, unknown>) => {
    const {
      businessId: _b,
      version: _v,
      updatedAt: _u,
      presence: _p,
      presenceChangedAt: _pc,
      activeConversationKeys: _a,
      lastActivityAt: _l,
      ...editable
    } = item;
    setText(JSON.stringify(editable, null, 2));
    setEditing(String(item[props.idField] ?? ''));
    setSaveError(undefined);
  };
  const save = async () => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return setSaveError(t('admin.jsonInvalid'));
    }
    try {
      await apiPut(props.put, body);
      notify(t('common.saved'));
      setEditing(undefined);
      reload();
    } catch (err) {
      setSaveError(errorText(err, t));
    }
  };
  const remove = async (id: string) => {
    try {
      await apiPost(props.del, { [props.idField]: id });
      reload();
    } catch (err) {
      notify(errorText(err, t), 'error');
    }
  };
  return (
    <div>
      {error ? (
        <p role="alert" class="error">
          {errorText(error, t)}
        </p>
      ) : null}
      <div class="table-wrap" tabIndex={0}>
        <table class="grid">
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
              <th scope="col">
                <span class="visually-hidden">{t('actions.more')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={String(item[props.idField])}>
                {props.columns.map((c) => (
                  <td key={c}>{cell(item[c])}</td>
                ))}
                <td class="row">
                  <button type="button" onClick={() => open(item)}>
                    {t('common.edit')}
                  </button>
                  <button type="button" class="danger" onClick={() => void remove(String(item[props.idField]))}>
                    {t('common.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <button type="button" onClick={() => open(props.template)}>
        {t('common.add')}
      </button>
      {editing !== undefined ? (
        <form
          class="editor"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <label class="field">
            <span>{editing || t('common.add')} (JSON)</span>
            <textarea
              rows={14}
              class="code"
              value={text}
              maxLength={100_000}
              aria-invalid={saveError ? 'true' : undefined}
              aria-describedby="save-error"
              onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
            />
          </label>
          <div id="save-error">
            <SaveError text={saveError} />
          </div>
          <div class="row">
            <button type="submit" class="primary">
              {t('common.save')}
            </button>
            <button type="button" onClick={() => setEditing(undefined)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

type RuleDoc = { rules: Array<Record<string, unknown> & { ruleId: string }>; defaultQueueId: string };

function RulesEditor() {
  const t = useT();
  const { data, error, reload } = useLoad(() => apiGet<RuleDoc>(ROUTING_ADMIN_ROUTES.getRules.path), []);
  const [draft, setDraft] = useState<RuleDoc>();
  const [saveError, setSaveError] = useState<string>();
  const doc: RuleDoc = draft ?? { rules: Array.isArray(data?.rules) ? data.rules : [], defaultQueueId: data?.defaultQueueId ?? 'default' };
  const move = (i: number, by: number) => {
    const rules = [...doc.rules];
    const [r] = rules.splice(i, 1);
    rules.splice(Math.max(0, Math.min(rules.length, i + by)), 0, r!);
    setDraft({ ...doc, rules });
  };
  const save = async () => {
    try {
      await apiPut(ROUTING_ADMIN_ROUTES.putRules.path, { rules: doc.rules, defaultQueueId: doc.defaultQueueId });
      notify(t('common.saved'));
      setDraft(undefined);
      setSaveError(undefined);
      reload();
    } catch (err) {
      setSaveError(errorText(err, t));
    }
  };
  return (
    <div>
      {error ? (
        <p role="alert" class="error">
          {errorText(error, t)}
        </p>
      ) : null}
      <ol class="rules">
        {doc.rules.map((r, i) => (
          <li key={r.ruleId} class="card">
            <strong>{r.ruleId}</strong> — {t('admin.when')}: <code>{cell(r.when) === '{}' ? t('admin.anything') : cell(r.when)}</code> → {t('admin.then')}:{' '}
            <code>{cell(r.then)}</code>
            <span class="row">
              <button type="button" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`${t('common.moveUp')} ${r.ruleId}`}>
                ↑
              </button>
              <button type="button" disabled={i === doc.rules.length - 1} onClick={() => move(i, 1)} aria-label={`${t('common.moveDown')} ${r.ruleId}`}>
                ↓
              </button>
              <button type="button" class="danger" onClick={() => setDraft({ ...doc, rules: doc.rules.filter((_, j) => j !== i) })}>
                {t('common.delete')}
              </button>
            </span>
          </li>
        ))}
      </ol>
      <label class="field">
        <span>{t('admin.defaultQueue')}</span>
        <input value={doc.defaultQueueId} maxLength={128} onInput={(e) => setDraft({ ...doc, defaultQueueId: (e.target as HTMLInputElement).value })} />
      </label>
      <SaveError text={saveError} />
      <button type="button" class="primary" disabled={!draft} onClick={() => void save()}>
        {t('common.save')}
      </button>
    </div>
  );
}

function AccountsAndTemplates(props: { showTemplates: boolean }) {
  const t = useT();
  const accounts = useLoad(() => apiGet(ACCOUNTS_ROUTE, { limit: 100 }), []);
  const rows = itemsOf<ChannelAccountRow>(accounts.data);
  // The templates section lists the templates of the business's WhatsApp Business Accounts.
  const wabas = [
    ...new Set(
      rows
        .filter((r) => r.channel === 'whatsapp')
        .map((r) => r.wabaId)
        .filter((w): w is string => typeof w === 'string'),
    ),
  ];
  const [waba, setWaba] = useState<string>();
  const chosen = waba ?? wabas[0];
  const templates = useLoad(
    () => (chosen && props.showTemplates ? apiGet(TEMPLATES_API_ROUTES.list.path, { wabaId: chosen }) : Promise.resolve([])),
    [chosen, props.showTemplates],
  );
  if (accounts.error) return <p class="muted">{t('common.notAvailable')}</p>;
  if (!props.showTemplates) {
    return (
      <div class="table-wrap" tabIndex={0}>
        <table class="grid">
          <thead>
            <tr>
              <th scope="col">{t('admin.account')}</th>
              <th scope="col">{t('admin.channels')}</th>
              <th scope="col">{t('admin.status')}</th>
              <th scope="col">{t('admin.quality')}</th>
              <th scope="col">{t('admin.messagingLimit')}</th>
              <th scope="col">{t('admin.token')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.accountId}>
                <th scope="row">
                  {r.displayName ?? r.displayPhoneNumber ?? r.accountId}
                  {r.displayName || r.displayPhoneNumber ? <span class="muted"> {r.accountId}</span> : null}
                </th>
                <td>{cell(r.channel)}</td>
                <td>{cell(r.status)}</td>
                <td>
                  {cell(r.qualityRating)}
                  {r.qualityFlagged ? ' ⚑' : ''}
                </td>
                <td>{cell(r.messagingLimit)}</td>
                <td>{cell(r.tokenState)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  const list = itemsOf<Record<string, unknown>>(templates.data);
  return (
    <div>
      <label class="field">
        <span>{t('admin.wabaPick')}</span>
        <select value={chosen} onChange={(e) => setWaba((e.target as HTMLSelectElement).value)}>
          {wabas.map((w) => (
            <option key={w} value={w}>
              {w}
            </option>
          ))}
        </select>
      </label>
      <div class="table-wrap" tabIndex={0}>
        <table class="grid">
          <thead>
            <tr>
              <th scope="col">{t('admin.template')}</th>
              <th scope="col">{t('admin.languages')}</th>
              <th scope="col">{t('admin.status')}</th>
              <th scope="col">{t('admin.category')}</th>
              <th scope="col">{t('admin.quality')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((r, i) => (
              <tr key={i}>
                <th scope="row">{cell(r.name)}</th>
                <td>{cell(r.language)}</td>
                <td>{cell(r.status)}</td>
                <td>{cell(r.category)}</td>
                <td>{cell(r.qualityScore)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function AuditTrail() {
  const t = useT();
  const ctx = useContext(ConsoleContext)!;
  const [pages, setPages] = useState<AuditRow[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const { error } = useLoad(async () => {
    const a = await apiGet<{ actions?: AuditRow[]; nextCursor?: string }>(ADMIN_ROUTES.audit.path, { limit: 50 });
    setPages(Array.isArray(a?.actions) ? a.actions : []);
    setCursor(a?.nextCursor);
  }, []);
  const more = async () => {
    const a = await apiGet<{ actions?: AuditRow[]; nextCursor?: string }>(ADMIN_ROUTES.audit.path, { limit: 50, cursor });
    setPages((old) => [...old, ...(Array.isArray(a?.actions) ? a.actions : [])]);
    setCursor(a?.nextCursor);
  };
  return (
    <div>
      {error ? (
        <p role="alert" class="error">
          {errorText(error, t)}
        </p>
      ) : null}
      <div class="table-wrap" tabIndex={0}>
        <table class="grid">
          <thead>
            <tr>
              <th scope="col">{t('admin.at')}</th>
              <th scope="col">{t('admin.actor')}</th>
              <th scope="col">{t('admin.route')}</th>
              <th scope="col">{t('admin.target')}</th>
              <th scope="col">{t('admin.outcome')}</th>
            </tr>
          </thead>
          <tbody>
            {pages.map((r, i) => (
              <tr key={i}>
                <td>{formatDateTime(r.at, ctx.language, ctx.timeZone)}</td>
                <td>{cell(r.actor)}</td>
                <td>
                  <code>{cell(r.route)}</code>
                </td>
                <td>{cell(r.target)}</td>
                <td>
                  {cell(r.outcome)} ({cell(r.status)})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cursor ? (
        <button type="button" onClick={() => void more()}>
          {t('common.loadMore')}
        </button>
      ) : null}
    </div>
  );
}
