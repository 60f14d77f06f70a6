import { useEffect, useState } from 'preact/hooks';
import { CONTACTS_AGENT_ROUTES, contactPath } from '../../../lambdas/contacts/api/contacts-api-contract.ts';
import {
  CHANNEL_MARKS,
  IDENTITY_KIND_ORDER,
  attributeInputText,
  changedAttributes,
  consentChannels,
  kindNeedsAccount,
  kindTakesAccount,
  looksLikeConversationKey,
  type ContactSummary,
  type ContactView,
  type MergeView,
} from '../lib/contact-display.ts';
import { ApiError, apiGet, apiPatch, apiPost } from '../platform/api.ts';
import { Dialog, errorText, useT } from '../shell/ui.tsx';

type Done = (contact: ContactView | undefined) => void;
const R = CONTACTS_AGENT_ROUTES;

/** A refusal shown inside the dialog, read out when it appears. */
function Refusal(props: { text?: string | undefined }) {
  return props.text ? (
    <p role="alert" class="error field-error">
      {props.text}
    </p>
  ) : null;
}

export function NameDialog(props: { contact: ContactView; onClose: () => void; onDone: Done }) {
  const t = useT();
  const [name, setName] = useState(props.contact.name ?? '');
  const [refusal, setRefusal] = useState<string>();
  const save = async () => {
    try {
      props.onDone(
        await apiPatch<ContactView>(contactPath(R.rename, { contactId: props.contact.contactId }), {
          name: name.trim(),
          expectedVersion: props.contact.version,
        }),
      );
    } catch (err) {
      setRefusal(errorText(err, t));
    }
  };
  return (
    <Dialog title={t('contacts.editName')} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void save();
        }}
      >
        <label class="field">
          <span>{t('contacts.name')}</span>
          <input value={name} maxLength={120} required onInput={(e) => setName((e.target as HTMLInputElement).value)} data-testid="contact-name-input" />
        </label>
        <Refusal text={refusal} />
        <button type="submit" class="primary" disabled={!name.trim()}>
          {t('common.save')}
        </button>
      </form>
    </Dialog>
  );
}

