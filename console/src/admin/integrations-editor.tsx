import { useContext, useState } from 'preact/hooks';
import { INTEGRATIONS_ROUTES } from '../../../lambdas/integrations/api/integrations-api-contract.ts';
import {
  AUTH_TYPES,
  bodyOf,
  formOf,
  INTEGRATION_EVENT_CHOICES,
  INTEGRATION_KIND_CHOICES,
  integrationPath,
  newIntegrationForm,
  type AuthType,
  type DeliveryRow,
  type IntegrationForm,
  type IntegrationRow,
} from '../lib/integration-form.ts';
import { formatDateTime } from '../lib/time-format.ts';
import { ApiError, apiDelete, apiGet, apiPost, apiPut } from '../platform/api.ts';
import { ConsoleContext } from '../shell/console-context.ts';
import { errorText, itemsOf, notify, useLoad, useT } from '../shell/ui.tsx';

type Editing = { integrationId?: string; version?: number; form: IntegrationForm };
type Created = { name: string; signingSecret: string };

/** A refusal that still saved the integration (`502 provisioning_failed`) carries it, and on creation its signing secret. */
function savedDespite(err: unknown): { integration?: IntegrationRow; signingSecret?: string } {
  if (!(err instanceof ApiError) || err.code !== 'provisioning_failed' || !err.body || typeof err.body !== 'object') return {};
  const body = err.body as { integration?: IntegrationRow; signingSecret?: unknown };
  return { integration: body.integration, signingSecret: typeof body.signingSecret === 'string' ? body.signingSecret : undefined };
}

/** The API's 400/409 message beside the form; a half-made integration says it was saved and how to retry. */
function saveErrorText(err: unknown, t: (key: string, options?: Record<string, unknown>) => string): string {
  if (err instanceof ApiError && err.code === 'version_conflict') return t('integrations.conflict');
  if (err instanceof ApiError && err.code === 'provisioning_failed') return `${t('integrations.provisioningFailed')} ${err.message.slice(0, 300)}`;
  return errorText(err, t);
}

/**
 * The business's integrations (docs/integrations.md § Admin API): the list with each one's
 * provisioning state, a form to add or change one (credentials write-only), the signing secret
 * shown once after creation, a test call, the last deliveries, and deletion after a confirmation.
 */
