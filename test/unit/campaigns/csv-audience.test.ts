import { describe, expect, it } from 'vitest';
import type { AudienceChunk } from '#lambdas/campaigns/audience/audience-types';
import { csvAudience, MAX_BAD_LINES_LISTED, parseCsvAudience } from '#lambdas/campaigns/audience/csv-audience';
import { csvPhoneToE164 } from '#lambdas/campaigns/audience/csv-phone';
import { inMemoryContactStore } from '#test/helpers/in-memory-contact-store';
import { BUSINESS, imageTemplate, saleTemplate, seedContact, shippingTemplate } from '#test/helpers/campaign-fixtures';
import { CsvAudienceError } from '#lambdas/campaigns/errors';

const sale = { template: saleTemplate, category: 'marketing' as const };
const shipping = { template: shippingTemplate, category: 'utility' as const };

describe('CSV phone numbers', () => {
  it('reads international numbers as written and national ones in the default country', () => {
    expect(csvPhoneToE164('+55 (11) 98765-4321')).toBe('+5511987654321');
    expect(csvPhoneToE164('0044 7700 900123')).toBe('+447700900123');
    expect(csvPhoneToE164('5511987654321')).toBe('+5511987654321');
    expect(csvPhoneToE164('(11) 98765-4321', 'br')).toBe('+5511987654321');
    expect(csvPhoneToE164('55 1234 5678', 'MX')).toBe('+525512345678');
    // International digits still read as such with a default country.
    expect(csvPhoneToE164('5511987654321', 'BR')).toBe('+5511987654321');
    // WhatsApp's old Mexican mobile form.
    expect(csvPhoneToE164('5215512345678')).toBe('+525512345678');
  });

  it('refuses what is not a number: formulas, letters, too short, too long', () => {
    for (const cell of ["=cmd|' /C calc'!A0", '+1-2', '@SUM(A1)', 'abc', '12', '1'.repeat(41), '+55 11 9876-x321', ''])
      expect(csvPhoneToE164(cell, 'BR')).toBeUndefined();
  });
});

describe('parsing a CSV audience', () => {
  it('reads comma or semicolon files with a header, quotes and a BOM, checking every row against the template', () => {
    const csv =
      '\uFEFFname;phone;1;2;button.0;email\r\nAna;+5511900000001;Ana;20;ANA20;a@x\r\n"Souza; Bruno";"+55 11 90000-0002";"Bruno ""B""";15;B15;\r\n\r\nCarla;+5511900000003;"=HYPERLINK(""http://evil"")";10;C;\r\n';
    const parsed = parseCsvAudience(csv, { template: sale });
    expect(parsed.badLines).toEqual([]);
    expect(parsed.ignoredColumns).toEqual(['email']);
    expect(parsed.rows).toEqual([
      { line: 2, e164: '+5511900000001', waId: '5511900000001', variables: { '1': 'Ana', '2': '20', 'button.0': 'ANA20' } },
      { line: 3, e164: '+5511900000002', waId: '5511900000002', variables: { '1': 'Bruno "B"', '2': '15', 'button.0': 'B15' } },
      // A formula is only text: kept as written, never evaluated.
      { line: 5, e164: '+5511900000003', waId: '5511900000003', variables: { '1': '=HYPERLINK("http://evil")', '2': '10', 'button.0': 'C' } },
    ]);
    const commas = parseCsvAudience('phone,header.first_name,order\n+5511900000001,Ana,"A-1, B"\n', { template: shipping });
    expect(commas.rows[0]?.variables).toEqual({ 'header.first_name': 'Ana', order: 'A-1, B' });
  });

  it('reports bad lines by number and reason, never their content, listing the first 100', () => {
    const lines = ['phone,1,2,button.0'];
    lines.push('+5511900000001,Ana,20,A'); // 2 ok
    lines.push("=cmd|' /C calc'!A0,Eve,20,E"); // 3 bad phone
    lines.push('+5511900000003,,20,C'); // 4 empty variable
    lines.push('+5511900000004,Dan,20'); // 5 a field short
    lines.push('+5511900000005,"Line\nbreak",20,E'); // 6-7 a new line in a body parameter
    lines.push('+5511900000006,"unclosed,20,F'); // 8 quote not closed (to the end)
    const parsed = parseCsvAudience(lines.join('\n'), { template: sale });
    expect(parsed.rows.map((r) => r.line)).toEqual([2]);
    expect(parsed.badLines.map((b) => b.line)).toEqual([3, 4, 5, 7, 8]);
    expect(parsed.badLines[0]!.message).toMatch(/^phone: not a possible phone number/);
    expect(parsed.badLines[1]!.message).toMatch(/^1: \{\{1\}\} has no value/);
    expect(parsed.badLines[2]!.message).toMatch(/different number of fields/);
    expect(parsed.badLines[3]!.message).toMatch(/new line/);
    expect(parsed.badLines[4]!.message).toMatch(/quoted field is not closed/);
    expect(JSON.stringify(parsed.badLines)).not.toMatch(/cmd|Eve|calc/);

    const many = ['phone,1,2,button.0', ...Array.from({ length: 250 }, (_, i) => `not-a-phone-${i},A,1,B`)].join('\n');
    const manyBad = parseCsvAudience(many, { template: sale });
    expect(manyBad.badLineCount).toBe(250);
    expect(manyBad.badLines).toHaveLength(MAX_BAD_LINES_LISTED);
    expect(manyBad.badLines[0]!.line).toBe(2);
    expect(manyBad.badLines.at(-1)!.line).toBe(101);
  });

  it('refuses a file it cannot read as an audience at all', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /first line must be the header/],
      ['\n\n+5511900000001,Ana', /first line must be the header/],
      ['name,1,2,button.0\nAna,Ana,1,x', /phone column is required/],
      ['phone,1\n+5511900000001,Ana', /need the columns "2", "button.0"/],
      ['phone,1,1,2,button.0\n+5511900000001,a,a,1,x', /appears twice/],
      ['phone,1,2,button.0\n', /no rows/],
      [['phone', ...Array.from({ length: 70 }, (_, i) => `c${i}`)].join(','), /at most 60 columns/],
    ];
    for (const [csv, message] of cases) expect(() => parseCsvAudience(csv, { template: sale }), csv.slice(0, 30)).toThrow(message);
    expect(() =>
      parseCsvAudience('phone\n+5511900000001\n+5511900000002\n+5511900000003', {
        template: { template: imageTemplate, category: 'marketing', headerMediaLink: 'https://x/y.png' },
        maxRows: 2,
      }),
    ).toThrow(CsvAudienceError);
  });

  it('holds 100,000 rows and refuses one more', () => {
    const rows = (n: number) => ['phone', ...Array.from({ length: n }, (_, i) => `+55119${String(i).padStart(8, '0')}`)].join('\n');
    const template = { template: imageTemplate, category: 'marketing' as const, headerMediaLink: 'https://cdn.example/a.png' };
    const started = Date.now();
    expect(parseCsvAudience(rows(100_000), { template }).rows).toHaveLength(100_000);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(() => parseCsvAudience(rows(100_001), { template })).toThrow(/at most 100,000 rows/);
  });
});

