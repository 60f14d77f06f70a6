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
  outcomeLabel,
  paragraph,
  splitName,
  token,
} from '#lambdas/integrations/mappers/crm-fields';

/**
 * Salesforce REST API (docs/integrations.md § CRM mappings has the fields the business creates).
 *
 * Both records are written with "sObject Rows by External ID" upserts,
 * `PATCH /services/data/v62.0/sobjects/<object>/<external id field>/<value>`: a record with that
 * value is updated, else created, so a retried delivery never creates a second one.
 *
 *   contact.updated / contact.merged           → Contact upsert by Omnichannel_Contact_Id__c
 *   conversation.opened / assigned / closed    → Contact upsert + Case upsert by Omnichannel_Conversation_Id__c
 *   message.*, template.sent                   → nothing (a Case holds the conversation, not each message)
 *
 * The Case names its Contact by the Contact's external id (`"Contact": {"Omnichannel_Contact_Id__c": …}`),
 * which Salesforce resolves on write: no Salesforce id has to be read back first.
 *
 * Contact rather than Lead: Cases link to Contacts (Case.ContactId); a Lead cannot own a Case, and a
 * customer who writes to support is already somebody the business deals with. A business that
 * wants Leads converts them in Salesforce; the lookup reads Contacts only.
 *
 * The connection authenticates with OAuth 2.0 client credentials against
 * `<instance>/services/oauth2/token` (EventBridge fetches and refreshes the token).
 */

export const SALESFORCE_API_VERSION = 'v62.0';
export const SALESFORCE_CONTACT_EXTERNAL_ID = 'Omnichannel_Contact_Id__c';
export const SALESFORCE_CASE_EXTERNAL_ID = 'Omnichannel_Conversation_Id__c';

const sobjectPath = (object: string, field: string) => `/services/data/${SALESFORCE_API_VERSION}/sobjects/${object}/${field}`;

const CONTACT_UPSERT: DestinationSpec = { key: 'contact_upsert', method: 'PATCH', pathTemplate: `${sobjectPath('Contact', SALESFORCE_CONTACT_EXTERNAL_ID)}/*` };
const CASE_UPSERT: DestinationSpec = { key: 'case_upsert', method: 'PATCH', pathTemplate: `${sobjectPath('Case', SALESFORCE_CASE_EXTERNAL_ID)}/*` };

/** Case.Status values every org has; the conversation's state picks one. */
export const SALESFORCE_CASE_STATUS = { new: 'New', working: 'Working', closed: 'Closed' } as const;

type Request = ReturnType<IntegrationMapper['map']>[number];

/**
 * Contact fields (lengths are Salesforce's: FirstName 40, LastName 80, phones 40, text fields 255).
 * LastName is required on create and an upsert cannot tell create from update, so a contact
 * without a name is written with its number (or its id) as the last name.
 */
export function salesforceContactFields(contact: Contact): Record<string, string> {
  const { first, last } = splitName(contact.name, 40, 80);
  const phone = e164(contact);
  const touch = contact.firstTouch;
  const touchChannel = channelLabel(touch?.channel);
  return defined({
    FirstName: first,
    LastName: last ?? phone ?? crmContactId(contact.contactId),
    MobilePhone: phone,
    LeadSource: touchChannel ? line(`${touchChannel}${touch?.adId || touch?.source === 'ad' ? ' ad' : ''}`, 40) : undefined,
    Omnichannel_Language__c: contact.language,
    Omnichannel_Tags__c: joinedTags(cleanTags(contact.tags), ';', 255),
    Omnichannel_First_Touch_Source__c: line(touch?.source, 255),
    Omnichannel_First_Touch_At__c: line(touch?.at, 40),
    Omnichannel_Ad_Id__c: line(touch?.adId, 255),
    Omnichannel_Ad_Headline__c: line(touch?.headline, 255),
    Omnichannel_CTWA_Clid__c: line(touch?.ctwaClid, 255),
    Omnichannel_UTM_Source__c: line(touch?.utm?.source, 255),
    Omnichannel_UTM_Medium__c: line(touch?.utm?.medium, 255),
    Omnichannel_UTM_Campaign__c: line(touch?.utm?.campaign, 255),
    Omnichannel_UTM_Term__c: line(touch?.utm?.term, 255),
    Omnichannel_UTM_Content__c: line(touch?.utm?.content, 255),
  });
}

/** Case fields; the outcome goes to the standard Reason (its label) and to Omnichannel_Outcome__c (its code, for reports). */
export function salesforceCaseFields(conversation: ConversationSnapshot, contact: Contact | undefined, closed: boolean): Record<string, unknown> {
  const human = conversation.state === 'human' || conversation.assignedAgentId !== undefined;
  const channel = channelLabel(conversation.channel);
  const name = line(contact?.name, 80);
  return defined({
    Subject: `${channel ?? 'Chat'} conversation${name ? ` with ${name}` : ''}`.slice(0, 255),
    Description: paragraph(conversationSummaryLines(conversation, contact, { includeCsat: true, includeCustomer: false }).join('\n'), 30_000),
    Origin: channel,
    Status: closed ? SALESFORCE_CASE_STATUS.closed : human ? SALESFORCE_CASE_STATUS.working : SALESFORCE_CASE_STATUS.new,
    Reason: closed ? outcomeLabel(conversation.outcome) : undefined,
    SuppliedName: name,
    SuppliedPhone: e164(contact),
    Contact: contact ? { [SALESFORCE_CONTACT_EXTERNAL_ID]: crmContactId(contact.contactId) } : undefined,
    Omnichannel_Agent_Id__c: line(conversation.assignedAgentId, 255),
    Omnichannel_Reason__c: line(conversation.reason, 255),
    Omnichannel_Outcome__c: closed ? token(conversation.outcome) : undefined,
    Omnichannel_Tags__c: joinedTags(cleanTags(conversation.tags), ';', 255),
    Omnichannel_CSAT__c: csat(conversation.csatScore),
  });
}

function contactUpsert(input: MapperInput, contact: Contact): Request {
  const id = crmContactId(contact.contactId);
  return {
    destination: CONTACT_UPSERT.key,
    method: 'PATCH',
    path: `${sobjectPath('Contact', SALESFORCE_CONTACT_EXTERNAL_ID)}/${id}`,
    pathParams: [id],
    body: salesforceContactFields(contact),
    idempotencyKey: deliveryKey(input, CONTACT_UPSERT.key),
  };
}

function caseUpsert(input: MapperInput, conversation: ConversationSnapshot): Request {
  const id = conversationRecordId(conversation);
  return {
    destination: CASE_UPSERT.key,
    method: 'PATCH',
    path: `${sobjectPath('Case', SALESFORCE_CASE_EXTERNAL_ID)}/${id}`,
    pathParams: [id],
    body: salesforceCaseFields(conversation, input.contact, isClosed(input)),
    idempotencyKey: deliveryKey(input, CASE_UPSERT.key),
  };
}

export const salesforceMapper: IntegrationMapper = {
  kind: 'salesforce',
  destinations: [CONTACT_UPSERT, CASE_UPSERT],
  map(input) {
    const requests: Request[] = [];
    if (CONTACT_EVENTS.has(input.eventType) || CONVERSATION_EVENTS.has(input.eventType)) {
      if (input.contact) requests.push(contactUpsert(input, input.contact));
    }
    if (CONVERSATION_EVENTS.has(input.eventType) && input.conversation) requests.push(caseUpsert(input, input.conversation));
    return requests;
  },
};
