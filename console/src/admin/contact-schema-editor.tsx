import { useState } from 'preact/hooks';
import { CONTACTS_ADMIN_ROUTES } from '../../../lambdas/contacts/api/contacts-api-contract.ts';
import { ATTRIBUTE_TYPE_ORDER, definitionsOf, schemaRowProblems, schemaRows, type AttributeDefinition, type SchemaRow } from '../lib/contact-display.ts';
import { ApiError, apiGet, apiPut } from '../platform/api.ts';
import { errorText, notify, useLoad, useT } from '../shell/ui.tsx';

type SchemaAnswer = { attributes?: AttributeDefinition[]; version?: number; updatedAt?: string };

const EMPTY_ROW: SchemaRow = { key: '', label: '', type: 'string', options: '', visibleToAgents: true, editableByAgents: false };

/**
 * The business's custom contact attributes (`GET/PUT /admin/contacts/schema`): key, label, type,
 * options for a list, and whether agents see and edit each. Saved with the version it was read
 * at; someone else's newer save is never overwritten.
 */
export function ContactSchemaEditor() {
  const t = useT();
  const { data, error, reload } = useLoad(() => apiGet<SchemaAnswer>(CONTACTS_ADMIN_ROUTES.getSchema.path), []);
  const [draft, setDraft] = useState<SchemaRow[]>();
  const [saveError, setSaveError] = useState<string>();
  const [conflict, setConflict] = useState(false);
  const version = typeof data?.version === 'number' ? data.version : 0;
  const rows = draft ?? schemaRows(Array.isArray(data?.attributes) ? data.attributes : []);
  const problems = schemaRowProblems(rows);
  const problemsOf = (i: number) => problems.filter(([row]) => row === i).map(([, key]) => t(key));

  const edit = (i: number, change: Partial<SchemaRow>) => setDraft(rows.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const save = async () => {
    try {
      const saved = await apiPut<SchemaAnswer>(CONTACTS_ADMIN_ROUTES.putSchema.path, { attributes: definitionsOf(rows), expectedVersion: version });
      notify(t('contacts.schema.saved', { version: saved?.version ?? version + 1 }));
      setDraft(undefined);
      setSaveError(undefined);
      setConflict(false);
      reload();
    } catch (err) {
      setConflict(err instanceof ApiError && err.code === 'changed_meanwhile');
      setSaveError(err instanceof ApiError && err.code === 'changed_meanwhile' ? t('contacts.schema.conflict') : errorText(err, t));
    }
  };

  if (error)
    return (
      <p role="alert" class="error">
        {errorText(error, t)}
      </p>
    );
  return (
    <div data-testid="contact-schema">
      <p class="muted">{t('contacts.schema.hint')}</p>
      <p class="muted">{t('contacts.schema.version', { version })}</p>
      {rows.length === 0 ? <p class="muted">{t('contacts.schema.empty')}</p> : null}
      <div class="table-wrap" tabIndex={0} role="group" aria-label={t('admin.sections.contacts')}>
        <table class="grid schema-grid">
          <thead>
            <tr>
              <th scope="col">{t('contacts.schema.key')}</th>
              <th scope="col">{t('contacts.schema.label')}</th>
              <th scope="col">{t('contacts.schema.type')}</th>
              <th scope="col">{t('contacts.schema.options')}</th>
              <th scope="col">{t('contacts.schema.visible')}</th>
              <th scope="col">{t('contacts.schema.editable')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('actions.more')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const n = i + 1;
              const rowProblems = problemsOf(i);
              const label = (field: string) => `${t(`contacts.schema.${field}`)} (${t('contacts.schema.row', { n })})`;
              return (
                <tr key={i} data-testid="schema-row" aria-invalid={rowProblems.length ? 'true' : undefined}>
                  <td>
                    <input
                      type="text"
                      value={r.key}
                      maxLength={40}
                      aria-label={label('key')}
                      aria-invalid={rowProblems.length ? 'true' : undefined}
                      onInput={(e) => edit(i, { key: (e.target as HTMLInputElement).value })}
                      data-field="key"
                    />
                    {rowProblems.map((p) => (
                      <small key={p} class="field-error">
                        {p}
                      </small>
                    ))}
                  </td>
                  <td>
                    <input
                      type="text"
                      value={r.label}
                      maxLength={80}
                      aria-label={label('label')}
                      onInput={(e) => edit(i, { label: (e.target as HTMLInputElement).value })}
                      data-field="label"
                    />
                  </td>
                  <td>
                    <select
                      value={r.type}
                      aria-label={label('type')}
                      onChange={(e) => edit(i, { type: (e.target as HTMLSelectElement).value as SchemaRow['type'] })}
                      data-field="type"
                    >
                      {ATTRIBUTE_TYPE_ORDER.map((type) => (
                        <option key={type} value={type}>
                          {t(`contacts.schema.types.${type}`)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      type="text"
                      value={r.options}
                      maxLength={2000}
                      disabled={r.type !== 'enum'}
                      aria-label={label('options')}
                      onInput={(e) => edit(i, { options: (e.target as HTMLInputElement).value })}
                      data-field="options"
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      checked={r.visibleToAgents}
                      aria-label={label('visible')}
                      onChange={(e) => edit(i, { visibleToAgents: (e.target as HTMLInputElement).checked })}
                      data-field="visible"
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      checked={r.editableByAgents && r.visibleToAgents}
                      disabled={!r.visibleToAgents}
                      aria-label={label('editable')}
                      onChange={(e) => edit(i, { editableByAgents: (e.target as HTMLInputElement).checked })}
                      data-field="editable"
                    />
                  </td>
                  <td>
                    <button type="button" class="danger" onClick={() => setDraft(rows.filter((_, j) => j !== i))}>
                      {t('contacts.schema.remove', { n })}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div class="row wrap">
        <button type="button" onClick={() => setDraft([...rows, { ...EMPTY_ROW }])} data-testid="schema-add">
          {t('contacts.schema.add')}
        </button>
        <button type="button" class="primary" disabled={!draft || problems.length > 0} onClick={() => void save()} data-testid="schema-save">
          {t('common.save')}
        </button>
        {conflict ? (
          <button
            type="button"
            onClick={() => {
              setDraft(undefined);
              setConflict(false);
              setSaveError(undefined);
              reload();
            }}
          >
            {t('admin.reload')}
          </button>
        ) : null}
      </div>
      {saveError ? (
        <p role="alert" class="error field-error">
          {saveError}
        </p>
      ) : null}
    </div>
  );
}
