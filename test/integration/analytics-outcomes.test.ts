import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTable, type ExportResult } from '#lib/analytics/dynamodb-export';
import { duckDbItemType } from '#lib/analytics/export-schema';
import { ATHENA_DIALECT, athenaExportItemsView } from '#lib/analytics/flatten-views';
import { flattenViews, runMetricQueries, runMetrics, type MetricResult } from '#lib/analytics/duckdb-metrics';
import { METRIC_QUERIES } from '#lib/analytics/metric-queries';
import { planAttribution, stampAttribution, stampBotEnd, stampSale } from '#lib/analytics/seed/outcome-story';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/*
 * Outcomes and conversions worked out by hand (UTC). Business biz1 owns accounts 1 (WhatsApp) and
 * 2 (Instagram). Contacts and their first touch:
 *   c_A  ad ad_1 "Black Friday"           c_B  ad ad_1 "Black Friday"
 *   c_C  link, UTM newsletter/email/nov    c_D  no first touch (came on its own)
 *   c_E  merged into c_A (its own first touch, a post, gives way to the survivor's)
 *
 *        contact  created  how it ended                                            attributed to
 *   X1   c_A      11-16    person, converted (queue sales) 11-16 10:00             ad_1
 *   X2   c_A      11-16    bot, resolved_by_bot 11-16 12:00                         ad_1
 *   X3   c_B      11-16    bot, no_response 11-16 13:00                             ad_1
 *   X4   c_C      11-16    person, resolved (general) 11-17 09:00; bot, resolved_by_bot 11-18   link / newsletter
 *   X5   c_D      11-16    bot, opted_out 11-17 08:00                               —
 *   X6   —        11-17    person, converted (sales) 11-17 15:00; first message from ad ad_9   ad_9 (referral)
 *   X7   c_E      11-16    marked converted (outcome only, no close)                ad_1 (through the merge)
 *   X8   —        11-16    still with the bot; no referral                          —
 *   X9   —        11-16    bot, no_response 11-16 14:00                             —
 */
const at = (time: string, date = '2026-11-16') => `${date}T${time}Z`;

function conversation(key: string, extra: Record<string, unknown>) {
  const [prefix, accountId] = key.split(':');
  return {
    pk: `CONV#${key}`,
    sk: 'CONV',
    entity: 'Conversation',
    conversationKey: key,
    channel: prefix === 'wa' ? 'whatsapp' : 'instagram',
    accountId,
    state: 'bot',
    createdAt: at('08:00:00'),
    ...extra,
  };
}

const contact = (contactId: string, extra: Record<string, unknown> = {}) => ({
  pk: `PERSON#biz1#${contactId}`,
  sk: 'PROFILE',
  entity: 'Contact',
  businessId: 'biz1',
  contactId,
  identities: [],
  consent: {},
  tags: [],
  attributes: {},
  crmIds: {},
  createdAt: at('07:00:00'),
  updatedAt: at('07:00:00'),
  version: 1,
  ...extra,
});
const touch = (extra: Record<string, unknown>) => ({
  firstTouch: { channel: 'whatsapp', accountId: '1', conversationKey: 'wa:1:x', at: at('07:59:00'), ...extra },
});
const blackFriday = touch({ source: 'ad', adId: 'ad_1', headline: 'Black Friday', ctwaClid: 'clid-1' });

