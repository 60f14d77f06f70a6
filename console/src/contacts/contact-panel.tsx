import { useContext, useEffect, useState } from 'preact/hooks';
import { CONTACTS_AGENT_ROUTES, contactPath } from '../../../lambdas/contacts/api/contacts-api-contract.ts';
import {
  CHANNEL_MARKS,
  CONTACT_CHANNELS,
  CRM_KEYS,
  firstTouchFacts,
  identitiesByChannel,
  type AttributeView,
  type ContactView,
  type MergeView,
} from '../lib/contact-display.ts';
import { formatDateTime } from '../lib/time-format.ts';
import { ApiError, apiGet, apiPut } from '../platform/api.ts';
import { ConsoleContext } from '../shell/console-context.ts';
import { errorText, notify, useT } from '../shell/ui.tsx';
import { AttributesDialog, ConsentDialog, LinkIdentityDialog, MergeDialog, NameDialog, UndoMergeDialog } from './contact-dialogs.tsx';

type Dialog =
  | { kind: 'name' }
  | { kind: 'link' }
  | { kind: 'consent' }
  | { kind: 'attributes' }
  | { kind: 'merge'; otherContactId?: string }
  | { kind: 'undo'; merge: MergeView };

/**
 * The contact of the open conversation (`GET /agent/conversations/{key}/contact`): who the customer is
 * across channels, what they agreed to, how they first came, and the hand tools: tags,
 * attributes, linking an identity, merging with another contact and undoing a merge.
 */