export function IntegrationsEditor() {
  const t = useT();
  const { data, error, reload } = useLoad(() => apiGet(INTEGRATIONS_ROUTES.list.path), []);
  const rows = itemsOf<IntegrationRow>(data);
  const [editing, setEditing] = useState<Editing>();
  const [saveError, setSaveError] = useState<string>();
  const [created, setCreated] = useState<Created>();
  const [opened, setOpened] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState<IntegrationRow>();

  const open = (next: Editing | undefined) => {
    setEditing(next);
    setSaveError(undefined);
  };
  const save = async () => {
    if (!editing) return;
    const { integrationId, version, form } = editing;
    try {
      if (integrationId === undefined) {
        const answer = await apiPost<{ integration?: IntegrationRow; signingSecret?: string }>(INTEGRATIONS_ROUTES.create.path, bodyOf(form));
        if (answer?.signingSecret) setCreated({ name: answer.integration?.name ?? form.name, signingSecret: answer.signingSecret });
        if (answer?.integration) setOpened(answer.integration.integrationId);
      } else {
        await apiPut(integrationPath(INTEGRATIONS_ROUTES.update.path, integrationId), bodyOf(form, version));
      }
      notify(t('common.saved'));
      open(undefined);
      reload();
    } catch (err) {
      const saved = savedDespite(err);
      if (saved.signingSecret) setCreated({ name: saved.integration?.name ?? form.name, signingSecret: saved.signingSecret });
      if (saved.integration) {
        // Stored, but EventBridge refused part of the set-up: further saves are edits of that integration.
        setEditing({ integrationId: saved.integration.integrationId, version: saved.integration.version, form: { ...form, replaceAuth: false } });
        reload();
      }
      setSaveError(saveErrorText(err, t));
    }
  };
  const remove = async (row: IntegrationRow) => {
    try {
      await apiDelete(integrationPath(INTEGRATIONS_ROUTES.remove.path, row.integrationId));
      notify(t('integrations.deleted', { name: row.name }));
      setConfirmDelete(undefined);
      if (opened === row.integrationId) setOpened(undefined);
      if (editing?.integrationId === row.integrationId) open(undefined);
      reload();
    } catch (err) {
      notify(errorText(err, t), 'error');
    }
  };

  if (error)
    return (
      <p role="alert" class="error">
        {errorText(error, t)}
      </p>
    );
  const openedRow = rows.find((r) => r.integrationId === opened);
  return (
    <div data-testid="integrations">
      <p class="muted">{t('integrations.hint')}</p>
      {created ? <SigningSecret created={created} onDone={() => setCreated(undefined)} /> : null}
      {rows.length === 0 ? <p class="muted">{t('integrations.empty')}</p> : null}
      {rows.length > 0 ? (
        <div class="table-wrap" tabIndex={0} role="group" aria-label={t('admin.sections.integrations')}>
          <table class="grid">
            <thead>
              <tr>
                <th scope="col">{t('integrations.name')}</th>
                <th scope="col">{t('integrations.kind')}</th>
                <th scope="col">{t('integrations.baseUrl')}</th>
                <th scope="col">{t('integrations.events')}</th>
                <th scope="col">{t('integrations.enabled')}</th>
                <th scope="col">{t('integrations.provisioning')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('actions.more')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.integrationId} data-testid="integration-row" data-integration-id={r.integrationId}>
                  <th scope="row">{r.name}</th>
                  <td>{t(`integrations.kinds.${r.kind}`)}</td>
                  <td class="wrap-anywhere">
                    <code>{r.baseUrl}</code>
                  </td>
                  <td>{(r.events ?? []).join(', ')}</td>
                  <td>{r.enabled === false ? t('common.no') : t('common.yes')}</td>
                  <td data-testid="integration-provisioning" data-state={r.provisioning?.state ?? ''}>
                    {r.provisioning?.state ? t(`integrations.states.${r.provisioning.state}`, { defaultValue: r.provisioning.state }) : '–'}
                    {r.provisioning?.error ? <small class="error"> {r.provisioning.error}</small> : null}
                  </td>
                  <td class="row wrap">
                    <button
                      type="button"
                      onClick={() => setOpened(r.integrationId)}
                      data-testid="integration-open"
                      aria-label={t('integrations.openNamed', { name: r.name })}
                    >
                      {t('integrations.open')}
                    </button>
                    <button
                      type="button"
                      onClick={() => open({ integrationId: r.integrationId, version: r.version, form: formOf(r) })}
                      data-testid="integration-edit"
                      aria-label={t('integrations.editNamed', { name: r.name })}
                    >
                      {t('common.edit')}
                    </button>
                    <button
                      type="button"
                      class="danger"
                      onClick={() => setConfirmDelete(r)}
                      data-testid="integration-delete"
                      aria-label={t('integrations.deleteNamed', { name: r.name })}
                    >
                      {t('common.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {confirmDelete ? (
        <div class="card" role="alertdialog" aria-labelledby="integration-delete-q" data-testid="integration-delete-confirm">
          <p id="integration-delete-q">
            <strong>{t('integrations.deleteQuestion', { name: confirmDelete.name })}</strong>
          </p>
          <p class="muted">{t('integrations.deleteExplained')}</p>
          <div class="row">
            <button type="button" class="danger" onClick={() => void remove(confirmDelete)} data-testid="integration-delete-submit">
              {t('common.delete')}
            </button>
            <button type="button" onClick={() => setConfirmDelete(undefined)}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      ) : null}
      <div class="row wrap">
        <button type="button" onClick={() => open({ form: newIntegrationForm() })} data-testid="integration-add">
          {t('integrations.add')}
        </button>
      </div>
      {editing ? (
        <IntegrationFormView
          editing={editing}
          onChange={(form) => setEditing({ ...editing, form })}
          onSave={() => void save()}
          onCancel={() => open(undefined)}
          saveError={saveError}
        />
      ) : null}
      {openedRow ? <IntegrationDetail key={openedRow.integrationId} row={openedRow} onTested={reload} /> : null}
    </div>
  );
}

function SigningSecret(props: { created: Created; onDone: () => void }) {
  const t = useT();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.created.signingSecret);
      notify(t('integrations.secretCopied'));
    } catch {
      notify(t('integrations.secretCopyFailed'), 'error');
    }
  };
  return (
    <div class="card" role="region" aria-labelledby="signing-secret-h" data-testid="signing-secret">
      <h3 id="signing-secret-h">{t('integrations.secretTitle', { name: props.created.name })}</h3>
      <p class="warning">
        <strong>{t('integrations.secretWarning')}</strong>
      </p>
      <p>
        <code class="wrap-anywhere" data-testid="signing-secret-value">
          {props.created.signingSecret}
        </code>
      </p>
      <p class="muted">{t('integrations.secretHint')}</p>
      <div class="row">
        <button type="button" onClick={() => void copy()} data-testid="signing-secret-copy">
          {t('integrations.secretCopy')}
        </button>
        <button type="button" class="primary" onClick={props.onDone} data-testid="signing-secret-done">
          {t('integrations.secretDone')}
        </button>
      </div>
    </div>
  );
}