const ITEMS: Array<Record<string, unknown>> = [
  { pk: 'ACCT#1', sk: 'ACCOUNT', entity: 'ChannelAccount', accountId: '1', channel: 'whatsapp', businessId: 'biz1', status: 'active' },
  { pk: 'ACCT#2', sk: 'ACCOUNT', entity: 'ChannelAccount', accountId: '2', channel: 'instagram', businessId: 'biz1', status: 'active' },
  contact('c_A', blackFriday),
  contact('c_B', blackFriday),
  contact(
    'c_C',
    touch({ source: 'link', sourceUrl: 'https://shop.example/?utm_source=newsletter', utm: { source: 'newsletter', medium: 'email', campaign: 'nov' } }),
  ),
  contact('c_D'),
  contact('c_E', { ...touch({ source: 'post', headline: 'Our new store' }), mergedInto: 'c_A' }),
  // The WhatsApp Business App address book shares the entity name; it is not a contact profile.
  { pk: 'ACCT#1', sk: 'CONTACT#5511', entity: 'Contact', addressBookName: 'Someone', contactId: 'c_Z' },
  conversation('wa:1:901', {
    contactId: 'c_A',
    state: 'closed',
    queueId: 'sales',
    closedAt: at('10:00:00'),
    closeOutcome: 'converted',
    outcome: 'converted',
    outcomeAt: at('10:00:00'),
    outcomeBy: 'person',
  }),
  conversation('wa:1:902', {
    contactId: 'c_A',
    endedAt: at('12:00:00'),
    endOutcome: 'resolved_by_bot',
    endReason: 'answered',
    outcome: 'resolved_by_bot',
    outcomeBy: 'bot',
  }),
  conversation('wa:1:903', {
    contactId: 'c_B',
    endedAt: at('13:00:00'),
    endOutcome: 'no_response',
    endReason: 'no_reply_after_greeting',
    outcome: 'no_response',
  }),
  conversation('wa:1:904', {
    contactId: 'c_C',
    queueId: 'general',
    closedAt: at('09:00:00', '2026-11-17'),
    closeOutcome: 'resolved',
    endedAt: at('09:00:00', '2026-11-18'),
    endOutcome: 'resolved_by_bot',
    outcome: 'resolved_by_bot',
  }),
  conversation('ig:2:905', { contactId: 'c_D', endedAt: at('08:00:00', '2026-11-17'), endOutcome: 'opted_out', outcome: 'opted_out' }),
  conversation('ig:2:906', {
    state: 'closed',
    createdAt: at('14:00:00', '2026-11-17'),
    queueId: 'sales',
    closedAt: at('15:00:00', '2026-11-17'),
    closeOutcome: 'converted',
    outcome: 'converted',
  }),
  conversation('wa:1:907', { contactId: 'c_E', outcome: 'converted', outcomeBy: 'person' }),
  conversation('wa:1:908', {}),
  conversation('wa:1:909', { endedAt: at('14:00:00'), endOutcome: 'no_response', outcome: 'no_response' }),
  // X6's customer came from an Instagram ad; a later message with another referral does not change it.
  {
    pk: 'CONV#ig:2:906',
    sk: 'MSG#m1',
    lsi1sk: `MSG#${at('14:00:00', '2026-11-17')}#m1`,
    entity: 'Message',
    messageId: 'm1',
    conversationKey: 'ig:2:906',
    channel: 'instagram',
    accountId: '2',
    direction: 'inbound',
    origin: 'customer',
    type: 'text',
    occurredAt: at('14:00:00', '2026-11-17'),
    referralSource: 'ADS',
    referralAdId: 'ad_9',
    referral: { source: 'ADS', adId: 'ad_9', headline: 'Reels promo' },
  },
  {
    pk: 'CONV#ig:2:906',
    sk: 'MSG#m2',
    lsi1sk: `MSG#${at('14:30:00', '2026-11-17')}#m2`,
    entity: 'Message',
    messageId: 'm2',
    conversationKey: 'ig:2:906',
    channel: 'instagram',
    accountId: '2',
    direction: 'inbound',
    origin: 'customer',
    type: 'text',
    occurredAt: at('14:30:00', '2026-11-17'),
    referralSource: 'ADS',
    referralAdId: 'ad_10',
    referral: { source: 'ADS', adId: 'ad_10', headline: 'Another' },
  },
  // A referral on a conversation whose contact is known: the contact's first touch counts instead.
  {
    pk: 'CONV#wa:1:903',
    sk: 'MSG#m3',
    lsi1sk: `MSG#${at('08:00:00')}#m3`,
    entity: 'Message',
    messageId: 'm3',
    conversationKey: 'wa:1:903',
    channel: 'whatsapp',
    accountId: '1',
    direction: 'inbound',
    origin: 'customer',
    type: 'text',
    occurredAt: at('08:00:00'),
    referralSource: 'ad',
    referralAdId: 'ad_other',
  },
];

const OUTCOME_QUERIES = METRIC_QUERIES.filter((q) => ['conversation_outcomes', 'conversions_by_source'].includes(q.name));
const rowsOf = (results: MetricResult[], name: string) => results.find((r) => r.query.name === name)?.rows;