export function ContactPanel(props: { conversationKey: string }) {
  const t = useT();
  const ctx = useContext(ConsoleContext)!;
  const [contact, setContact] = useState<ContactView | null>();
  const [error, setError] = useState<string>();
  const [dialog, setDialog] = useState<Dialog>();
  const [newTag, setNewTag] = useState('');

  const load = async () => {
    try {
      const answer = await apiGet<ContactView>(contactPath(CONTACTS_AGENT_ROUTES.ofConversation, { key: props.conversationKey }));
      setContact(answer && typeof answer.contactId === 'string' ? normalised(answer) : null);
      setError(undefined);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.code === 'contact_not_found') return setContact(null);
      setError(errorText(err, t));
    }
  };
  useEffect(() => {
    void load();
    // What the customer says may change the contact (an opt-out, a name): read it again with the conversation.
    return ctx.onLive((change) => {
      if (change.conversationKey === props.conversationKey) void load();
    });
  }, [props.conversationKey]);

  /** A route's answer replaces the contact shown; the dialog closes. */
  const done = (next: ContactView | undefined, message: string) => {
    if (next && typeof next.contactId === 'string') setContact(normalised(next));
    else void load();
    setDialog(undefined);
    notify(t(message));
  };
  const changeTags = async (add: string[], remove: string[]) => {
    if (!contact) return;
    try {
      const next = await apiPut<ContactView>(contactPath(CONTACTS_AGENT_ROUTES.tags, { contactId: contact.contactId }), { add, remove });
      setNewTag('');
      done(next, 'contacts.tagsSaved');
    } catch (err) {
      notify(errorText(err, t), 'error');
    }
  };

  if (error)
    return (
      <p role="alert" class="error">
        {error}
      </p>
    );
  if (contact === undefined) return <p class="muted">{t('app.loading')}</p>;
  if (contact === null)
    return (
      <p class="muted" data-testid="contact-none">
        {t('contacts.none')}
      </p>
    );
  const at = (iso: string | undefined) => formatDateTime(iso, ctx.language, ctx.timeZone);
  const name = contact.name ?? t('contacts.unnamed');
  const editableAttributes = contact.attributes.some((a) => a.editable);
  const touch = firstTouchFacts(contact.firstTouch);
  const crm = CRM_KEYS.filter((k) => typeof contact.crmIds?.[k] === 'string');

  return (
    <div class="contact" data-testid="contact" data-contact-id={contact.contactId}>
      <div class="contact-head">
        <p class="contact-name">
          <strong data-testid="contact-name">{name}</strong>{' '}
          <button type="button" class="link" onClick={() => setDialog({ kind: 'name' })}>
            {t('contacts.editName')}
          </button>
        </p>
        {contact.phoneE164 ? (
          <p class="meta">
            <span>{t('contacts.phone')}:</span>{' '}
            <a href={`tel:${contact.phoneE164}`} data-testid="contact-phone">
              {contact.phoneE164}
            </a>
          </p>
        ) : null}
      </div>

      <h4>{t('contacts.identities')}</h4>
      <ul class="plain identities" data-testid="contact-identities">
        {identitiesByChannel(contact.identities).map((group) => (
          <li key={group.channel} class="identity-group">
            <span class={`ch-mark ch-${group.channel}`} aria-hidden="true">
              {CHANNEL_MARKS[group.channel]}
            </span>
            <ul class="plain">
              {group.identities.map((i) => (
                <li key={`${i.kind}:${i.accountId ?? ''}:${i.value}`}>
                  <span class="identity-kind">{t(`contacts.kinds.${i.kind}`)}</span> <code>{i.value}</code>
                  {i.accountId && i.kind !== 'phone' ? <span class="muted"> {t('contacts.onAccount', { account: i.accountId })}</span> : null}
                  <span class="muted"> · {t(`contacts.linkedBy.${i.linkedBy}`, { defaultValue: i.linkedBy })}</span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      <div class="row wrap">
        <button type="button" onClick={() => setDialog({ kind: 'link' })} data-testid="contact-link">
          {t('contacts.link')}
        </button>
        <button type="button" onClick={() => setDialog({ kind: 'merge' })} data-testid="contact-merge">
          {t('contacts.merge')}
        </button>
      </div>

      <h4>{t('contacts.consent')}</h4>
      <dl class="facts consent" data-testid="contact-consent">
        {CONTACT_CHANNELS.map((channel) => {
          const c = contact.consent?.[channel] ?? null;
          const state = c?.status ?? 'unknown';
          return (
            <div key={channel} class="fact-row" data-channel={channel} data-status={state}>
              <dt>{t(`channels.${channel}`)}</dt>
              <dd>
                <span class={`badge consent-${state}`}>
                  <span aria-hidden="true">{state === 'opted_in' ? '✓ ' : state === 'opted_out' ? '✕ ' : '– '}</span>
                  {t(`contacts.consentStates.${state}`)}
                </span>
                {c ? (
                  <>
                    {' '}
                    <time dateTime={c.at}>{at(c.at)}</time>
                    <span class="muted"> · {t(`contacts.consentSources.${c.source}`, { defaultValue: c.source })}</span>
                    {c.recordedBy ? <span class="muted"> · {t('contacts.consentBy', { who: c.recordedBy })}</span> : null}
                    {c.evidenceText ? <q class="evidence">{c.evidenceText}</q> : null}
                  </>
                ) : null}
              </dd>
            </div>
          );
        })}
      </dl>
      <button type="button" onClick={() => setDialog({ kind: 'consent' })} data-testid="contact-consent-record">
        {t('contacts.recordConsent')}
      </button>

      <h4>{t('contacts.tags')}</h4>
      <ul class="row wrap plain" aria-label={t('contacts.tagsLabel')} data-testid="contact-tags">
        {contact.tags.length === 0 ? <li class="muted">{t('contacts.noTags')}</li> : null}
        {contact.tags.map((tag) => (
          <li key={tag}>
            <button
              type="button"
              class={`chip${tag === 'vip' ? ' vip' : ''}`}
              onClick={() => void changeTags([], [tag])}
              aria-label={t('contacts.removeTag', { tag })}
            >
              #{tag} <span aria-hidden="true">×</span>
            </button>
          </li>
        ))}
      </ul>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const tag = newTag.trim().toLowerCase();
          if (tag) void changeTags([tag], []);
        }}
      >
        <label class="visually-hidden" for="contact-new-tag">
          {t('contacts.newTag')}
        </label>
        <input
          id="contact-new-tag"
          value={newTag}
          maxLength={40}
          placeholder={t('contacts.newTag')}
          onInput={(e) => setNewTag((e.target as HTMLInputElement).value)}
          data-testid="contact-tag-input"
        />
        <button type="submit" disabled={!newTag.trim()}>
          {t('contacts.addTag')}
        </button>
      </form>

      <h4>{t('contacts.attributes')}</h4>
      <Attributes attributes={contact.attributes} yes={t('common.yes')} no={t('common.no')} empty={t('contacts.noAttributes')} />
      {editableAttributes ? (
        <button type="button" onClick={() => setDialog({ kind: 'attributes' })} data-testid="contact-attributes-edit">
          {t('contacts.editAttributes')}
        </button>
      ) : null}

      <h4>{t('contacts.firstTouch')}</h4>
      {touch.length ? (
        <dl class="facts" data-testid="contact-first-touch">
          {contact.firstTouch?.at ? (
            <div class="fact-row">
              <dt>{t('contacts.touch.at')}</dt>
              <dd>
                <time dateTime={contact.firstTouch.at}>{at(contact.firstTouch.at)}</time>
              </dd>
            </div>
          ) : null}
          {touch.map(([key, value]) => (
            <div key={key} class="fact-row">
              <dt>{t(key)}</dt>
              <dd class="wrap-anywhere">{key === 'contacts.touch.channel' ? t(`channels.${value}`, { defaultValue: value }) : value}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p class="muted">{t('contacts.noFirstTouch')}</p>
      )}

      <h4>{t('contacts.crm')}</h4>
      {crm.length ? (
        <dl class="facts" data-testid="contact-crm">
          {crm.map((k) => (
            <div key={k} class="fact-row">
              <dt>{t(`contacts.crmKeys.${k}`)}</dt>
              <dd>
                <code>{contact.crmIds[k]}</code>
                {k === 'salesforce' && contact.crmIds.salesforceObject ? <span class="muted"> ({contact.crmIds.salesforceObject})</span> : null}
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <p class="muted">{t('contacts.noCrm')}</p>
      )}

      <h4>{t('contacts.merges')}</h4>
      {contact.merges.length ? (
        <ul class="plain merges" data-testid="contact-merges">
          {contact.merges.map((m) => (
            <li key={m.mergeId} class="merge-row">
              <span>{t('contacts.mergedIn', { name: m.absorbedName ?? m.absorbedId, at: at(m.at), by: m.by })}</span>
              {m.reason ? <q class="evidence">{m.reason}</q> : null}
              {m.undoneAt ? (
                <span class="muted"> · {t('contacts.undoneAt', { at: at(m.undoneAt) })}</span>
              ) : (
                <button type="button" onClick={() => setDialog({ kind: 'undo', merge: m })} data-testid="contact-unmerge">
                  {t('contacts.undo')}
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t('contacts.noMerges')}</p>
      )}

      {dialog?.kind === 'name' ? <NameDialog contact={contact} onClose={() => setDialog(undefined)} onDone={(c) => done(c, 'contacts.nameSaved')} /> : null}
      {dialog?.kind === 'link' ? (
        <LinkIdentityDialog
          contact={contact}
          onClose={() => setDialog(undefined)}
          onDone={(c) => done(c, 'contacts.linked')}
          onMergeInstead={(owner) => setDialog({ kind: 'merge', otherContactId: owner })}
        />
      ) : null}
      {dialog?.kind === 'consent' ? (
        <ConsentDialog contact={contact} onClose={() => setDialog(undefined)} onDone={(c) => done(c, 'contacts.consentSaved')} />
      ) : null}
      {dialog?.kind === 'attributes' ? (
        <AttributesDialog contact={contact} onClose={() => setDialog(undefined)} onDone={(c) => done(c, 'contacts.attributesSaved')} />
      ) : null}
      {dialog?.kind === 'merge' ? (
        <MergeDialog
          contact={contact}
          {...(dialog.otherContactId ? { otherContactId: dialog.otherContactId } : {})}
          onClose={() => setDialog(undefined)}
          onDone={(c) => done(c, 'contacts.mergeDone')}
        />
      ) : null}
      {dialog?.kind === 'undo' ? (
        <UndoMergeDialog contact={contact} merge={dialog.merge} onClose={() => setDialog(undefined)} onDone={(c) => done(c, 'contacts.unmerged')} />
      ) : null}
    </div>
  );
}

function Attributes(props: { attributes: AttributeView[]; yes: string; no: string; empty: string }) {
  const shown = props.attributes.filter((a) => a.value !== undefined || a.editable);
  if (!shown.length) return <p class="muted">{props.empty}</p>;
  return (
    <dl class="facts" data-testid="contact-attributes">
      {shown.map((a) => (
        <div key={a.key} class="fact-row" data-key={a.key}>
          <dt>{a.label}</dt>
          <dd>{a.value === undefined ? '–' : typeof a.value === 'boolean' ? (a.value ? props.yes : props.no) : String(a.value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The view with its lists present, whatever an older API left out. */
function normalised(c: ContactView): ContactView {
  return {
    ...c,
    identities: Array.isArray(c.identities) ? c.identities : [],
    tags: Array.isArray(c.tags) ? c.tags : [],
    attributes: Array.isArray(c.attributes) ? c.attributes : [],
    merges: Array.isArray(c.merges) ? c.merges : [],
    crmIds: c.crmIds ?? {},
    consent: c.consent ?? { whatsapp: null, instagram: null, messenger: null },
  };
}