describe('matching CSV rows to contacts', () => {
  it('checks consent through the contact the number belongs to, and lists each customer once', async () => {
    const contacts = inMemoryContactStore();
    const ana = await seedContact(contacts, { waId: '5511900000001', name: 'Ana', consent: 'opted_in' });
    await seedContact(contacts, { waId: '5511900000002', name: 'Bruno', consent: 'opted_out' });
    await seedContact(contacts, { waId: '5511900000003', name: 'Carla' });
    // Mexico: WhatsApp reports 521…, the file has the number people dial.
    const mx = await seedContact(contacts, { waId: '5215512345678', phone: '+525512345678', name: 'Mateo', consent: 'opted_in' });
    const csv = [
      'phone,1,2,button.0',
      '+5511900000001,Ana,1,a',
      '+5511900000002,B,1,b',
      '+5511900000003,C,1,c',
      '+5511900000004,D,1,d',
      '+52 55 1234 5678,M,1,m',
      '5511900000001,Ana again,1,a',
    ].join('\n');
    const parsed = parseCsvAudience(csv, { template: sale });
    const chunks: AudienceChunk[] = [];
    for await (const c of csvAudience(parsed.rows, { businessId: BUSINESS, category: 'marketing', contacts })) chunks.push(c);
    expect(chunks.flatMap((c) => c.recipients)).toEqual([
      { waId: '5511900000001', contactId: ana.contactId, variables: { '1': 'Ana', '2': '1', 'button.0': 'a' } },
      { waId: '5215512345678', contactId: mx.contactId, variables: { '1': 'M', '2': '1', 'button.0': 'm' } },
    ]);
    expect(chunks[0]!.skipped).toEqual({ opted_out: 1, no_consent: 2, duplicate: 1 });

    const utility = [];
    for await (const c of csvAudience(parsed.rows, { businessId: BUSINESS, category: 'utility', contacts })) utility.push(...c.recipients);
    expect(utility.map((r) => r.waId)).toEqual(['5511900000001', '5511900000003', '5511900000004', '5215512345678']);
    expect(utility[2]!.contactId).toBeUndefined();
  });
});