let table: TestTable & { newTable(): Promise<string> };
let root: string;
let exported: ExportResult;
let results: MetricResult[];

beforeAll(async () => {
  table = await startTestTable();
  root = mkdtempSync(join(tmpdir(), 'analytics-outcomes-'));
  for (let i = 0; i < ITEMS.length; i += 25) {
    await table.db.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: ITEMS.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  exported = await exportTable({ client: table.local.client, tableName: table.tableName, root, segments: 2 });
  results = await runMetrics(exported.dataFiles, OUTCOME_QUERIES);
});

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await table?.stop();
});

describe('outcomes and conversions (DuckDB over the export)', () => {
  it('outcomes per day, channel and queue: people closing and the bot ending, each counted', () => {
    const row = (day: string, channel: string, queue_id: string, ended_by: string, outcome: string, conversations: number) => ({
      business_id: 'biz1',
      day,
      channel,
      queue_id,
      ended_by,
      outcome,
      conversations,
    });
    expect(rowsOf(results, 'conversation_outcomes')).toEqual([
      row('2026-11-16', 'whatsapp', 'bot', 'bot', 'no_response', 2),
      row('2026-11-16', 'whatsapp', 'bot', 'bot', 'resolved_by_bot', 1),
      row('2026-11-16', 'whatsapp', 'sales', 'person', 'converted', 1),
      row('2026-11-17', 'instagram', 'bot', 'bot', 'opted_out', 1),
      row('2026-11-17', 'instagram', 'sales', 'person', 'converted', 1),
      row('2026-11-17', 'whatsapp', 'general', 'person', 'resolved', 1),
      row('2026-11-18', 'whatsapp', 'bot', 'bot', 'resolved_by_bot', 1),
    ]);
  });

  it('conversions by ad and source: first touch through the contact (merges followed), else the conversation referral', () => {
    expect(rowsOf(results, 'conversions_by_source')).toEqual([
      {
        business_id: 'biz1',
        source: 'ad',
        ad_id: 'ad_1',
        headline: 'Black Friday',
        utm_source: null,
        utm_medium: null,
        utm_campaign: null,
        conversations: 4,
        contacts: 3,
        conversions: 2,
        conversion_pct: 50,
        resolved_by_bot_pct: 25,
      },
      {
        business_id: 'biz1',
        source: 'ad',
        ad_id: 'ad_9',
        headline: 'Reels promo',
        utm_source: null,
        utm_medium: null,
        utm_campaign: null,
        conversations: 1,
        contacts: 0,
        conversions: 1,
        conversion_pct: 100,
        resolved_by_bot_pct: 0,
      },
      {
        business_id: 'biz1',
        source: 'link',
        ad_id: null,
        headline: null,
        utm_source: 'newsletter',
        utm_medium: 'email',
        utm_campaign: 'nov',
        conversations: 1,
        contacts: 1,
        conversions: 0,
        conversion_pct: 0,
        resolved_by_bot_pct: 100,
      },
    ]);
  });

  it('a report period keeps the outcomes of its days and the conversations started in it', async () => {
    const period = { fromMs: Date.parse(at('00:00:00', '2026-11-17')), toMs: Date.parse(at('00:00:00', '2026-11-18')) };
    const narrowed = await runMetrics(exported.dataFiles, OUTCOME_QUERIES, period);
    expect(rowsOf(narrowed, 'conversation_outcomes')?.map((r) => [r.day, r.outcome, r.conversations])).toEqual([
      ['2026-11-17', 'opted_out', 1],
      ['2026-11-17', 'converted', 1],
      ['2026-11-17', 'resolved', 1],
    ]);
    expect(rowsOf(narrowed, 'conversions_by_source')?.map((r) => [r.ad_id, r.conversations, r.conversions])).toEqual([['ad_9', 1, 1]]);
  });

  it('the Athena views give the same rows over the same files', async () => {
    const files = exported.dataFiles.map((f) => `'${f}'`).join(', ');
    const type = duckDbItemType().replaceAll("'", "''");
    const setup = [
      "CREATE MACRO from_iso8601_timestamp(s) AS CAST(replace(replace(s, 'T', ' '), 'Z', '') AS TIMESTAMP)",
      'CREATE MACRO try(x) AS x',
      'CREATE MACRO to_unixtime(ts) AS epoch(ts)',
      'CREATE MACRO day_of_week(ts) AS isodow(ts)',
      `CREATE TABLE dynamodb_export AS SELECT Item AS item, filename AS "$path" FROM read_json([${files}], format = 'newline_delimited', columns = {Item: '${type}'}, filename = true)`,
      athenaExportItemsView('dynamodb_export'),
      ...flattenViews(ATHENA_DIALECT),
    ];
    const athena = await runMetricQueries(setup, OUTCOME_QUERIES);
    expect(athena.map((r) => r.rows)).toEqual(results.map((r) => r.rows));
  });
});