function IntegrationFormView(props: {
  editing: Editing;
  onChange: (form: IntegrationForm) => void;
  onSave: () => void;
  onCancel: () => void;
  saveError?: string;
}) {
  const t = useT();
  const f = props.editing.form;
  const isNew = props.editing.integrationId === undefined;
  const set = (change: Partial<IntegrationForm>) => props.onChange({ ...f, ...change });
  const text = (
    field: keyof IntegrationForm,
    label: string,
    opts: { type?: 'text' | 'url' | 'password'; max?: number; required?: boolean; hint?: string; autocomplete?: string } = {},
  ) => (
    <label class="field">
      <span>{label}</span>
      <input
        type={(opts.type ?? 'text') as 'text'}
        value={String(f[field])}
        maxLength={opts.max ?? 2048}
        required={opts.required}
        autocomplete={opts.autocomplete ?? (opts.type === 'password' ? 'new-password' : 'off')}
        data-field={field}
        onInput={(e) => set({ [field]: (e.target as HTMLInputElement).value } as Partial<IntegrationForm>)}
      />
      {opts.hint ? <small class="muted">{opts.hint}</small> : null}
    </label>
  );
  const toggleEvent = (event: string, on: boolean) => set({ events: on ? [...f.events, event] : f.events.filter((e) => e !== event) });
  return (
    <form
      class="editor card"
      aria-labelledby="integration-form-h"
      data-testid="integration-form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSave();
      }}
    >
      <h3 id="integration-form-h">{isNew ? t('integrations.add') : t('integrations.editNamed', { name: f.name })}</h3>
      <label class="field">
        <span>{t('integrations.kind')}</span>
        <select
          value={f.kind}
          disabled={!isNew}
          data-field="kind"
          onChange={(e) => set({ kind: (e.target as HTMLSelectElement).value as IntegrationForm['kind'], lookup: false, lookupUrl: '' })}
        >
          {INTEGRATION_KIND_CHOICES.map((k) => (
            <option key={k} value={k}>
              {t(`integrations.kinds.${k}`)}
            </option>
          ))}
        </select>
      </label>
      {text('name', t('integrations.name'), { max: 80, required: true })}
      {text('baseUrl', t('integrations.baseUrl'), { type: 'url', required: true, hint: t(`integrations.baseUrlHints.${f.kind}`) })}
      <fieldset>
        <legend>{t('integrations.auth')}</legend>
        {!isNew ? (
          <label class="row">
            <input
              type="checkbox"
              checked={f.replaceAuth}
              data-field="replaceAuth"
              onChange={(e) => set({ replaceAuth: (e.target as HTMLInputElement).checked })}
            />
            <span>{t('integrations.replaceAuth')}</span>
          </label>
        ) : null}
        {!isNew && !f.replaceAuth ? <p class="muted">{t('integrations.authKept', { type: t(`integrations.authTypes.${f.authType}`) })}</p> : null}
        {isNew || f.replaceAuth ? (
          <div>
            <label class="field">
              <span>{t('integrations.authType')}</span>
              <select value={f.authType} data-field="authType" onChange={(e) => set({ authType: (e.target as HTMLSelectElement).value as AuthType })}>
                {AUTH_TYPES.map((a) => (
                  <option key={a} value={a}>
                    {t(`integrations.authTypes.${a}`)}
                  </option>
                ))}
              </select>
            </label>
            {f.authType === 'api_key' ? (
              <>
                {text('headerName', t('integrations.headerName'), { max: 256 })}
                {text('apiKey', t('integrations.apiKey'), { type: 'password' })}
              </>
            ) : null}
            {f.authType === 'basic' ? (
              <>
                {text('username', t('integrations.username'), { max: 512, autocomplete: 'off' })}
                {text('password', t('integrations.password'), { type: 'password', max: 512 })}
              </>
            ) : null}
            {f.authType === 'oauth_client_credentials' ? (
              <>
                {text('tokenUrl', t('integrations.tokenUrl'), { type: 'url' })}
                {text('clientId', t('integrations.clientId'), { max: 512 })}
                {text('clientSecret', t('integrations.clientSecret'), { type: 'password' })}
                {text('scope', t('integrations.scope'), { max: 1024 })}
              </>
            ) : null}
            <small class="muted">{t('integrations.secretsWriteOnly')}</small>
          </div>
        ) : null}
      </fieldset>
      <fieldset data-testid="integration-events">
        <legend>{t('integrations.events')}</legend>
        <div class="row wrap">
          {INTEGRATION_EVENT_CHOICES.map((event) => (
            <label key={event} class="row">
              <input
                type="checkbox"
                checked={f.events.includes(event)}
                data-event={event}
                onChange={(e) => toggleEvent(event, (e.target as HTMLInputElement).checked)}
              />
              <span>
                <code>{event}</code>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <label class="field">
        <span>{t('integrations.rateLimit')}</span>
        <input
          type="number"
          min={1}
          max={300}
          step={1}
          value={f.rateLimit}
          data-field="rateLimit"
          onInput={(e) => set({ rateLimit: (e.target as HTMLInputElement).value })}
        />
      </label>
      <label class="row">
        <input type="checkbox" checked={f.lookup} data-field="lookup" onChange={(e) => set({ lookup: (e.target as HTMLInputElement).checked })} />
        <span>{f.kind === 'webhook' ? t('integrations.lookupWebhook') : t('integrations.lookupCrm')}</span>
      </label>
      {f.kind === 'webhook' && f.lookup ? text('lookupUrl', t('integrations.lookupUrl'), { type: 'url' }) : null}
      <label class="row">
        <input type="checkbox" checked={f.enabled} data-field="enabled" onChange={(e) => set({ enabled: (e.target as HTMLInputElement).checked })} />
        <span>{t('integrations.enabledLong')}</span>
      </label>
      <div id="integration-save-error">
        {props.saveError ? (
          <p role="alert" class="error field-error" data-testid="integration-save-error">
            {props.saveError}
          </p>
        ) : null}
      </div>
      <div class="row">
        <button type="submit" class="primary" data-testid="integration-save">
          {t('common.save')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function DeliveryStatus(props: { row: Pick<DeliveryRow, 'status' | 'httpStatus' | 'error'> }) {
  const t = useT();
  const { status, httpStatus, error } = props.row;
  const bad = status === 'dead_lettered' || status === 'test_failed';
  return (
    <span data-testid="delivery-status" data-status={status}>
      <span class={`badge${bad ? ' error' : ''}`}>{t(`integrations.statuses.${status}`, { defaultValue: status })}</span> <code>{status}</code>
      {httpStatus !== undefined ? <span> · HTTP {httpStatus}</span> : null}
      {error?.code ? <span class="error"> · {error.code}</span> : null}
      {error?.message ? <small class="muted wrap-anywhere"> {error.message}</small> : null}
    </span>
  );
}

function IntegrationDetail(props: { row: IntegrationRow; onTested: () => void }) {
  const t = useT();
  const ctx = useContext(ConsoleContext)!;
  const id = props.row.integrationId;
  const deliveries = useLoad(() => apiGet(integrationPath(INTEGRATIONS_ROUTES.deliveries.path, id), { limit: 20 }), [id]);
  const list = itemsOf<DeliveryRow>(deliveries.data);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<DeliveryRow>();
  const [testError, setTestError] = useState<string>();
  const runTest = async () => {
    setTesting(true);
    setTestError(undefined);
    try {
      setTest(await apiPost<DeliveryRow>(integrationPath(INTEGRATIONS_ROUTES.test.path, id)));
      deliveries.reload();
      props.onTested();
    } catch (err) {
      setTest(undefined);
      setTestError(errorText(err, t));
    } finally {
      setTesting(false);
    }
  };
  return (
    <section class="card" aria-labelledby="integration-detail-h" data-testid="integration-detail" data-integration-id={id}>
      <h3 id="integration-detail-h">{props.row.name}</h3>
      <div class="row wrap">
        <button type="button" class="primary" disabled={testing} onClick={() => void runTest()} data-testid="integration-test">
          {testing ? t('integrations.testing') : t('integrations.test')}
        </button>
        <button type="button" onClick={deliveries.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <div aria-live="polite" data-testid="integration-test-result">
        {test ? (
          <p>
            {t('integrations.testResult')}: <DeliveryStatus row={test} />
          </p>
        ) : null}
        {testError ? (
          <p role="alert" class="error">
            {testError}
          </p>
        ) : null}
      </div>
      <h4>{t('integrations.deliveries')}</h4>
      {deliveries.error ? (
        <p role="alert" class="error">
          {errorText(deliveries.error, t)}
        </p>
      ) : null}
      {list.length === 0 && !deliveries.error ? <p class="muted">{t('integrations.noDeliveries')}</p> : null}
      {list.length > 0 ? (
        <div class="table-wrap" tabIndex={0} role="group" aria-label={t('integrations.deliveries')}>
          <table class="grid" data-testid="integration-deliveries">
            <thead>
              <tr>
                <th scope="col">{t('integrations.at')}</th>
                <th scope="col">{t('integrations.event')}</th>
                <th scope="col">{t('integrations.status')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.deliveryId} data-testid="delivery-row">
                  <td>{formatDateTime(d.at, ctx.language, ctx.timeZone)}</td>
                  <td>
                    <code>{d.eventType}</code>
                  </td>
                  <td>
                    <DeliveryStatus row={d} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
