import { describe, expect, it } from 'vitest';
import { hubspotMapper, HUBSPOT_TICKET_STAGES } from '#lambdas/integrations/mappers/hubspot';
import { conversationRecordId } from '#lambdas/integrations/mappers/crm-fields';
import { CONTACT_ID, contact, conversation, HOSTILE, integration, mapperInput } from '#test/unit/integrations/mappers/crm-mapper-fixtures';

type Upsert = { inputs: Array<{ id: string; idProperty: string; properties: Record<string, string> }> };
const byDestination = (requests: ReturnType<typeof hubspotMapper.map>, destination: string) => requests.find((r) => r.destination === destination);

describe('HubSpot mapping', () => {
  it('upserts the contact and the conversation’s ticket by our unique properties on a close', () => {
    const requests = hubspotMapper.map(mapperInput('hubspot'));
    expect(requests.map((r) => r.destination)).toEqual(['contacts_upsert', 'tickets_upsert']);

    const contacts = byDestination(requests, 'contacts_upsert')!;
    expect(contacts).toMatchObject({ method: 'POST', path: '/crm/v3/objects/contacts/batch/upsert' });
    const [person] = (contacts.body as Upsert).inputs;
    expect(person).toMatchObject({ id: CONTACT_ID, idProperty: 'omnichannel_contact_id' });
    expect(person!.properties).toEqual({
      firstname: 'María',
      lastname: 'José da Silva',
      phone: '+5511987654321',
      omnichannel_language: 'pt',
      omnichannel_tags: 'vip;wholesale',
      omnichannel_first_touch_channel: 'WhatsApp',
      omnichannel_first_touch_source: 'ad',
      omnichannel_first_touch_at: '2026-12-01T10:00:00.000Z',
      omnichannel_ad_id: '120210000000000001',
      omnichannel_ad_headline: 'Summer sale: 20% off',
      omnichannel_ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO',
      omnichannel_utm_source: 'facebook',
      omnichannel_utm_medium: 'paid',
      omnichannel_utm_campaign: 'summer',
    });

    const tickets = byDestination(requests, 'tickets_upsert')!;
    expect(tickets).toMatchObject({ method: 'POST', path: '/crm/v3/objects/tickets/batch/upsert' });
    const [ticket] = (tickets.body as Upsert).inputs;
    expect(ticket).toMatchObject({ id: conversationRecordId(conversation()), idProperty: 'omnichannel_conversation_id' });
    expect(ticket!.properties).toMatchObject({
      subject: 'WhatsApp conversation with María José da Silva',
      hs_pipeline: '0',
      hs_pipeline_stage: HUBSPOT_TICKET_STAGES.closed,
      omnichannel_contact_id: CONTACT_ID,
      omnichannel_channel: 'whatsapp',
      omnichannel_agent_id: 'agent_ana',
      omnichannel_reason: 'order_status',
      omnichannel_outcome: 'resolved',
      omnichannel_tags: 'late-delivery',
      omnichannel_csat: '5',
    });
    expect(ticket!.properties.content).toContain('tracking link');
    expect(ticket!.properties.content).toContain('Outcome: Resolved');
  });

  it('asks only for its declared destinations, on their paths', () => {
    const keys = new Map(hubspotMapper.destinations.map((d) => [d.key, d]));
    for (const r of hubspotMapper.map(mapperInput('hubspot'))) {
      const spec = keys.get(r.destination);
      expect(spec).toBeDefined();
      expect(r.method).toBe(spec!.method);
      expect(r.path).toBe(spec!.pathTemplate);
    }
  });

  it('sets the ticket stage from the conversation’s state, so a late “opened” never reopens a closed ticket', () => {
    const stage = (eventType: 'conversation.opened' | 'conversation.assigned', state: string, assignedAgentId?: string) => {
      const conv = conversation({ state, closedAt: undefined, outcome: undefined, assignedAgentId });
      const ticket = byDestination(hubspotMapper.map(mapperInput('hubspot', { eventType, conversation: conv })), 'tickets_upsert')!;
      return (ticket.body as Upsert).inputs[0]!.properties;
    };
    expect(stage('conversation.opened', 'bot').hs_pipeline_stage).toBe(HUBSPOT_TICKET_STAGES.new);
    expect(stage('conversation.assigned', 'human', 'agent_ana').hs_pipeline_stage).toBe(HUBSPOT_TICKET_STAGES.waitingOnUs);
    expect(stage('conversation.opened', 'bot').omnichannel_outcome).toBeUndefined();

    const lateOpen = hubspotMapper.map(mapperInput('hubspot', { eventType: 'conversation.opened' }));
    expect((byDestination(lateOpen, 'tickets_upsert')!.body as Upsert).inputs[0]!.properties.hs_pipeline_stage).toBe(HUBSPOT_TICKET_STAGES.closed);
  });

  it('maps the same input to the same requests and keys; keys differ per event, step and integration', () => {
    const a = hubspotMapper.map(mapperInput('hubspot'));
    expect(hubspotMapper.map(mapperInput('hubspot'))).toEqual(a);
    expect(new Set(a.map((r) => r.idempotencyKey)).size).toBe(2);
    for (const r of a) expect(r.idempotencyKey.length).toBeLessThanOrEqual(64);

    const otherEvent = hubspotMapper.map(mapperInput('hubspot', { eventId: 'evt-0002' }));
    expect(otherEvent.map((r) => r.idempotencyKey)).not.toEqual(a.map((r) => r.idempotencyKey));
    // …but the records they write are the same ones: a retry or a second event updates, never duplicates.
    expect(otherEvent.map((r) => (r.body as Upsert).inputs[0]!.id)).toEqual(a.map((r) => (r.body as Upsert).inputs[0]!.id));

    const otherIntegration = hubspotMapper.map(mapperInput('hubspot', { integration: integration('hubspot', { integrationId: 'i_other' }) }));
    expect(otherIntegration[0]!.idempotencyKey).not.toBe(a[0]!.idempotencyKey);
  });

  it('names one ticket per conversation session: the same for every event of a session, a new one after a reopen', () => {
    const ticketId = (overrides: Parameters<typeof conversation>[0], eventType: 'conversation.opened' | 'conversation.closed') =>
      (byDestination(hubspotMapper.map(mapperInput('hubspot', { eventType, conversation: conversation(overrides) })), 'tickets_upsert')!.body as Upsert)
        .inputs[0]!.id;
    const opened = ticketId({ state: 'bot', closedAt: undefined }, 'conversation.opened');
    expect(ticketId({}, 'conversation.closed')).toBe(opened);
    expect(ticketId({ openedAt: '2026-12-08T11:00:00.000Z' }, 'conversation.closed')).not.toBe(opened);
  });

  it('writes the contact alone on contact events, and nothing for message events', () => {
    expect(hubspotMapper.map(mapperInput('hubspot', { eventType: 'contact.updated', conversation: undefined })).map((r) => r.destination)).toEqual([
      'contacts_upsert',
    ]);
    expect(hubspotMapper.map(mapperInput('hubspot', { eventType: 'contact.merged', conversation: undefined })).map((r) => r.destination)).toEqual([
      'contacts_upsert',
    ]);
    for (const eventType of ['message.received', 'message.sent', 'message.status', 'message.failed', 'template.sent'] as const) {
      expect(hubspotMapper.map(mapperInput('hubspot', { eventType }))).toEqual([]);
    }
    expect(hubspotMapper.map(mapperInput('hubspot', { contact: undefined, conversation: undefined }))).toEqual([]);
  });

  it('leaves out what the contact does not have, so an upsert never clears a HubSpot field', () => {
    const requests = hubspotMapper.map(
      mapperInput('hubspot', {
        eventType: 'contact.updated',
        contact: contact({ name: undefined, phoneE164: undefined, language: undefined, tags: [], firstTouch: undefined }),
      }),
    );
    expect((requests[0]!.body as Upsert).inputs[0]!.properties).toEqual({});
  });

  it('bounds and cleans hostile values; a hostile contact id is replaced by a hash', () => {
    const hostileContact = contact({
      contactId: `c_${HOSTILE}`,
      name: HOSTILE,
      phoneE164: HOSTILE,
      tags: [HOSTILE, ...Array.from({ length: 500 }, (_, i) => `t${i}`)],
      firstTouch: {
        ...contact().firstTouch!,
        source: HOSTILE,
        headline: HOSTILE,
        adId: HOSTILE,
        ctwaClid: HOSTILE,
        sourceUrl: HOSTILE,
        utm: { source: HOSTILE, campaign: HOSTILE },
      },
    });
    const hostileConversation = conversation({
      summary: HOSTILE,
      reason: HOSTILE,
      assignedAgentId: HOSTILE,
      outcome: HOSTILE,
      tags: [HOSTILE],
      queueId: HOSTILE,
    });
    const requests = hubspotMapper.map(mapperInput('hubspot', { contact: hostileContact, conversation: hostileConversation }));
    const json = JSON.stringify(requests);
    expect(json.length).toBeLessThan(30_000);
    for (const r of requests) {
      const input = (r.body as Upsert).inputs[0]!;
      expect(input.id).toMatch(/^[A-Za-z0-9_]{1,64}$/);
      for (const [name, value] of Object.entries(input.properties)) {
        expect(typeof value).toBe('string');
        expect(value.length).toBeLessThanOrEqual(name === 'content' ? 5_000 : 1_000);
        // eslint-disable-next-line no-control-regex
        expect(value).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
        if (name !== 'content') expect(value).not.toMatch(/[\r\n]/);
      }
    }
    const person = (requests[0]!.body as Upsert).inputs[0]!;
    expect(person.id).toMatch(/^ch_[0-9a-f]{40}$/);
    expect(person.properties.phone).toBeUndefined();
    const ticket = (requests[1]!.body as Upsert).inputs[0]!;
    expect(ticket.properties.omnichannel_contact_id).toBe(person.id);
    expect(ticket.properties.omnichannel_outcome).toMatch(/^[a-z0-9_]{1,40}$/);
  });
});
