import type { Contact } from '#lambdas/contacts/contact-model';
import type { ConversationSnapshot, DestinationSpec, IntegrationMapper, MapperInput } from '#lambdas/integrations/integration-model';
import {
  CONTACT_EVENTS,
  CONVERSATION_EVENTS,
  channelLabel,
  cleanTags,
  conversationRecordId,
  conversationSummaryLines,
  crmContactId,
  defined,
  deliveryKey,
  e164,
  isClosed,
  joinedTags,
  line,
  paragraph,
  recordKey,
  token,
} from '#lambdas/integrations/mappers/crm-fields';

/**
 * Zendesk Support API (docs/integrations.md § CRM mappings has the setup).
 *
 *   contact.updated / contact.merged   → users/create_or_update, matched on `external_id` (our contact id)
 *   conversation.closed                → the same user upsert + one ticket, created solved, tried once
 *   conversation.opened / assigned     → the user upsert only
 *   message.*, template.sent           → nothing
 *
 * Why the ticket is written once, at the close: Zendesk updates a ticket by its id only
 * (`PUT /api/v2/tickets/{id}`), and API destinations never hand us the id a create returned. A ticket
 * opened at `conversation.opened` could therefore never be closed by us. The close carries the whole
 * story (summary, agent, reason, outcome, tags) in one create.
 *
 * Why it is tried once: the only thing that makes a Zendesk ticket create idempotent is the
 * `Idempotency-Key` header, and EventBridge sends header values as written on the rule's target,
 * never from the event, so no per-ticket key can reach Zendesk. Zendesk has no create-or-update
 * of a ticket by `external_id` either. So the ticket destination is `singleAttempt`: its target
 * makes no retry, and a failed create goes straight to the dead-letter queue (recorded
 * `dead_lettered`, redrivable). A redrive after a timeout whose request did reach Zendesk makes a
 * second ticket; docs/integrations.md § Zendesk says so. The key still names the conversation
 * session, so the delivery log groups the session's attempts, and the body leaves out what changes
 * after a close (CSAT), so a redrive sends what the first attempt sent.
 *
 * The requester is the customer's Zendesk user when its id is known (`contact.crmIds.zendesk`,
 * filled by a lookup); a ticket cannot name its requester by `external_id`, so without it the
 * ticket's requester is the API user and the customer is named in the ticket's first (internal) comment.
 */

const USERS_UPSERT: DestinationSpec = { key: 'users_upsert', method: 'POST', pathTemplate: '/api/v2/users/create_or_update' };
const TICKETS_CREATE: DestinationSpec = { key: 'tickets_create', method: 'POST', pathTemplate: '/api/v2/tickets', singleAttempt: true };

/** Zendesk locales for our languages. */
const LOCALES: Record<NonNullable<Contact['language']>, string> = { es: 'es', pt: 'pt-BR', en: 'en-US' };

type Request = ReturnType<IntegrationMapper['map']>[number];

/**
 * The user. `name` is required when Zendesk creates the user, and an upsert cannot tell create from
 * update, so a contact without a name is named by its number (or its id). Tags are left alone: a
 * user's `tags` replace the whole list, and the business's own tags (`vip`) live there.
 */
export function zendeskUser(contact: Contact): Record<string, unknown> {
  const phone = e164(contact);
  const touch = contact.firstTouch;
  const userFields = defined({
    omnichannel_tags: joinedTags(cleanTags(contact.tags), ' ', 1_000),
    omnichannel_first_touch_channel: token(touch?.channel),
    omnichannel_first_touch_source: line(touch?.source, 255),
    omnichannel_ad_id: line(touch?.adId, 255),
    omnichannel_ad_headline: line(touch?.headline, 255),
    omnichannel_ctwa_clid: line(touch?.ctwaClid, 255),
    omnichannel_utm_source: line(touch?.utm?.source, 255),
    omnichannel_utm_medium: line(touch?.utm?.medium, 255),
    omnichannel_utm_campaign: line(touch?.utm?.campaign, 255),
    omnichannel_utm_term: line(touch?.utm?.term, 255),
    omnichannel_utm_content: line(touch?.utm?.content, 255),
  });
  return defined({
    external_id: crmContactId(contact.contactId),
    name: line(contact.name, 255) ?? phone ?? crmContactId(contact.contactId),
    phone,
    locale: contact.language ? LOCALES[contact.language] : undefined,
    user_fields: Object.keys(userFields).length > 0 ? userFields : undefined,
  });
}

/** Ticket tags: ours and the conversation's, Zendesk-safe (lower case, no spaces), at most 30. */
export function zendeskTicketTags(conversation: ConversationSnapshot): string[] {
  const tags = ['omnichannel', `omnichannel_${token(conversation.channel) ?? 'chat'}`];
  const outcome = token(conversation.outcome);
  if (outcome) tags.push(`outcome_${outcome}`);
  for (const tag of cleanTags(conversation.tags)) {
    const t = tag.replace(/[^\p{L}\p{N}_\-:/.]+/gu, '_').slice(0, 60);
    if (t !== '' && !tags.includes(t)) tags.push(t);
  }
  return tags.slice(0, 30);
}

export function zendeskTicket(conversation: ConversationSnapshot, contact: Contact | undefined): Record<string, unknown> {
  const requester = contact?.crmIds?.zendesk;
  const channel = channelLabel(conversation.channel) ?? 'Chat';
  return defined({
    subject: `${channel} conversation`,
    comment: {
      body:
        paragraph(conversationSummaryLines(conversation, contact, { includeCsat: false, includeCustomer: true }).join('\n'), 30_000) ??
        `${channel} conversation`,
      public: false,
    },
    requester_id: requester !== undefined && /^\d{1,19}$/.test(requester) ? Number(requester) : undefined,
    external_id: conversationRecordId(conversation),
    status: 'solved',
    tags: zendeskTicketTags(conversation),
  });
}

function usersUpsert(input: MapperInput, contact: Contact): Request {
  return {
    destination: USERS_UPSERT.key,
    method: 'POST',
    path: USERS_UPSERT.pathTemplate,
    body: { user: zendeskUser(contact) },
    idempotencyKey: deliveryKey(input, USERS_UPSERT.key),
  };
}

function ticketCreate(input: MapperInput, conversation: ConversationSnapshot): Request {
  const key = recordKey(input, TICKETS_CREATE.key, conversationRecordId(conversation));
  return {
    destination: TICKETS_CREATE.key,
    method: 'POST',
    path: TICKETS_CREATE.pathTemplate,
    body: { ticket: zendeskTicket(conversation, input.contact) },
    idempotencyKey: key,
  };
}

export const zendeskMapper: IntegrationMapper = {
  kind: 'zendesk',
  destinations: [USERS_UPSERT, TICKETS_CREATE],
  map(input) {
    const requests: Request[] = [];
    if (CONTACT_EVENTS.has(input.eventType) || CONVERSATION_EVENTS.has(input.eventType)) {
      if (input.contact) requests.push(usersUpsert(input, input.contact));
    }
    if (CONVERSATION_EVENTS.has(input.eventType) && input.conversation && isClosed(input)) requests.push(ticketCreate(input, input.conversation));
    return requests;
  },
};
