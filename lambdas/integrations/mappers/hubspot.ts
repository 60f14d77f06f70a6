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
  csat,
  defined,
  deliveryKey,
  e164,
  isClosed,
  joinedTags,
  line,
  paragraph,
  splitName,
  token,
} from '#lambdas/integrations/mappers/crm-fields';

/**
 * HubSpot CRM v3 (docs/integrations.md § CRM mappings has the setup the business does once).
 *
 * Contacts and tickets are written with the batch **upsert** endpoints, each record named by a
 * unique-value property of ours (`idProperty`): a retried delivery finds the record the first one
 * created and updates it, so no response has to be read (API destinations hand none back).
 *
 *   contact.updated / contact.merged           → contacts upsert by `omnichannel_contact_id`
 *   conversation.opened / assigned / closed    → contacts upsert + tickets upsert by `omnichannel_conversation_id`
 *   message.*, template.sent                   → nothing (see below)
 *
 * What HubSpot cannot do without reading a response: associations take record ids on both sides
 * (v3 create `associations`, v4 `associations/default`), and upserts take no associations, so the
 * ticket is not associated with the contact by this mapping. The ticket carries
 * `omnichannel_contact_id`, which names the contact record it belongs to. Messages have no home
 * that can be written idempotently either (communications and notes have no upsert by a unique
 * property we can rely on), so message events map to nothing.
 */

export const HUBSPOT_CONTACT_ID_PROPERTY = 'omnichannel_contact_id';
export const HUBSPOT_CONVERSATION_ID_PROPERTY = 'omnichannel_conversation_id';

/** The default ticket pipeline (`0`) and its default stages: New, Waiting on us, Closed. */
export const HUBSPOT_TICKET_PIPELINE = '0';
export const HUBSPOT_TICKET_STAGES = { new: '1', waitingOnUs: '3', closed: '4' } as const;

const CONTACTS_UPSERT: DestinationSpec = { key: 'contacts_upsert', method: 'POST', pathTemplate: '/crm/v3/objects/contacts/batch/upsert' };
const TICKETS_UPSERT: DestinationSpec = { key: 'tickets_upsert', method: 'POST', pathTemplate: '/crm/v3/objects/tickets/batch/upsert' };

/** Single-line text properties hold 65,536 characters; ours are cut far shorter. */
const TEXT = 255;
const LONG_TEXT = 5_000;

type Request = ReturnType<IntegrationMapper['map']>[number];

/** The contact's properties; undefined values are left out so an upsert never clears what HubSpot holds. */
export function hubspotContactProperties(contact: Contact): Record<string, string> {
  const { first, last } = splitName(contact.name, 100, 100);
  const touch = contact.firstTouch;
  return defined({
    firstname: first,
    lastname: last,
    phone: e164(contact),
    omnichannel_language: contact.language,
    omnichannel_tags: joinedTags(cleanTags(contact.tags), ';', 1_000),
    omnichannel_first_touch_channel: channelLabel(touch?.channel),
    omnichannel_first_touch_source: line(touch?.source, 64),
    omnichannel_first_touch_at: line(touch?.at, 40),
    omnichannel_ad_id: line(touch?.adId, 128),
    omnichannel_ad_headline: line(touch?.headline, TEXT),
    omnichannel_ctwa_clid: line(touch?.ctwaClid, TEXT),
    omnichannel_first_touch_url: line(touch?.sourceUrl, 1_000),
    omnichannel_utm_source: line(touch?.utm?.source, TEXT),
    omnichannel_utm_medium: line(touch?.utm?.medium, TEXT),
    omnichannel_utm_campaign: line(touch?.utm?.campaign, TEXT),
    omnichannel_utm_term: line(touch?.utm?.term, TEXT),
    omnichannel_utm_content: line(touch?.utm?.content, TEXT),
  });
}

/** The ticket of one conversation session. Its stage follows the conversation's state, never the event's name. */
export function hubspotTicketProperties(conversation: ConversationSnapshot, contact: Contact | undefined, closed: boolean): Record<string, string> {
  const human = conversation.state === 'human' || conversation.assignedAgentId !== undefined;
  const stage = closed ? HUBSPOT_TICKET_STAGES.closed : human ? HUBSPOT_TICKET_STAGES.waitingOnUs : HUBSPOT_TICKET_STAGES.new;
  const channel = channelLabel(conversation.channel) ?? 'Chat';
  const name = line(contact?.name, 120);
  const score = csat(conversation.csatScore);
  return defined({
    subject: `${channel} conversation${name ? ` with ${name}` : ''}`,
    content: paragraph(conversationSummaryLines(conversation, contact, { includeCsat: true, includeCustomer: false }).join('\n'), LONG_TEXT),
    hs_pipeline: HUBSPOT_TICKET_PIPELINE,
    hs_pipeline_stage: stage,
    omnichannel_contact_id: contact ? crmContactId(contact.contactId) : undefined,
    omnichannel_channel: token(conversation.channel),
    omnichannel_agent_id: line(conversation.assignedAgentId, 128),
    omnichannel_queue_id: line(conversation.queueId, 128),
    omnichannel_reason: line(conversation.reason, TEXT),
    omnichannel_outcome: closed ? token(conversation.outcome) : undefined,
    omnichannel_tags: joinedTags(cleanTags(conversation.tags), ';', 1_000),
    omnichannel_opened_at: line(conversation.openedAt, 40),
    omnichannel_closed_at: closed ? line(conversation.closedAt, 40) : undefined,
    omnichannel_csat: score === undefined ? undefined : String(score),
  });
}

function contactsUpsert(input: MapperInput, contact: Contact): Request {
  const body = { inputs: [{ id: crmContactId(contact.contactId), idProperty: HUBSPOT_CONTACT_ID_PROPERTY, properties: hubspotContactProperties(contact) }] };
  return {
    destination: CONTACTS_UPSERT.key,
    method: 'POST',
    path: CONTACTS_UPSERT.pathTemplate,
    body,
    idempotencyKey: deliveryKey(input, CONTACTS_UPSERT.key),
  };
}

function ticketsUpsert(input: MapperInput, conversation: ConversationSnapshot): Request {
  const properties = hubspotTicketProperties(conversation, input.contact, isClosed(input));
  const body = { inputs: [{ id: conversationRecordId(conversation), idProperty: HUBSPOT_CONVERSATION_ID_PROPERTY, properties }] };
  return { destination: TICKETS_UPSERT.key, method: 'POST', path: TICKETS_UPSERT.pathTemplate, body, idempotencyKey: deliveryKey(input, TICKETS_UPSERT.key) };
}

export const hubspotMapper: IntegrationMapper = {
  kind: 'hubspot',
  destinations: [CONTACTS_UPSERT, TICKETS_UPSERT],
  map(input) {
    const requests: Request[] = [];
    if (CONTACT_EVENTS.has(input.eventType) || CONVERSATION_EVENTS.has(input.eventType)) {
      if (input.contact) requests.push(contactsUpsert(input, input.contact));
    }
    if (CONVERSATION_EVENTS.has(input.eventType) && input.conversation) requests.push(ticketsUpsert(input, input.conversation));
    return requests;
  },
};
