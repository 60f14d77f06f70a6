import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitWhatsAppEntry } from '#lambdas/channels/whatsapp/split-whatsapp';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';

const ctx = { receivedAt: '2025-01-01T00:00:00.000Z' };
const BATCHED = readFileSync(resolve(import.meta.dirname, '../../../../events/whatsapp/batched-two-conversations.json'), 'utf8');

/** Same JSON with every object's keys in reverse order, as a redelivery might serialise it. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    );
  }
  return value;
}

function body(entry: unknown): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [entry] });
}

function messagesEntry(value: Record<string, unknown>): Record<string, unknown> {
  return {
    id: '900000000000001',
    changes: [
      {
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550000001', phone_number_id: '300000000000001' },
          ...value,
        },
      },
    ],
  };
}

const slice = (e: IngressEvent) => (e.payload as { value: Record<string, unknown> }).value;

describe('splitWhatsAppEntry', () => {
  it('cuts a batched body into one event per message and status, each in its own conversation', () => {
    const events = splitWebhookBody(BATCHED, ctx);

    expect(events.map((e) => [e.conversationKey, e.eventId])).toEqual([
      ['wa:300000000000001:15550000111', 'wa:msg:wamid.batch-first-1'],
      ['wa:300000000000001:15550000222', 'wa:msg:wamid.batch-second-1'],
      ['wa:300000000000001:15550000111', 'wa:msg:wamid.batch-first-2'],
      ['wa:300000000000001:15550000333', 'wa:status:wamid.batch-outbound-1:delivered'],
      ['wa:300000000000001:15550000333', 'wa:status:wamid.batch-outbound-1:read'],
      ['wa:900000000000002:_account', expect.stringMatching(/^wa:message_template_status_update:[0-9a-f]{32}$/)],
    ]);
    for (const e of events) {
      expect(e).toMatchObject({ v: 1, kind: 'whatsapp.change', channel: 'whatsapp', receivedAt: ctx.receivedAt });
    }
    expect(events.slice(0, 5).every((e) => e.entryId === '900000000000001')).toBe(true);
    expect(events[5]).toMatchObject({ entryId: '900000000000002', entryTime: 1735689605 });
  });

  it('keeps only the contact of the sender in each message slice, whatever their order in contacts[]', () => {
    const events = splitWebhookBody(BATCHED, ctx).slice(0, 3);

    expect(events.map((e) => slice(e).contacts)).toEqual([
      [{ profile: { name: 'First Customer' }, wa_id: '15550000111' }],
      [{ profile: { name: 'Second Customer' }, wa_id: '15550000222' }],
      [{ profile: { name: 'First Customer' }, wa_id: '15550000111' }],
    ]);
    for (const e of events) {
      expect(slice(e).messages).toHaveLength(1);
      expect(slice(e).metadata).toEqual({ display_phone_number: '15550000001', phone_number_id: '300000000000001' });
    }
    const names = events.map((e) => {
      const n = normalizeIngressEvent(e);
      return n.kind === 'message' ? [n.customer.id, n.customer.name, n.text] : n.kind;
    });
    expect(names).toEqual([
      ['15550000111', 'First Customer', 'first customer, first message'],
      ['15550000222', 'Second Customer', 'second customer'],
      ['15550000111', 'First Customer', 'first customer, second message'],
    ]);
  });

  it('gives a redelivery with keys in another order the same event ids, keys and payloads', () => {
    const first = splitWebhookBody(BATCHED, ctx);
    const again = splitWebhookBody(JSON.stringify(reverseKeys(JSON.parse(BATCHED))), { receivedAt: '2025-01-02T09:00:00.000Z' });

    expect(again.map((e) => e.eventId)).toEqual(first.map((e) => e.eventId));
    expect(again.map((e) => e.conversationKey)).toEqual(first.map((e) => e.conversationKey));
    expect(again.map((e) => e.payload)).toEqual(first.map((e) => e.payload));
    const normalizedFirst = first.map(normalizeIngressEvent);
    const normalizedAgain = again.map(normalizeIngressEvent);
    expect(normalizedAgain).toEqual(normalizedFirst);
  });

  it('accepts ids sent as JSON numbers', () => {
    const [event] = splitWhatsAppEntry(
      {
        id: 900000000000001,
        changes: [
          {
            field: 'messages',
            value: {
              metadata: { phone_number_id: 300000000000001 },
              messages: [{ from: 15550000111, id: 'wamid.n', timestamp: 1735689600, type: 'text', text: { body: 'hi' } }],
            },
          },
        ],
      },
      ctx,
    );
    expect(event).toMatchObject({ entryId: '900000000000001', conversationKey: 'wa:300000000000001:15550000111' });
    expect(normalizeIngressEvent(event!)).toMatchObject({ kind: 'message', customer: { id: '15550000111' }, text: 'hi' });
  });

  it('keys a message without a customer on the account, for the normalizer to quarantine', () => {
    const [event] = splitWebhookBody(
      body(messagesEntry({ messages: [{ id: 'wamid.nobody', timestamp: '1735689600', type: 'text', text: { body: 'x' } }] })),
      ctx,
    );
    expect(event).toMatchObject({ conversationKey: 'wa:300000000000001:_account', eventId: 'wa:msg:wamid.nobody' });
    expect(normalizeIngressEvent(event!)).toMatchObject({ kind: 'quarantine', reason: 'missing_customer_id' });
  });

  it('uses the BSUID when a message has no phone number, and the only contact when it names nobody', () => {
    const events = splitWebhookBody(
      body(
        messagesEntry({
          contacts: [{ profile: { name: 'Someone' }, user_id: 'US.42' }],
          messages: [
            { from_user_id: 'US.42', id: 'wamid.a', timestamp: '1', type: 'text', text: { body: 'a' } },
            { id: 'wamid.b', timestamp: '1', type: 'contacts', contacts: [] },
          ],
        }),
      ),
      ctx,
    );
    expect(events.map((e) => e.conversationKey)).toEqual(['wa:300000000000001:US.42', 'wa:300000000000001:US.42']);
  });

  it('does not attach a contact that names a different customer', () => {
    const [event] = splitWebhookBody(
      body(
        messagesEntry({
          contacts: [{ profile: { name: 'Other Person' }, wa_id: '15550000999' }],
          messages: [{ from: '15550000111', id: 'wamid.x', timestamp: '1', type: 'text', text: { body: 'x' } }],
        }),
      ),
      ctx,
    );
    expect(slice(event!).contacts).toBeUndefined();
    expect(event!.conversationKey).toBe('wa:300000000000001:15550000111');
  });

  it('keys group messages and group statuses by the group, and tells participants’ receipts apart', () => {
    const events = splitWebhookBody(
      body(
        messagesEntry({
          messages: [{ from: '15550000111', group_id: 'G1', id: 'wamid.g', timestamp: '1', type: 'text', text: { body: 'x' } }],
          statuses: [
            { id: 'wamid.out', status: 'read', timestamp: '2', recipient_id: 'G1', recipient_type: 'group', recipient_participant_id: '15550000111' },
            { id: 'wamid.out', status: 'read', timestamp: '3', recipient_id: 'G1', recipient_type: 'group', recipient_participant_id: '15550000222' },
          ],
        }),
      ),
      ctx,
    );
    expect(events.map((e) => [e.conversationKey, e.eventId])).toEqual([
      ['wa:300000000000001:g.G1', 'wa:msg:wamid.g'],
      ['wa:300000000000001:g.G1', 'wa:status:wamid.out:read:15550000111'],
      ['wa:300000000000001:g.G1', 'wa:status:wamid.out:read:15550000222'],
    ]);
  });

  it('gives the same status reported twice one id, whatever its timestamp', () => {
    const status = (timestamp: string) =>
      splitWebhookBody(body(messagesEntry({ statuses: [{ id: 'wamid.s', status: 'delivered', timestamp, recipient_id: '15550000111' }] })), ctx)[0]!.eventId;
    expect(status('100')).toBe('wa:status:wamid.s:delivered');
    expect(status('200')).toBe(status('100'));
  });

  it('names edits and revokes by their own id and type', () => {
    const events = splitWebhookBody(
      body(
        messagesEntry({
          messages: [
            {
              from: '1',
              id: 'wamid.e',
              timestamp: '1',
              type: 'edit',
              edit: { original_message_id: 'wamid.o', message: { type: 'text', text: { body: 'new' } } },
            },
            { from: '1', id: 'wamid.r', timestamp: '1', type: 'revoke', revoke: { original_message_id: 'wamid.o' } },
          ],
        }),
      ),
      ctx,
    );
    expect(events.map((e) => e.eventId)).toEqual(['wa:edit:wamid.e', 'wa:revoke:wamid.r']);
  });

  it('attaches value-level errors to the messages they sit next to, and emits them alone otherwise', () => {
    const errors = [{ code: 131000, title: 'Something went wrong' }];
    const withMessage = splitWebhookBody(body(messagesEntry({ errors, messages: [{ from: '1', id: 'wamid.i', timestamp: '1', type: 'interactive' }] })), ctx);
    expect(withMessage).toHaveLength(1);
    expect(slice(withMessage[0]!).errors).toEqual(errors);

    const alone = splitWebhookBody(body(messagesEntry({ errors })), ctx);
    expect(alone).toHaveLength(1);
    expect(alone[0]).toMatchObject({ conversationKey: 'wa:300000000000001:_account', eventId: expect.stringMatching(/^wa:errors:/) });
  });

  it('keys echoes by the customer they were sent to', () => {
    const [event] = splitWhatsAppEntry(
      {
        id: 'W',
        changes: [
          {
            field: 'smb_message_echoes',
            value: {
              metadata: { phone_number_id: 'P' },
              message_echoes: [{ from: '15550000001', to: '15550000111', id: 'wamid.echo', timestamp: '1', type: 'text', text: { body: 'hi' } }],
            },
          },
        ],
      },
      ctx,
    );
    expect(event).toMatchObject({ conversationKey: 'wa:P:15550000111', eventId: 'wa:echo:wamid.echo' });
  });

  it('cuts history into one event per message of each thread, keyed by the thread', () => {
    const events = splitWhatsAppEntry(
      {
        id: 'W',
        changes: [
          {
            field: 'history',
            value: {
              metadata: { phone_number_id: 'P' },
              history: [
                {
                  metadata: { phase: 0, chunk_order: 1, progress: 10 },
                  threads: [
                    {
                      id: 'C1',
                      messages: [
                        { from: 'C1', id: 'h1', timestamp: '1', type: 'text', text: { body: 'a' } },
                        { from: 'B', id: 'h2', timestamp: '2', type: 'text', text: { body: 'b' } },
                      ],
                    },
                    { id: 'C2', messages: [{ from: 'C2', id: 'h3', timestamp: '3', type: 'text', text: { body: 'c' } }] },
                  ],
                },
              ],
            },
          },
        ],
      },
      ctx,
    );
    expect(events.map((e) => [e.conversationKey, e.eventId])).toEqual([
      ['wa:P:C1', 'wa:history:h1'],
      ['wa:P:C1', 'wa:history:h2'],
      ['wa:P:C2', 'wa:history:h3'],
    ]);
    expect(slice(events[1]!).history).toEqual([
      {
        metadata: { phase: 0, chunk_order: 1, progress: 10 },
        threads: [{ id: 'C1', messages: [{ from: 'B', id: 'h2', timestamp: '2', type: 'text', text: { body: 'b' } }] }],
      },
    ]);
  });

  it('emits one account-level event for a declined history sync', () => {
    const events = splitWhatsAppEntry(
      {
        id: 'W',
        changes: [{ field: 'history', value: { metadata: { phone_number_id: 'P' }, history: [{ errors: [{ code: 2593109, title: 'declined' }] }] } }],
      },
      ctx,
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.conversationKey).toBe('wa:P:_account');
  });

  it('splits per-customer arrays one event each, in each customer’s conversation', () => {
    const events = splitWhatsAppEntry(
      {
        id: 'W',
        changes: [
          {
            field: 'user_preferences',
            value: {
              metadata: { phone_number_id: 'P' },
              user_preferences: [
                { wa_id: '111', category: 'marketing_messages', value: 'stop', timestamp: 1 },
                { wa_id: '222', category: 'marketing_messages', value: 'resume', timestamp: 1 },
              ],
            },
          },
          {
            field: 'smb_app_state_sync',
            value: {
              metadata: { phone_number_id: 'P' },
              state_sync: [
                { type: 'contact', action: 'add', contact: { phone_number: '333' }, metadata: { timestamp: '1' } },
                { type: 'contact', action: 'remove', contact: { phone_number: '444' }, metadata: { timestamp: '1' } },
              ],
            },
          },
        ],
      },
      ctx,
    );
    expect(events.map((e) => e.conversationKey)).toEqual(['wa:P:111', 'wa:P:222', 'wa:P:_account', 'wa:P:_account']);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(4);
  });

  it('keys a business-initiated call by the customer called', () => {
    const [event] = splitWhatsAppEntry(
      {
        id: 'W',
        changes: [
          {
            field: 'calls',
            value: {
              metadata: { phone_number_id: 'P' },
              calls: [{ id: 'wacid.1', from: '15550000001', to: '15550000111', event: 'connect', direction: 'BUSINESS_INITIATED', timestamp: '1' }],
            },
          },
        ],
      },
      ctx,
    );
    expect(event!.conversationKey).toBe('wa:P:15550000111');
  });

  it('tells a template that returns to APPROVED apart from a redelivery of the first APPROVED', () => {
    const update = (time: number) =>
      splitWhatsAppEntry(
        { id: 'W', time, changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1 } }] },
        ctx,
      )[0]!.eventId;
    expect(update(100)).toBe(update(100));
    expect(update(300)).not.toBe(update(100));
  });

  it('throws on an entry it cannot read, which the dispatcher quarantines on its own', () => {
    expect(() => splitWhatsAppEntry('garbage', ctx)).toThrow(TypeError);
    expect(() => splitWhatsAppEntry({ changes: [] }, ctx)).toThrow(TypeError);
    expect(() => splitWhatsAppEntry({ id: 'W' }, ctx)).toThrow(TypeError);

    const good = messagesEntry({ messages: [{ from: '1', id: 'wamid.ok', timestamp: '1', type: 'text', text: { body: 'x' } }] });
    const events = splitWebhookBody(JSON.stringify({ object: 'whatsapp_business_account', entry: [42, good] }), ctx);
    expect(events.map((e) => e.kind)).toEqual(['quarantine', 'whatsapp.change']);
    expect(events[0]!.quarantineReason).toBe('split_failed:TypeError');
    expect(events[1]!.eventId).toBe('wa:msg:wamid.ok');
  });

  it('passes a malformed change on as its own event, so the rest of the entry still flows', () => {
    const events = splitWhatsAppEntry(
      {
        id: 'W',
        changes: [
          { field: 'messages', value: 'not an object' },
          {
            field: 'messages',
            value: { metadata: { phone_number_id: 'P' }, messages: [{ from: '1', id: 'm', timestamp: '1', type: 'text', text: { body: 'x' } }] },
          },
        ],
      },
      ctx,
    );
    expect(events.map((e) => normalizeIngressEvent(e).kind)).toEqual(['quarantine', 'message']);
    expect(normalizeIngressEvent(events[0]!)).toMatchObject({ reason: 'schema:whatsapp.change' });
  });
});
