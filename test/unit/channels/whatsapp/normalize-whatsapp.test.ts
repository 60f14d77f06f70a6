import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeWhatsApp } from '#lambdas/channels/whatsapp/normalize-whatsapp';
import { splitWhatsAppEntry } from '#lambdas/channels/whatsapp/split-whatsapp';
import { flowResponse } from '#lambdas/channels/whatsapp/whatsapp-message-content';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import type { NormalizedEvent } from '#lambdas/conversation/model';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';

const RECEIVED_AT = '2025-01-01T00:00:00.000Z';
const ctx = { receivedAt: RECEIVED_AT };
const METADATA = { display_phone_number: '15550000001', phone_number_id: 'P1' };

/** Runs one change through the real splitter and normalizer. */
function normalizeChange(field: string, value: Record<string, unknown>, entry: Record<string, unknown> = {}): NormalizedEvent[] {
  return splitWhatsAppEntry({ id: 'WABA1', ...entry, changes: [{ field, value }] }, ctx).map(normalizeWhatsApp);
}

function normalizeMessage(message: Record<string, unknown>, extra: Record<string, unknown> = {}): NormalizedEvent {
  const [event] = normalizeChange('messages', { messaging_product: 'whatsapp', metadata: METADATA, messages: [message], ...extra });
  return event!;
}

const msg = (fields: Record<string, unknown>) => ({ from: '15550000111', id: 'wamid.1', timestamp: '1735689600', ...fields });

describe('normalizeWhatsApp: messages', () => {
  it('maps a text message with its customer, account and time', () => {
    const event = normalizeMessage(msg({ type: 'text', text: { body: 'hello' } }), {
      contacts: [{ profile: { name: 'Ana' }, wa_id: '15550000111' }],
    });
    expect(event).toEqual({
      kind: 'message',
      channel: 'whatsapp',
      conversationKey: 'wa:P1:15550000111',
      accountId: 'P1',
      businessAccountId: 'WABA1',
      occurredAt: '2025-01-01T00:00:00.000Z',
      eventId: 'wa:msg:wamid.1',
      direction: 'inbound',
      origin: 'customer',
      providerMessageId: 'wamid.1',
      customer: { id: '15550000111', waId: '15550000111', name: 'Ana' },
      type: 'text',
      text: 'hello',
    });
  });

  it('keeps an unparseable flow response as raw text instead of failing', () => {
    const event = normalizeMessage(
      msg({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: '{not json' } } }),
    );
    expect(event).toMatchObject({ kind: 'message', type: 'flow_response', flowResponse: { raw: '{not json' } });
    expect(flowResponse('[1,2]')).toEqual({ raw: '[1,2]' });
    expect(flowResponse('{"a":1}')).toEqual({ a: 1 });
  });

  it('maps a referral-only message to type referral and keeps the ad id', () => {
    const event = normalizeMessage(
      msg({ type: 'referral', referral: { source_type: 'ad', source_id: '123', source_url: 'https://fb.me/x', ctwa_clid: 'clid' } }),
    );
    expect(event).toMatchObject({
      type: 'referral',
      referral: { sourceType: 'ad', sourceId: '123', adId: '123', sourceUrl: 'https://fb.me/x', ctwaClid: 'clid' },
    });
  });

  it('maps interactive replies it does not know, and first-contact welcomes, without quarantining', () => {
    expect(normalizeMessage(msg({ type: 'interactive', interactive: { type: 'call_permission_reply' } }))).toMatchObject({
      kind: 'message',
      type: 'unsupported',
    });
    expect(normalizeMessage(msg({ type: 'request_welcome' }))).toMatchObject({ type: 'system', system: { type: 'request_welcome' } });
    expect(normalizeMessage(msg({ type: 'some_future_type', some_future_type: {} }))).toMatchObject({ type: 'unsupported' });
  });

  it('reads ids and timestamps sent as JSON numbers', () => {
    const event = normalizeMessage({ from: 15550000111, id: 'wamid.n', timestamp: 1735689600, type: 'image', image: { id: 98765 } });
    expect(event).toMatchObject({ customer: { id: '15550000111' }, occurredAt: RECEIVED_AT, media: [{ id: '98765' }] });
  });

  it('falls back to the entry time, then the receive time, when a message has no usable timestamp', () => {
    const [withEntryTime] = normalizeChange(
      'messages',
      { metadata: METADATA, messages: [msg({ timestamp: 'TIMESTAMP', type: 'text', text: { body: 'x' } })] },
      { time: 1700000000 },
    );
    expect(withEntryTime!.occurredAt).toBe(new Date(1700000000 * 1000).toISOString());
    expect(normalizeMessage(msg({ timestamp: undefined, type: 'text', text: { body: 'x' } })).occurredAt).toBe(RECEIVED_AT);
  });

  it('maps an edit and a revoke to changes of the original message', () => {
    expect(
      normalizeMessage(
        msg({ id: 'wamid.edit', type: 'edit', edit: { original_message_id: 'wamid.orig', message: { type: 'text', text: { body: 'fixed' } } } }),
      ),
    ).toMatchObject({ kind: 'message_edited', providerMessageId: 'wamid.orig', text: 'fixed', eventId: 'wa:edit:wamid.edit', origin: 'customer' });
    expect(normalizeMessage(msg({ id: 'wamid.del', type: 'revoke', revoke: { original_message_id: 'wamid.orig' } }))).toMatchObject({
      kind: 'message_deleted',
      providerMessageId: 'wamid.orig',
      eventId: 'wa:revoke:wamid.del',
    });
  });
});