export function LinkIdentityDialog(props: { contact: ContactView; onClose: () => void; onDone: Done; onMergeInstead: (ownerContactId: string) => void }) {
  const t = useT();
  const [kind, setKind] = useState<string>('phone');
  const [value, setValue] = useState('');
  const [accountId, setAccountId] = useState('');
  const [refusal, setRefusal] = useState<string>();
  const [owner, setOwner] = useState<string>();
  const save = async () => {
    setOwner(undefined);
    try {
      const body = { kind, value: value.trim(), ...(kindTakesAccount(kind) && accountId.trim() ? { accountId: accountId.trim() } : {}) };
      props.onDone(await apiPost<ContactView>(contactPath(R.linkIdentity, { contactId: props.contact.contactId }), body));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'identity_taken') {
        const body = err.body as { ownerContactId?: unknown } | undefined;
        setRefusal(t('contacts.taken'));
        if (typeof body?.ownerContactId === 'string') setOwner(body.ownerContactId);
        return;
      }
      setRefusal(errorText(err, t));
    }
  };
  return (
    <Dialog title={t('contacts.linkTitle')} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) void save();
        }}
      >
        <label class="field">
          <span>{t('contacts.kind')}</span>
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)} data-testid="link-kind">
            {IDENTITY_KIND_ORDER.map((k) => (
              <option key={k} value={k}>
                {t(`contacts.kinds.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('contacts.value')}</span>
          <input
            value={value}
            maxLength={200}
            required
            aria-describedby="link-value-hint"
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
            data-testid="link-value"
          />
          <small id="link-value-hint" class="muted">
            {t('contacts.valueHint')}
          </small>
        </label>
        {kindTakesAccount(kind) ? (
          <label class="field">
            <span>{t('contacts.accountId')}</span>
            <input
              value={accountId}
              maxLength={100}
              required={kindNeedsAccount(kind)}
              pattern="[A-Za-z0-9_.\-]{1,100}"
              aria-describedby="link-account-hint"
              onInput={(e) => setAccountId((e.target as HTMLInputElement).value)}
              data-testid="link-account"
            />
            <small id="link-account-hint" class="muted">
              {t('contacts.accountHint')}
            </small>
          </label>
        ) : null}
        <Refusal text={refusal} />
        {owner ? (
          <button type="button" onClick={() => props.onMergeInstead(owner)} data-testid="link-merge-instead">
            {t('contacts.mergeWithOwner')}
          </button>
        ) : null}
        <button type="submit" class="primary" disabled={!value.trim()}>
          {t('contacts.link')}
        </button>
      </form>
    </Dialog>
  );
}

export function ConsentDialog(props: { contact: ContactView; onClose: () => void; onDone: Done }) {
  const t = useT();
  const channels = consentChannels(props.contact);
  const [channel, setChannel] = useState(channels[0] ?? 'whatsapp');
  const [status, setStatus] = useState<'opted_in' | 'opted_out'>('opted_in');
  const [evidence, setEvidence] = useState('');
  const [refusal, setRefusal] = useState<string>();
  const save = async () => {
    try {
      props.onDone(
        await apiPost<ContactView>(contactPath(R.consent, { contactId: props.contact.contactId }), { channel, status, evidenceText: evidence.trim() }),
      );
    } catch (err) {
      setRefusal(errorText(err, t));
    }
  };
  if (!channels.length) {
    return (
      <Dialog title={t('contacts.consentTitle')} onClose={props.onClose}>
        <p>{t('contacts.noConsentChannel')}</p>
      </Dialog>
    );
  }
  return (
    <Dialog title={t('contacts.consentTitle')} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (evidence.trim()) void save();
        }}
      >
        <label class="field">
          <span>{t('contacts.consentChannel')}</span>
          <select value={channel} onChange={(e) => setChannel((e.target as HTMLSelectElement).value as typeof channel)} data-testid="consent-channel">
            {channels.map((c) => (
              <option key={c} value={c}>
                {t(`channels.${c}`)}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t('contacts.consentStatus')}</legend>
          {(['opted_in', 'opted_out'] as const).map((s) => (
            <label key={s} class="radio">
              <input type="radio" name="consent-status" value={s} checked={status === s} onChange={() => setStatus(s)} data-testid={`consent-${s}`} />{' '}
              {t(`contacts.consentStates.${s}`)}
            </label>
          ))}
        </fieldset>
        <label class="field">
          <span>{t('contacts.evidence')}</span>
          <textarea
            rows={3}
            maxLength={1000}
            required
            value={evidence}
            placeholder={t('contacts.evidenceHint')}
            onInput={(e) => setEvidence((e.target as HTMLTextAreaElement).value)}
            data-testid="consent-evidence"
          />
        </label>
        <Refusal text={refusal} />
        <button type="submit" class="primary" disabled={!evidence.trim()}>
          {t('contacts.recordConsent')}
        </button>
      </form>
    </Dialog>
  );
}

export function AttributesDialog(props: { contact: ContactView; onClose: () => void; onDone: Done }) {
  const t = useT();
  const editable = props.contact.attributes.filter((a) => a.editable && a.defined);
  const [edited, setEdited] = useState<Record<string, string | boolean>>({});
  const [refusal, setRefusal] = useState<string>();
  const set = (key: string, value: string | boolean) => setEdited((old) => ({ ...old, [key]: value }));
  const save = async () => {
    const { change, invalid } = changedAttributes(editable, edited);
    if (invalid.length)
      return setRefusal(
        t('contacts.attributeInvalid', {
          names: editable
            .filter((a) => invalid.includes(a.key))
            .map((a) => a.label)
            .join(', '),
        }),
      );
    if (!Object.keys(change).length) return props.onClose();
    try {
      props.onDone(
        await apiPatch<ContactView>(contactPath(R.attributes, { contactId: props.contact.contactId }), {
          attributes: change,
          expectedVersion: props.contact.version,
        }),
      );
    } catch (err) {
      setRefusal(errorText(err, t));
    }
  };
  return (
    <Dialog title={t('contacts.editAttributes')} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {editable.map((a) => {
          const id = `attr-${a.key}`;
          const text = typeof edited[a.key] === 'string' ? (edited[a.key] as string) : attributeInputText(a);
          if (a.type === 'boolean') {
            const checked = typeof edited[a.key] === 'boolean' ? (edited[a.key] as boolean) : a.value === true;
            return (
              <label key={a.key} class="radio">
                <input id={id} type="checkbox" checked={checked} onChange={(e) => set(a.key, (e.target as HTMLInputElement).checked)} data-attribute={a.key} />{' '}
                {a.label}
              </label>
            );
          }
          return (
            <label key={a.key} class="field" for={id}>
              <span>{a.label}</span>
              {a.type === 'enum' ? (
                <select id={id} value={text} onChange={(e) => set(a.key, (e.target as HTMLSelectElement).value)} data-attribute={a.key}>
                  <option value="">–</option>
                  {(a.options ?? []).map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              ) : a.type === 'number' ? (
                <input id={id} type="number" step="any" value={text} onInput={(e) => set(a.key, (e.target as HTMLInputElement).value)} data-attribute={a.key} />
              ) : a.type === 'date' ? (
                <input id={id} type="date" value={text} onInput={(e) => set(a.key, (e.target as HTMLInputElement).value)} data-attribute={a.key} />
              ) : (
                <input
                  id={id}
                  type="text"
                  maxLength={500}
                  value={text}
                  onInput={(e) => set(a.key, (e.target as HTMLInputElement).value)}
                  data-attribute={a.key}
                />
              )}
            </label>
          );
        })}
        <Refusal text={refusal} />
        <button type="submit" class="primary" data-testid="attributes-save">
          {t('common.save')}
        </button>
      </form>
    </Dialog>
  );
}

/**
 * Merge another contact into this one: find it (name, phone, or a conversation's key), then
 * confirm with both contacts side by side. The conversation's contact survives.
 */
export function MergeDialog(props: { contact: ContactView; otherContactId?: string; onClose: () => void; onDone: Done }) {
  const t = useT();
  const [q, setQ] = useState('');
  const [results, setResults] = useState<ContactSummary[]>();
  const [other, setOther] = useState<ContactView>();
  const [reason, setReason] = useState('');
  const [refusal, setRefusal] = useState<string>();
  const pick = async (contactId: string) => {
    try {
      const found = await apiGet<ContactView>(contactPath(R.read, { contactId }));
      if (found.contactId === props.contact.contactId) return setRefusal(t('contacts.noResults'));
      setOther(found);
      setRefusal(undefined);
    } catch (err) {
      setRefusal(errorText(err, t));
    }
  };
  useEffect(() => {
    if (props.otherContactId) void pick(props.otherContactId);
  }, [props.otherContactId]);
  const search = async () => {
    setRefusal(undefined);
    try {
      if (looksLikeConversationKey(q)) {
        const found = await apiGet<ContactView>(contactPath(R.ofConversation, { key: q.trim() }));
        setResults(
          found.contactId === props.contact.contactId
            ? []
            : [
                {
                  contactId: found.contactId,
                  ...(found.name ? { name: found.name } : {}),
                  ...(found.phoneE164 ? { phoneE164: found.phoneE164 } : {}),
                  channels: [],
                  tags: found.tags ?? [],
                },
              ],
        );
        return;
      }
      const answer = await apiGet<{ items?: ContactSummary[] }>(R.search.path, { q: q.trim(), limit: 20 });
      setResults((Array.isArray(answer?.items) ? answer.items : []).filter((c) => c.contactId !== props.contact.contactId));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return setResults([]);
      setRefusal(errorText(err, t));
    }
  };
  const merge = async () => {
    if (!other) return;
    try {
      props.onDone(
        await apiPost<ContactView>(contactPath(R.merge, { contactId: props.contact.contactId }), {
          otherContactId: other.contactId,
          expectedVersion: props.contact.version,
          ...(reason.trim() ? { reason: reason.trim() } : {}),
        }),
      );
    } catch (err) {
      setRefusal(errorText(err, t));
    }
  };
  const name = (c: { name?: string | undefined }) => c.name ?? t('contacts.unnamed');
  return (
    <Dialog title={t('contacts.mergeTitle')} onClose={props.onClose} wide>
      {!other ? (
        <>
          <form
            class="inline"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              if (q.trim()) void search();
            }}
          >
            <label class="visually-hidden" for="merge-search">
              {t('contacts.mergeSearch')}
            </label>
            <input
              id="merge-search"
              class="grow"
              value={q}
              maxLength={1000}
              placeholder={t('contacts.mergeSearch')}
              onInput={(e) => setQ((e.target as HTMLInputElement).value)}
              data-testid="merge-search"
            />
            <button type="submit" disabled={!q.trim()}>
              {t('contacts.search')}
            </button>
          </form>
          {results && !results.length ? <p class="muted">{t('contacts.noResults')}</p> : null}
          {results?.length ? (
            <ul class="pick-list" data-testid="merge-results">
              {results.map((c) => (
                <li key={c.contactId}>
                  <button type="button" onClick={() => void pick(c.contactId)} aria-label={t('contacts.pick', { name: name(c) })} data-contact-id={c.contactId}>
                    <strong>{name(c)}</strong> {c.phoneE164 ? <span class="muted">{c.phoneE164}</span> : null}{' '}
                    {c.channels.map((ch) => (
                      <span key={ch} class="chip">
                        {t(`channels.${ch}`)}
                      </span>
                    ))}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void merge();
          }}
          data-testid="merge-confirm"
        >
          <p>
            <strong>{t('contacts.mergeConfirm', { other: name(other), name: name(props.contact) })}</strong>
          </p>
          <div class="compare">
            <ContactCard contact={props.contact} caption={t('contacts.mergeKeeps')} />
            <ContactCard contact={other} caption={t('contacts.mergeAbsorbed')} />
          </div>
          <p class="muted">{t('contacts.mergeExplain')}</p>
          <label class="field">
            <span>{t('contacts.mergeReason')}</span>
            <input value={reason} maxLength={500} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          </label>
          <Refusal text={refusal} />
          <div class="row">
            <button type="submit" class="primary" data-testid="merge-submit">
              {t('contacts.merge')}
            </button>
            <button type="button" onClick={() => setOther(undefined)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      {!other ? <Refusal text={refusal} /> : null}
    </Dialog>
  );
}

/** One side of the merge confirmation. */
function ContactCard(props: { contact: ContactView; caption: string }) {
  const t = useT();
  const c = props.contact;
  return (
    <figure class="card contact-card" data-contact-id={c.contactId}>
      <figcaption class="muted">{props.caption}</figcaption>
      <p>
        <strong>{c.name ?? t('contacts.unnamed')}</strong>
      </p>
      {c.phoneE164 ? <p>{c.phoneE164}</p> : null}
      <ul class="plain">
        {c.identities.map((i) => (
          <li key={`${i.kind}:${i.accountId ?? ''}:${i.value}`}>
            <span class={`ch-mark ch-${i.channel}`} aria-hidden="true">
              {CHANNEL_MARKS[i.channel]}
            </span>{' '}
            {t(`contacts.kinds.${i.kind}`)} <code>{i.value}</code>
          </li>
        ))}
      </ul>
      {c.tags.length ? (
        <p>
          {c.tags.map((tag) => (
            <span key={tag} class="chip">
              #{tag}
            </span>
          ))}
        </p>
      ) : null}
    </figure>
  );
}

export function UndoMergeDialog(props: { contact: ContactView; merge: MergeView; onClose: () => void; onDone: Done }) {
  const t = useT();
  const [refusal, setRefusal] = useState<string>();
  const undo = async () => {
    try {
      const answer = await apiPost<{ survivor?: ContactView }>(contactPath(R.unmerge, { contactId: props.contact.contactId }), {
        mergeId: props.merge.mergeId,
      });
      props.onDone(answer?.survivor);
    } catch (err) {
      setRefusal(errorText(err, t));
    }
  };
  return (
    <Dialog title={t('contacts.undoTitle')} onClose={props.onClose}>
      <p>{t('contacts.undoExplain', { name: props.merge.absorbedName ?? props.merge.absorbedId })}</p>
      <Refusal text={refusal} />
      <button type="button" class="danger" onClick={() => void undo()} data-testid="unmerge-confirm">
        {t('contacts.undo')}
      </button>
    </Dialog>
  );
}
