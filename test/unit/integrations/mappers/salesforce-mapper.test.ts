import { describe, expect, it } from 'vitest';
import { salesforceMapper } from '#lambdas/integrations/mappers/salesforce';
import { conversationRecordId } from '#lambdas/integrations/mappers/crm-fields';
import { CONTACT_ID, contact, conversation, HOSTILE, mapperInput } from '#test/unit/integrations/mappers/crm-mapper-fixtures';

const byDestination = (requests: ReturnType<typeof salesforceMapper.map>, destination: string) => requests.find((r) => r.destination === destination)!;
const fields = (r: ReturnType<typeof salesforceMapper.map>[number]) => r.body as Record<string, unknown>;

describe('Salesforce mapping', () => {
  it('upserts the Contact and the Case by their External ID fields, the Case naming its Contact by external id', () => {
    const requests = salesforceMapper.map(mapperInput('salesforce'));
    expect(requests.map((r) => r.destination)).toEqual(['contact_upsert', 'case_upsert']);

    const person = byDestination(requests, 'contact_upsert');
    expect(person).toMatchObject({
      method: 'PATCH',
      path: `/services/data/v62.0/sobjects/Contact/Omnichannel_Contact_Id__c/${CONTACT_ID}`,
      pathParams: [CONTACT_ID],
    });
    expect(fields(person)).toEqual({
      FirstName: 'María',
      LastName: 'José da Silva',
      MobilePhone: '+5511987654321',
      LeadSource: 'WhatsApp ad',
      Omnichannel_Language__c: 'pt',
      Omnichannel_Tags__c: 'vip;wholesale',
      Omnichannel_First_Touch_Source__c: 'ad',
      Omnichannel_First_Touch_At__c: '2026-12-01T10:00:00.000Z',
      Omnichannel_Ad_Id__c: '120210000000000001',
      Omnichannel_Ad_Headline__c: 'Summer sale: 20% off',
      Omnichannel_CTWA_Clid__c: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO',
      Omnichannel_UTM_Source__c: 'facebook',
      Omnichannel_UTM_Medium__c: 'paid',
      Omnichannel_UTM_Campaign__c: 'summer',
    });

    const caseId = conversationRecordId(conversation());
    const kase = byDestination(requests, 'case_upsert');
    expect(kase).toMatchObject({ method: 'PATCH', path: `/services/data/v62.0/sobjects/Case/Omnichannel_Conversation_Id__c/${caseId}`, pathParams: [caseId] });
    expect(fields(kase)).toMatchObject({
      Subject: 'WhatsApp conversation with María José da Silva',
      Origin: 'WhatsApp',
      Status: 'Closed',
      Reason: 'Resolved',
      SuppliedName: 'María José da Silva',
      SuppliedPhone: '+5511987654321',
      Contact: { Omnichannel_Contact_Id__c: CONTACT_ID },
      Omnichannel_Agent_Id__c: 'agent_ana',
      Omnichannel_Reason__c: 'order_status',
      Omnichannel_Outcome__c: 'resolved',
      Omnichannel_Tags__c: 'late-delivery',
      Omnichannel_CSAT__c: 5,
    });
    expect(fields(kase).Description).toContain('tracking link');
  });

  it('fills each destination’s path template with its path parameters', () => {
    const specs = new Map(salesforceMapper.destinations.map((d) => [d.key, d]));
    for (const r of salesforceMapper.map(mapperInput('salesforce'))) {
      const spec = specs.get(r.destination)!;
      expect(r.method).toBe(spec.method);
      let i = 0;
      expect(spec.pathTemplate.replace(/\*/g, () => r.pathParams![i++]!)).toBe(r.path);
    }
  });

  it('moves the Case through New, Working and Closed with the conversation; the outcome only once closed', () => {
    const caseOf = (eventType: 'conversation.opened' | 'conversation.assigned', overrides: Parameters<typeof conversation>[0]) =>
      fields(
        byDestination(
          salesforceMapper.map(mapperInput('salesforce', { eventType, conversation: conversation({ closedAt: undefined, ...overrides }) })),
          'case_upsert',
        ),
      );
    expect(caseOf('conversation.opened', { state: 'bot', assignedAgentId: undefined })).toMatchObject({ Status: 'New' });
    expect(caseOf('conversation.opened', { state: 'bot', assignedAgentId: undefined }).Reason).toBeUndefined();
    expect(caseOf('conversation.assigned', { state: 'human' })).toMatchObject({ Status: 'Working' });
  });

  it('gives a Contact without a name its number, else our id, as LastName (required on create)', () => {
    const lastName = (overrides: Parameters<typeof contact>[0]) =>
      fields(salesforceMapper.map(mapperInput('salesforce', { eventType: 'contact.updated', contact: contact(overrides) }))[0]!).LastName;
    expect(lastName({ name: undefined })).toBe('+5511987654321');
    expect(lastName({ name: undefined, phoneE164: undefined })).toBe(CONTACT_ID);
    expect(lastName({ name: 'Cher' })).toBe('Cher');
  });

  it('is deterministic, with stable keys per event and step', () => {
    const a = salesforceMapper.map(mapperInput('salesforce'));
    expect(salesforceMapper.map(mapperInput('salesforce'))).toEqual(a);
    expect(a[0]!.idempotencyKey).not.toBe(a[1]!.idempotencyKey);
    expect(salesforceMapper.map(mapperInput('salesforce', { eventId: 'evt-2' }))[1]!.idempotencyKey).not.toBe(a[1]!.idempotencyKey);
  });

  it('maps nothing for message events, and only the Contact for contact events', () => {
    expect(salesforceMapper.map(mapperInput('salesforce', { eventType: 'message.received' }))).toEqual([]);
    expect(salesforceMapper.map(mapperInput('salesforce', { eventType: 'contact.merged' })).map((r) => r.destination)).toEqual(['contact_upsert']);
  });

  it('keeps hostile values inside Salesforce’s field lengths and out of the URL path', () => {
    const hostileContact = contact({
      contactId: `c_../../sobjects/User/${HOSTILE}`,
      name: HOSTILE,
      firstTouch: { ...contact().firstTouch!, source: HOSTILE, headline: HOSTILE, utm: { campaign: HOSTILE } },
      tags: [HOSTILE],
    });
    const requests = salesforceMapper.map(
      mapperInput('salesforce', {
        contact: hostileContact,
        conversation: conversation({ summary: HOSTILE, reason: HOSTILE, outcome: HOSTILE, assignedAgentId: HOSTILE, csatScore: Number.NaN }),
      }),
    );
    for (const r of requests) {
      expect(r.pathParams![0]).toMatch(/^[A-Za-z0-9_]{1,64}$/);
      expect(r.path.split('/')).toHaveLength(8);
    }
    const person = fields(requests[0]!);
    expect((person.FirstName as string).length).toBeLessThanOrEqual(40);
    expect((person.LastName as string).length).toBeLessThanOrEqual(80);
    for (const [name, value] of Object.entries(person)) if (typeof value === 'string' && name !== 'Description') expect(value.length).toBeLessThanOrEqual(255);
    const kase = fields(requests[1]!);
    expect((kase.Description as string).length).toBeLessThanOrEqual(30_000);
    expect((kase.Subject as string).length).toBeLessThanOrEqual(255);
    expect(kase.Omnichannel_CSAT__c).toBeUndefined();
    expect(kase.Contact).toEqual({ Omnichannel_Contact_Id__c: requests[0]!.pathParams![0] });
  });
});