describe('normalizeWhatsApp: quarantine', () => {
  it('quarantines a message without any customer id', () => {
    const event = normalizeMessage({ id: 'wamid.1', timestamp: '1', type: 'text', text: { body: 'x' } });
    expect(event).toMatchObject({ kind: 'quarantine', channel: 'whatsapp', reason: 'missing_customer_id', eventId: 'wa:msg:wamid.1' });
  });

  it('names the failing paths but never the values', () => {
    const secret = 'Call me on +44 7700 900123';
    const wrongShape = normalizeMessage(msg({ type: 'text', text: { body: 12345, note: secret }, location: secret }));
    expect(wrongShape).toMatchObject({ kind: 'quarantine', reason: 'schema:whatsapp.message' });
    const detail = (wrongShape as { detail?: string }).detail ?? '';
    expect(detail).toContain('value.messages.0.text.body: invalid_type');
    expect(detail).not.toContain('12345');
    expect(detail).not.toContain(secret);

    const missingBody = normalizeMessage(msg({ type: 'text' }));
    expect(missingBody).toMatchObject({ kind: 'quarantine', reason: 'schema:whatsapp.message', detail: expect.stringContaining('value.messages.0.text') });
  });

  it('treats a message whose content Meta stripped for an error as unsupported, not malformed', () => {
    const event = normalizeMessage(msg({ type: 'image', errors: [{ code: 131052, title: 'Media download error' }] }));
    expect(event).toMatchObject({ kind: 'message', type: 'unsupported', errors: [{ code: 131052, title: 'Media download error' }] });
  });

  it('quarantines a status it does not know', () => {
    const [event] = normalizeChange('messages', {
      metadata: METADATA,
      statuses: [{ id: 'wamid.s', status: 'warning', timestamp: '1', recipient_id: '15550000111' }],
    });
    expect(event).toMatchObject({ kind: 'quarantine', reason: 'schema:whatsapp.status', detail: expect.stringContaining('value.statuses.0.status') });
    expect((event as { detail: string }).detail).not.toContain('warning');
  });

  it('quarantines a status without a recipient', () => {
    const [event] = normalizeChange('messages', { metadata: METADATA, statuses: [{ id: 'wamid.s', status: 'sent', timestamp: '1' }] });
    expect(event).toMatchObject({ kind: 'quarantine', reason: 'missing_customer_id' });
  });

  it('quarantines a messages change with nothing in it, and a known field with the wrong shape', () => {
    expect(normalizeChange('messages', { metadata: METADATA })[0]).toMatchObject({ kind: 'quarantine', reason: 'schema:whatsapp.messages' });
    expect(normalizeChange('message_template_status_update', { message_template_id: 1 })[0]).toMatchObject({
      kind: 'quarantine',
      reason: 'schema:whatsapp.message_template_status_update',
      detail: 'value.event: invalid_type',
    });
  });

  it('quarantines an ingress event whose payload is not a change', () => {
    const event: IngressEvent = {
      v: 1,
      kind: 'whatsapp.change',
      channel: 'whatsapp',
      entryId: 'W',
      conversationKey: 'wa:W:_account',
      eventId: 'wa:x',
      receivedAt: RECEIVED_AT,
      payload: null,
    };
    expect(normalizeWhatsApp(event)).toMatchObject({ kind: 'quarantine', reason: 'schema:whatsapp.change', eventId: 'wa:x' });
    expect(normalizeWhatsApp({ ...event, entryId: undefined, payload: { field: 'security', value: { event: 'X' } } })).toMatchObject({
      kind: 'quarantine',
      reason: 'missing_entry_id',
    });
  });

  it('never throws, whatever the payload', () => {
    const json = fc.jsonValue({ maxDepth: 5 });
    const payloads = fc.oneof(
      json,
      fc.record({ field: fc.constantFrom('messages', 'history', 'smb_message_echoes', 'calls', 'account_update', 'x'), value: json }),
      fc.record({
        field: fc.constant('messages'),
        value: fc.record({ metadata: fc.record({ phone_number_id: json }), messages: fc.array(json, { maxLength: 1 }), contacts: json }),
      }),
    );
    fc.assert(
      fc.property(payloads, (payload) => {
        const event: IngressEvent = {
          v: 1,
          kind: 'whatsapp.change',
          channel: 'whatsapp',
          entryId: 'W',
          conversationKey: 'wa:W:_account',
          eventId: 'e',
          receivedAt: RECEIVED_AT,
          payload,
        };
        const out = normalizeWhatsApp(event);
        expect(['message', 'status', 'message_edited', 'message_deleted', 'notification', 'quarantine']).toContain(out.kind);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws while splitting a signed body, whatever it holds', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 6 }), { maxLength: 3 }), (entries) => {
        const events = splitWebhookBody(JSON.stringify({ object: 'whatsapp_business_account', entry: entries }), ctx);
        expect(events.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('normalizeWhatsApp: statuses', () => {
  it('maps the new per-message pricing and a BSUID-only recipient', () => {
    const [event] = normalizeChange('messages', {
      metadata: METADATA,
      contacts: [{ profile: { name: 'Bo', username: '@bo' }, user_id: 'US.9' }],
      statuses: [
        {
          id: 'wamid.s',
          status: 'DELIVERED',
          timestamp: '1735689600',
          recipient_user_id: 'US.9',
          pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
        },
      ],
    });
    expect(event).toEqual({
      kind: 'status',
      channel: 'whatsapp',
      conversationKey: 'wa:P1:US.9',
      accountId: 'P1',
      businessAccountId: 'WABA1',
      occurredAt: RECEIVED_AT,
      eventId: 'wa:status:wamid.s:delivered',
      status: 'delivered',
      providerMessageId: 'wamid.s',
      customer: { id: 'US.9', userId: 'US.9', username: '@bo', name: 'Bo' },
      pricing: { billable: true, pricingModel: 'PMP', type: 'regular', category: 'utility' },
    });
  });
});

describe('normalizeWhatsApp: echoes and history', () => {
  it('maps a business-app echo to an outbound message to the customer', () => {
    const [event] = normalizeChange('smb_message_echoes', {
      metadata: METADATA,
      message_echoes: [{ from: '15550000001', to: '15550000111', id: 'wamid.e', timestamp: '1735689600', type: 'image', image: { id: 'm1', caption: 'menu' } }],
    });
    expect(event).toMatchObject({
      kind: 'message',
      direction: 'outbound',
      origin: 'business_app',
      conversationKey: 'wa:P1:15550000111',
      customer: { id: '15550000111', waId: '15550000111' },
      media: [{ id: 'm1', caption: 'menu' }],
    });
  });

  it('quarantines an echo with no recipient', () => {
    const [event] = normalizeChange('smb_message_echoes', {
      metadata: METADATA,
      message_echoes: [{ from: '15550000001', id: 'wamid.e', timestamp: '1', type: 'text', text: { body: 'x' } }],
    });
    expect(event).toMatchObject({ kind: 'quarantine', reason: 'missing_customer_id' });
  });

  it('maps history messages by who wrote them, with their delivery state', () => {
    const events = normalizeChange('history', {
      metadata: METADATA,
      history: [
        {
          metadata: { phase: 1, chunk_order: 2, progress: 40 },
          threads: [
            {
              id: '15550000111',
              messages: [
                {
                  from: '15550000001',
                  to: '15550000111',
                  id: 'h.out',
                  timestamp: '1',
                  type: 'text',
                  text: { body: 'hi' },
                  history_context: { status: 'READ' },
                },
                { from: '15550000111', id: 'h.in', timestamp: '2', type: 'text', text: { body: 'hey' }, history_context: { status: 'pending' } },
                { from: '15550000111', id: 'h.me', timestamp: '3', type: 'text', text: { body: 'x' }, history_context: { from_me: true, status: 'error' } },
              ],
            },
          ],
        },
      ],
    });
    expect(events.map((e) => e.kind === 'message' && [e.direction, e.origin, e.deliveryStatus, e.conversationKey])).toEqual([
      ['outbound', 'history', 'read', 'wa:P1:15550000111'],
      ['inbound', 'history', undefined, 'wa:P1:15550000111'],
      ['outbound', 'history', 'failed', 'wa:P1:15550000111'],
    ]);
  });

  it('reports a declined history sync as a notification with its error code', () => {
    const [event] = normalizeChange('history', {
      messaging_product: 'whatsapp',
      metadata: METADATA,
      history: [
        {
          metadata: { phase: 0, chunk_order: 1, progress: 100 },
          errors: [{ code: 2593109, title: 'History sync is turned off', error_data: { details: 'declined' } }],
        },
      ],
    });
    expect(event).toMatchObject({
      kind: 'notification',
      topic: 'whatsapp.history',
      conversationKey: 'wa:P1:_account',
      details: { code: 2593109, title: 'History sync is turned off', details: 'declined', error_count: 1, phase: 0, progress: 100 },
    });
  });
});

describe('normalizeWhatsApp: notifications', () => {
  it('keeps customer names and numbers out of details', () => {
    const [sync] = normalizeChange('smb_app_state_sync', {
      metadata: METADATA,
      state_sync: [{ type: 'contact', action: 'add', contact: { full_name: 'Ana Lima', phone_number: '+55 11 5555-0000' }, metadata: { timestamp: '1' } }],
    });
    expect(sync).toMatchObject({ kind: 'notification', customer: { id: '551155550000', name: 'Ana Lima' } });
    expect(JSON.stringify((sync as { details: unknown }).details)).not.toMatch(/Ana|5555/);

    const [unknown] = normalizeChange('some_new_field', {
      status: 'ON',
      count: 3,
      contact: { name: 'Ana Lima', phone_number: '5511' },
      profile_name: 'Ana',
      nested: { reason: 'X', deep: { a: 1 } },
      items: [1, 2],
    });
    expect(unknown).toMatchObject({
      kind: 'notification',
      topic: 'whatsapp.some_new_field',
      conversationKey: 'wa:WABA1:_account',
      details: { status: 'ON', count: 3, nested_reason: 'X', items_count: 2 },
    });
    expect(Object.keys((unknown as { details: object }).details).sort()).toEqual(['count', 'items_count', 'nested_reason', 'status']);
  });

  it('puts a user-id change in the conversation it had under the previous id', () => {
    const [event] = normalizeChange('user_id_update', {
      metadata: METADATA,
      user_id_update: [{ user_id: { previous: 'US.old', current: 'US.new' }, timestamp: '1735689600' }],
    });
    expect(event).toMatchObject({
      kind: 'notification',
      conversationKey: 'wa:P1:US.old',
      customer: { id: 'US.old', userId: 'US.new' },
      details: { previous_user_id: 'US.old', current_user_id: 'US.new' },
      occurredAt: RECEIVED_AT,
    });
  });

  it('reports value-level errors as a whatsapp.errors notification on the account', () => {
    const [event] = normalizeChange('messages', {
      metadata: METADATA,
      errors: [
        { code: 130429, title: 'Rate limit hit' },
        { code: 131056, title: 'Pair rate limit hit' },
      ],
    });
    expect(event).toMatchObject({
      kind: 'notification',
      topic: 'whatsapp.errors',
      conversationKey: 'wa:P1:_account',
      details: { code: 130429, title: 'Rate limit hit', error_count: 2, codes: '130429,131056' },
    });
  });

  it('maps a call ending with its duration and times', () => {
    const [event] = normalizeChange('calls', {
      metadata: METADATA,
      calls: [
        {
          id: 'wacid.1',
          from: '15550000111',
          to: '15550000001',
          event: 'terminate',
          direction: 'USER_INITIATED',
          status: 'COMPLETED',
          duration: 42,
          start_time: '1735689600',
          end_time: '1735689642',
          timestamp: '1735689642',
        },
      ],
    });
    expect(event).toMatchObject({
      kind: 'notification',
      conversationKey: 'wa:P1:15550000111',
      details: {
        call_id: 'wacid.1',
        event: 'terminate',
        status: 'COMPLETED',
        duration: 42,
        start_time: '2025-01-01T00:00:00.000Z',
        end_time: '2025-01-01T00:00:42.000Z',
      },
      customer: { id: '15550000111' },
    });
  });
});
