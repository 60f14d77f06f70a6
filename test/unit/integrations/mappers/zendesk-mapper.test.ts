import { describe, expect, it } from 'vitest';
import { zendeskMapper } from '#lambdas/integrations/mappers/zendesk';
import { conversationRecordId } from '#lambdas/integrations/mappers/crm-fields';
import { CONTACT_ID, contact, conversation, HOSTILE, mapperInput } from '#test/unit/integrations/mappers/crm-mapper-fixtures';

type UserBody = { user: Record<string, unknown> };
type TicketBody = { ticket: Record<string, unknown> & { comment: { body: string; public: boolean }; tags: string[] } };
const ticketOf = (requests: ReturnType<typeof zendeskMapper.map>) => requests.find((r) => r.destination === 'tickets_create');

describe('Zendesk mapping', () => {
  it('upserts the user by external_id and creates one solved ticket on a close, without headers (none can travel)', () => {
    const requests = zendeskMapper.map(mapperInput('zendesk'));
    expect(requests.map((r) => r.destination)).toEqual(['users_upsert', 'tickets_create']);

    const user = requests[0]!;
    expect(user).toMatchObject({ method: 'POST', path: '/api/v2/users/create_or_update' });
    expect((user.body as UserBody).user).toEqual({
      external_id: CONTACT_ID,
      name: 'María José da Silva',
      phone: '+5511987654321',
      locale: 'pt-BR',
      user_fields: {
        omnichannel_tags: 'vip wholesale',
        omnichannel_first_touch_channel: 'whatsapp',
        omnichannel_first_touch_source: 'ad',
        omnichannel_ad_id: '120210000000000001',
        omnichannel_ad_headline: 'Summer sale: 20% off',
        omnichannel_ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO',
        omnichannel_utm_source: 'facebook',
        omnichannel_utm_medium: 'paid',
        omnichannel_utm_campaign: 'summer',
      },
    });
    // The user's own tags are Zendesk's (an agent's `vip`): a tags list would replace them.
    expect((user.body as UserBody).user.tags).toBeUndefined();

    const ticket = ticketOf(requests)!;
    expect(ticket).toMatchObject({ method: 'POST', path: '/api/v2/tickets' });
    expect(ticket.headers).toBeUndefined();
    const body = (ticket.body as TicketBody).ticket;
    expect(body).toMatchObject({ subject: 'WhatsApp conversation', status: 'solved', external_id: conversationRecordId(conversation()) });
    expect(body.tags).toEqual(['omnichannel', 'omnichannel_whatsapp', 'outcome_resolved', 'late-delivery']);
    expect(body.comment.public).toBe(false);
    expect(body.comment.body).toContain('Customer: María José da Silva');
    expect(body.comment.body).toContain('Agent: agent_ana');
    expect(body.requester_id).toBeUndefined();
  });

  it('names the requester by its Zendesk id when a lookup found it, and ignores an id that is not one', () => {
    const requester = (zendesk: string) =>
      (ticketOf(zendeskMapper.map(mapperInput('zendesk', { contact: contact({ crmIds: { zendesk } }) })))!.body as TicketBody).ticket.requester_id;
    expect(requester('360000000123')).toBe(360000000123);
    expect(requester('12; DROP')).toBeUndefined();
    expect(requester('9'.repeat(40))).toBeUndefined();
  });

  it('creates no ticket before the close: Zendesk updates tickets by id only, which we never get back', () => {
    for (const eventType of ['conversation.opened', 'conversation.assigned'] as const) {
      const requests = zendeskMapper.map(
        mapperInput('zendesk', { eventType, conversation: conversation({ state: 'human', closedAt: undefined, outcome: undefined }) }),
      );
      expect(requests.map((r) => r.destination)).toEqual(['users_upsert']);
    }
  });

  it('tries the ticket create once and retries the user upsert (only the upsert is idempotent)', () => {
    const specs = Object.fromEntries(zendeskMapper.destinations.map((d) => [d.key, d]));
    expect(specs.tickets_create).toMatchObject({ method: 'POST', pathTemplate: '/api/v2/tickets', singleAttempt: true });
    expect(specs.users_upsert?.singleAttempt).toBeUndefined();
  });

  it('keys the ticket by the conversation session, the same for every close event of one session', () => {
    const key = (overrides: Parameters<typeof mapperInput>[1]) => ticketOf(zendeskMapper.map(mapperInput('zendesk', overrides)))!.idempotencyKey;
    const first = key({ eventId: 'evt-a' });
    expect(key({ eventId: 'evt-b' })).toBe(first);
    expect(key({ eventId: 'evt-b', conversation: conversation({ openedAt: '2026-12-09T08:00:00.000Z' }) })).not.toBe(first);
    expect(first.length).toBeLessThanOrEqual(255);
  });

  it('sends the same body for a repeat even after the CSAT answer arrives (a redrive sends what the first attempt sent)', () => {
    const body = (csatScore: number | undefined) => ticketOf(zendeskMapper.map(mapperInput('zendesk', { conversation: conversation({ csatScore }) })))!.body;
    expect(body(5)).toEqual(body(undefined));
  });

  it('names a user without a name by its number (Zendesk requires a name to create one)', () => {
    const name = (overrides: Parameters<typeof contact>[0]) =>
      (zendeskMapper.map(mapperInput('zendesk', { eventType: 'contact.updated', contact: contact(overrides) }))[0]!.body as UserBody).user.name;
    expect(name({ name: undefined })).toBe('+5511987654321');
    expect(name({ name: undefined, phoneE164: undefined })).toBe(CONTACT_ID);
  });

  it('maps nothing for message events', () => {
    expect(zendeskMapper.map(mapperInput('zendesk', { eventType: 'message.sent' }))).toEqual([]);
  });

  it('bounds hostile values and keeps ticket tags Zendesk-safe', () => {
    const requests = zendeskMapper.map(
      mapperInput('zendesk', {
        contact: contact({ name: HOSTILE, contactId: HOSTILE, tags: [HOSTILE] }),
        conversation: conversation({
          summary: HOSTILE,
          outcome: HOSTILE,
          tags: Array.from({ length: 100 }, (_, i) => `tag with spaces ${i}`),
          reason: HOSTILE,
        }),
      }),
    );
    const user = (requests[0]!.body as UserBody).user;
    expect((user.name as string).length).toBeLessThanOrEqual(255);
    expect(user.external_id).toMatch(/^ch_[0-9a-f]{40}$/);
    const ticket = (requests[1]!.body as TicketBody).ticket;
    expect(ticket.comment.body.length).toBeLessThanOrEqual(30_000);
    expect(ticket.tags.length).toBeLessThanOrEqual(30);
    for (const tag of ticket.tags) expect(tag).toMatch(/^[\p{L}\p{N}_\-:/.]{1,60}$/u);
    expect(JSON.stringify(requests).length).toBeLessThan(40_000);
  });
});