describe('the seed writes outcomes and first touches the analytics read (npm run seed)', () => {
  it('ends a quiet bot conversation as the sweep would, makes a sale, and attributes a conversation without a contact to its ad', async () => {
    const tableName = await table.newTable();
    const msg = (key: string, id: string, time: string, extra: Record<string, unknown>) => ({
      pk: `CONV#${key}`,
      sk: `MSG#${id}`,
      lsi1sk: `MSG#${at(time)}#${id}`,
      entity: 'Message',
      messageId: id,
      providerMessageId: id,
      conversationKey: key,
      channel: 'whatsapp',
      accountId: '1',
      type: 'text',
      occurredAt: at(time),
      ...extra,
    });
    const items = [
      conversation('wa:1:801', { lastInboundAt: at('09:00:00'), answeredThroughSk: `MSG#${at('09:00:00')}#in1` }),
      msg('wa:1:801', 'in1', '09:00:00', { direction: 'inbound', origin: 'customer' }),
      msg('wa:1:801', 'out1', '09:00:02', { direction: 'outbound', origin: 'agent', replyKind: 'faq_answer', faqId: 'shipping_time' }),
      conversation('wa:1:802', { state: 'closed', closedAt: at('11:00:00'), closeOutcome: 'resolved', queueId: 'sales' }),
      msg('wa:1:802', 'in2', '10:00:00', { direction: 'inbound', origin: 'customer' }),
    ];
    await table.db.send(new BatchWriteCommand({ RequestItems: { [tableName]: items.map((Item) => ({ PutRequest: { Item } })) } }));
    const now = Date.parse(at('12:00:00', '2026-11-20'));

    expect(await stampBotEnd(table.db, tableName, 'wa:1:801', now)).toBe('resolved_by_bot');
    expect(await stampBotEnd(table.db, tableName, 'wa:1:801', now)).toBeUndefined();
    expect(await stampBotEnd(table.db, tableName, 'wa:1:802', now)).toBeUndefined();
    const ended = (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: 'CONV#wa:1:801', sk: 'CONV' } }))).Item;
    const due = '2026-11-17T09:10:00.000Z';
    expect(ended).toMatchObject({ endedAt: due, endOutcome: 'resolved_by_bot', endFaqId: 'shipping_time', endAnnouncedAt: due, outcomeBy: 'bot' });

    expect(await stampSale(table.db, tableName, 'wa:1:802')).toBe(true);
    expect(await stampSale(table.db, tableName, 'wa:1:801')).toBe(false);
    await stampAttribution(table.db, tableName, 'wa:1:802', { source: 'ad', adId: 'ad_7', headline: 'Sale', buys: true });

    const dir = mkdtempSync(join(tmpdir(), 'analytics-seed-'));
    try {
      const seeded = await exportTable({ client: table.local.client, tableName, root: dir, segments: 1 });
      const figures = await runMetrics(seeded.dataFiles, OUTCOME_QUERIES);
      expect(rowsOf(figures, 'conversions_by_source')).toEqual([
        {
          business_id: 'unknown',
          source: 'ad',
          ad_id: 'ad_7',
          headline: 'Sale',
          utm_source: null,
          utm_medium: null,
          utm_campaign: null,
          conversations: 1,
          contacts: 0,
          conversions: 1,
          conversion_pct: 100,
          resolved_by_bot_pct: 0,
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The same seed draws the same first touches.
    expect(Array.from({ length: 50 }, (_, i) => planAttribution(42, i))).toEqual(Array.from({ length: 50 }, (_, i) => planAttribution(42, i)));
    expect(Array.from({ length: 200 }, (_, i) => planAttribution(42, i)).filter((t) => t?.source === 'ad').length).toBeGreaterThan(30);
  });
});
