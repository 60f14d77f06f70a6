import { describe, expect, it } from 'vitest';
import { maskPersonalData, maskValue, printableBody } from '#lib/operations/mask-personal-data';

const whatsappIngressEvent = {
  v: 1,
  kind: 'whatsapp.change',
  channel: 'whatsapp',
  conversationKey: 'wa:100000000000001:5511999887766',
  eventId: 'wamid.HBgM',
  payload: {
    metadata: { display_phone_number: '15550001111', phone_number_id: '100000000000001' },
    contacts: [{ profile: { name: 'Ana Souza' }, wa_id: '5511999887766' }],
    messages: [{ from: '5511999887766', id: 'wamid.HBgM', timestamp: '1763730000', type: 'text', text: { body: 'my card is 4111 1111' } }],
  },
};

describe('maskPersonalData', () => {
  it('masks names, numbers and text anywhere in a Meta payload, and keeps ids, types and times', () => {
    const masked = JSON.stringify(maskPersonalData(whatsappIngressEvent));
    for (const secret of ['Ana Souza', '5511999887766', '4111 1111']) expect(masked).not.toContain(secret);
    expect(masked).toContain('wamid.HBgM');
    expect(masked).toContain('"type":"text"');
    expect(masked).toContain('"phone_number_id":"100000000000001"');
    expect(masked).toContain('"timestamp":"1763730000"');
  });

  it('keeps the business part of a conversation key and masks the customer', () => {
    const masked = maskPersonalData({ conversationKey: 'wa:100000000000001:5511999887766' }) as { conversationKey: string };
    expect(masked.conversationKey).toBe(`wa:100000000000001:${maskValue('5511999887766')}`);
  });

  it('gives equal values equal tags, so masked messages can still be compared', () => {
    expect(maskValue('5511999887766')).toBe(maskValue('5511999887766'));
    expect(maskValue('5511999887766')).not.toBe(maskValue('5511999887767'));
    expect(maskValue('Ana')).toMatch(/^«masked 3 #[0-9a-f]{8}»$/);
  });

  it('looks inside JSON carried as text (quarantined raw payloads)', () => {
    const masked = JSON.stringify(maskPersonalData({ reason: 'invalid', raw: JSON.stringify({ sender: { id: '998877' }, message: { text: 'hola Ana' } }) }));
    expect(masked).not.toContain('998877');
    expect(masked).not.toContain('hola Ana');
    expect(masked).toContain('invalid');
  });
});

describe('printableBody', () => {
  it('prints JSON masked and cut to length', () => {
    const body = printableBody(JSON.stringify(whatsappIngressEvent), 80);
    expect(body).not.toContain('Ana Souza');
    expect(body).toMatch(/^\{"v":1,.*… \(\d+ more characters\)$/);
  });

  it('shows only the size of a body that is not JSON', () => {
    expect(printableBody('hola Ana, 5511999887766')).toBe('«23 bytes, not JSON: not shown»');
  });
});
