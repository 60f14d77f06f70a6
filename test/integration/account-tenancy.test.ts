import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { createAccountHealthStore } from '#lambdas/accounts/account-registry-store';
import { applyAccountHealth } from '#lambdas/accounts/apply-account-health';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { getBusinessAccount, getChannelAccount, registerChannelAccountIfAbsent, upsertChannelAccount } from '#lambdas/accounts/channel-account';
import { processIngressRecord, type ProcessDeps } from '#lambdas/ingress/process-ingress-record';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { readConformance } from '#test/helpers/conformance';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoIngressStores } from '#lambdas/ingress/ingress-stores';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

let table: TestTable & { newTable(): Promise<string> };
let published: DomainEvent[];
let deps: ProcessDeps;
let tableName: string;

const WABA = '200000000000900';
const NUMBER = '100000000000900';
const ONBOARDING = '100000000000901';
const OFFBOARDED = '100000000000902';
const DISPLAY = '15550000900';

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

async function freshTable(): Promise<void> {
  tableName = await table.newTable();
  published = [];
  deps = {
    ...dynamoIngressStores(table.db, tableName),
    retentionDays: 30,
    publisher: { publish: async (events) => void published.push(...events) },
    readClaimCheck: async () => {
      throw new Error('no claim checks here');
    },
    // No caching of misses between steps of a test: each test registers before it sends.
    accounts: cachedAccountReader({ registry: dynamoAccountRegistry(table.db, tableName), missTtlMs: 0 }),
  };
  const account = { channel: 'whatsapp' as const, businessId: 'acme', wabaId: WABA };
  await registerChannelAccountIfAbsent(table.db, tableName, { ...account, accountId: NUMBER, status: 'active', displayPhoneNumber: DISPLAY });
  await registerChannelAccountIfAbsent(table.db, tableName, { ...account, accountId: ONBOARDING, status: 'onboarding' });
  await registerChannelAccountIfAbsent(table.db, tableName, { ...account, accountId: OFFBOARDED, status: 'offboarded' });
}

function change(field: string, value: Record<string, unknown>, entryId = WABA, time = 1763730000): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: entryId, time, changes: [{ field, value }] }] });
}

function text(phoneNumberId: string, id: string, from = '5511999'): string {
  return change('messages', {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: DISPLAY, phone_number_id: phoneNumberId },
    contacts: [{ profile: { name: 'Ana' }, wa_id: from }],
    messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'hola' } }],
  });
}

/** Every ingress record of a webhook body through the normalizer path. */
async function ingest(body: string, receivedAt = '2026-11-21T12:00:00.000Z') {
  const results = [];
  for (const event of splitWebhookBody(body, { receivedAt })) results.push(await processIngressRecord(JSON.stringify(event), deps));
  return results;
}

async function get(pk: string, sk: string) {
  return (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk, sk } }))).Item;
}

describe('the account gate in the normalizer path', () => {
  beforeAll(freshTable);

  it('stores and publishes a message to a registered number', async () => {
    expect(await ingest(text(NUMBER, 'wamid.G1'))).toEqual([{ kind: 'message', channel: 'whatsapp', origin: 'customer', outcome: 'stored' }]);
    expect(published.map((e) => e.detailType)).toEqual(['message.received']);
  });

  it('quarantines a message to a number nobody registered, keeps it whole, reports it once, and never answers it', async () => {
    published.length = 0;
    const body = text('100000000000999', 'wamid.G2');
    const expected = { kind: 'quarantine', channel: 'whatsapp', outcome: 'stored', reason: 'unknown_account' };
    expect(await ingest(body)).toEqual([expected]);
    // A redelivery lands on the same quarantine item.
    expect(await ingest(body)).toEqual([{ ...expected, outcome: 'duplicate' }]);
    const item = await get('QUARANTINE#wa:msg:wamid.G2', 'QUARANTINE');
    expect(item).toMatchObject({ entity: 'QuarantinedEvent', reason: 'unknown_account', channel: 'whatsapp', gsi1pk: 'QUARANTINE#2026-11-21' });
    expect(JSON.parse(item!.rawPayload as string)).toMatchObject({ field: 'messages', value: { metadata: { phone_number_id: '100000000000999' } } });
    expect(await get('CONV#wa:100000000000999:5511999', 'MSG#wamid.G2')).toBeUndefined();
    expect(published.map((e) => e.detailType)).toEqual(['event.quarantined', 'event.quarantined']);
  });

  it("quarantines Meta's dashboard test payloads for numbers and Instagram accounts it does not know", async () => {
    const whatsapp = readConformance('whatsapp', 'web-meta-dashboard-test-text.json');
    expect(await ingest(whatsapp)).toEqual([expect.objectContaining({ kind: 'quarantine', reason: 'unknown_account' })]);
    const instagram = JSON.stringify({ object: 'instagram', ...JSON.parse(readConformance('instagram', 'chatwoot-dashboard-test-event.json')) });
    const results = await ingest(instagram);
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(r).toMatchObject({ kind: 'quarantine', reason: 'unknown_account' });
  });

  it('quarantines the events of an offboarded number like an unknown one', async () => {
    expect(await ingest(text(OFFBOARDED, 'wamid.G3'))).toEqual([expect.objectContaining({ kind: 'quarantine', reason: 'unknown_account' })]);
  });

  it('records a message to a number still onboarding without waking the agent', async () => {
    published.length = 0;
    expect(await ingest(text(ONBOARDING, 'wamid.G4'))).toEqual([
      { kind: 'message', channel: 'whatsapp', origin: 'customer', outcome: 'stored', held: 'account_onboarding' },
    ]);
    expect(await get(`CONV#wa:${ONBOARDING}:5511999`, 'MSG#wamid.G4')).toMatchObject({ text: 'hola' });
    expect(published).toEqual([]);
  });

  it('accepts account-level changes that name the WABA of a registered number, and quarantines those of other WABAs', async () => {
    expect(await getBusinessAccount(table.db, tableName, WABA)).toMatchObject({ businessId: 'acme', status: 'active' });
    const update = (entry: string) => change('account_update', { event: 'ACCOUNT_VIOLATION', violation_info: { violation_type: 'SCAM' } }, entry);
    expect(await ingest(update(WABA))).toEqual([expect.objectContaining({ kind: 'notification', outcome: 'stored', accountHealth: 'restricted' })]);
    expect(await ingest(update('200000000000999'))).toEqual([expect.objectContaining({ kind: 'quarantine', reason: 'unknown_account' })]);
  });

  it("quarantines an Instagram body naming a WhatsApp number's id as channel_mismatch: nothing recorded under the number, nothing answered", async () => {
    published.length = 0;
    const instagram = JSON.stringify({
      object: 'instagram',
      entry: [
        {
          id: NUMBER,
          time: 1763730000000,
          messaging: [
            {
              sender: { id: '9000000000000001' },
              recipient: { id: NUMBER },
              timestamp: 1763730000000,
              message: { mid: 'aWdfMISMATCH1', text: 'hola' },
            },
          ],
        },
      ],
    });
    expect(await ingest(instagram)).toEqual([{ kind: 'quarantine', channel: 'instagram', outcome: 'stored', reason: 'channel_mismatch' }]);
    expect(await get(`CONV#ig:${NUMBER}:9000000000000001`, 'MSG#aWdfMISMATCH1')).toBeUndefined();
    expect(await get(`CONV#ig:${NUMBER}:9000000000000001`, 'CONV')).toBeUndefined();
    // Only the quarantine is announced: no message.received, so the agent is never woken.
    expect(published.map((e) => e.detailType)).toEqual(['event.quarantined']);
    const [quarantined] =
      (await table.db.send(new ScanCommand({ TableName: tableName, FilterExpression: 'reason = :r', ExpressionAttributeValues: { ':r': 'channel_mismatch' } })))
        .Items ?? [];
    expect(quarantined).toMatchObject({ entity: 'QuarantinedEvent', channel: 'instagram', detail: `message on instagram for whatsapp account ${NUMBER}` });
    // The same number's own WhatsApp traffic is still admitted.
    expect(await ingest(text(NUMBER, 'wamid.G7'))).toEqual([expect.objectContaining({ kind: 'message', outcome: 'stored' })]);
  });

  it('serves a freshly registered number within the miss time', async () => {
    const reader = cachedAccountReader({ registry: dynamoAccountRegistry(table.db, tableName), missTtlMs: 50 });
    deps = { ...deps, accounts: reader };
    expect(await ingest(text('100000000000903', 'wamid.G5'))).toEqual([expect.objectContaining({ reason: 'unknown_account' })]);
    await upsertChannelAccount(table.db, tableName, {
      accountId: '100000000000903',
      channel: 'whatsapp',
      businessId: 'acme',
      wabaId: WABA,
      status: 'active',
    });
    await new Promise((r) => setTimeout(r, 60));
    expect(await ingest(text('100000000000903', 'wamid.G6'))).toEqual([expect.objectContaining({ kind: 'message', outcome: 'stored' })]);
  });
});

describe('account health on the registry', () => {
  beforeAll(freshTable);

  /** Ingests a change and applies the health consumer to what it published, as the queue would. */
  async function healthOf(body: string) {
    published.length = 0;
    await ingest(body);
    const event = published.find((e) => e.detailType === 'notification.received');
    expect(event).toBeDefined();
    return applyAccountHealth(event!.detail, { registry: createAccountHealthStore(table.db, tableName) });
  }

  const quality = (event: string, limit: string, time: number) =>
    change('phone_number_quality_update', { display_phone_number: DISPLAY, event, current_limit: limit }, WABA, time);

  it('keeps quality, tier and throughput on the number, newest first, whatever the delivery order', async () => {
    // Newer first (an upgrade to the higher throughput), then an older flag arriving late, then redelivery.
    expect(await healthOf(quality('THROUGHPUT_UPGRADE', 'TIER_UNLIMITED', 1763730200))).toEqual({ outcome: 'applied', targets: [`ACCT#${NUMBER}`] });
    expect(await healthOf(quality('FLAGGED', 'TIER_10K', 1763730100))).toEqual({ outcome: 'stale' });
    expect(await healthOf(quality('THROUGHPUT_UPGRADE', 'TIER_UNLIMITED', 1763730200))).toEqual({ outcome: 'stale' });
    const account = await getChannelAccount(table.db, tableName, NUMBER);
    expect(account).toMatchObject({
      qualityEvent: 'THROUGHPUT_UPGRADE',
      throughputPerSecond: 1000,
      healthUpdatedAt: new Date(1763730200_000).toISOString(),
      status: 'active',
    });
    expect(account).not.toHaveProperty('qualityFlagged');
    // The upgrade's TIER_UNLIMITED is about messages per second: the messaging limit (customers a day) is not lifted.
    expect(account).not.toHaveProperty('messagingLimitTier');
    // A newer flag does apply.
    expect(await healthOf(quality('FLAGGED', 'TIER_UNLIMITED', 1763730300))).toMatchObject({ outcome: 'applied' });
    expect(await getChannelAccount(table.db, tableName, NUMBER)).toMatchObject({
      qualityFlagged: true,
      qualityEvent: 'FLAGGED',
      throughputPerSecond: 1000,
    });
  });

  it('keeps the display name and its review status; an older rejection cannot undo a newer approval', async () => {
    const name = (decision: string, requested: string, time: number, reason: string | null = null) =>
      change(
        'phone_number_name_update',
        { display_phone_number: `+${DISPLAY}`, decision, requested_verified_name: requested, rejection_reason: reason },
        WABA,
        time,
      );
    expect(await healthOf(name('APPROVED', 'Acme Support', 1763730500))).toMatchObject({ outcome: 'applied' });
    expect(await healthOf(name('REJECTED', 'Acme!!', 1763730400, 'NAME_FORMAT_UNACCEPTABLE'))).toEqual({ outcome: 'stale' });
    const account = await getChannelAccount(table.db, tableName, NUMBER);
    expect(account).toMatchObject({ displayName: 'Acme Support', displayNameStatus: 'APPROVED', requestedDisplayName: 'Acme Support' });
    expect(account).not.toHaveProperty('displayNameRejectionReason');
    // The quality facet's time is newer still: healthUpdatedAt never goes back.
    expect(account?.healthUpdatedAt).toBe(new Date(1763730500_000).toISOString());
  });

  it('follows restriction, disabling and reinstatement on the WABA, newest wins', async () => {
    const restriction = change(
      'account_update',
      {
        event: 'ACCOUNT_RESTRICTION',
        restriction_info: [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: 1764000000 }],
      },
      WABA,
      1763731000,
    );
    const disabled = change(
      'account_update',
      { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: ['DISABLE'], waba_ban_date: 'November 21, 2026' } },
      WABA,
      1763732000,
    );
    const reinstated = change('account_update', { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: ['REINSTATE'] } }, WABA, 1763733000);
    expect(await healthOf(restriction)).toEqual({ outcome: 'applied', targets: [`WABA#${WABA}`] });
    expect(await getBusinessAccount(table.db, tableName, WABA)).toMatchObject({
      status: 'restricted',
      accountStanding: 'restricted',
      restrictionTypes: 'RESTRICTED_BIZ_INITIATED_MESSAGING',
    });
    // Reinstatement arrives before the disabling it undoes.
    expect(await healthOf(reinstated)).toMatchObject({ outcome: 'applied' });
    expect(await healthOf(disabled)).toEqual({ outcome: 'stale' });
    const waba = await getBusinessAccount(table.db, tableName, WABA);
    expect(waba).toMatchObject({ status: 'active', accountStanding: 'ok', banState: 'REINSTATE' });
    expect(waba).not.toHaveProperty('restrictionTypes');
    // Other account_update events say nothing about health.
    expect(await healthOf(change('account_update', { event: 'VERIFIED_ACCOUNT' }, WABA, 1763734000))).toEqual({ outcome: 'not_health' });
  });

  it('never creates a registry item: a change for an unregistered display number is not applied', async () => {
    const other = change(
      'phone_number_quality_update',
      { display_phone_number: '15559999999', event: 'DOWNGRADE', current_limit: 'TIER_1K' },
      WABA,
      1763735000,
    );
    expect(await healthOf(other)).toEqual({ outcome: 'no_account' });
    expect(
      await applyAccountHealth(
        { accountId: WABA, eventId: 'nope', topic: 'whatsapp.account_update' },
        { registry: createAccountHealthStore(table.db, tableName) },
      ),
    ).toMatchObject({ outcome: 'invalid' });
  });

  it("keeps the Business App's address book as contact items; a removal wins over an older add delivered later", async () => {
    const sync = (action: string, name: string | undefined, time: number) =>
      change('smb_app_state_sync', {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: DISPLAY, phone_number_id: NUMBER },
        state_sync: [
          {
            type: 'contact',
            contact: { ...(name ? { full_name: name, first_name: name.split(' ')[0] } : {}), phone_number: '+1 650 555 1234' },
            action,
            metadata: { timestamp: String(time) },
          },
        ],
      });
    await ingest(sync('add', 'Pablo Morales', 1763730000));
    expect(await get(`ACCT#${NUMBER}`, 'CONTACT#16505551234')).toMatchObject({
      entity: 'Contact',
      addressBookName: 'Pablo Morales',
      removed: false,
      source: 'business_app',
    });
    await ingest(sync('edit', 'Pablo M.', 1763730100));
    await ingest(sync('remove', undefined, 1763730300));
    await ingest(sync('add', 'Pablo Morales', 1763730200));
    const contact = await get(`ACCT#${NUMBER}`, 'CONTACT#16505551234');
    expect(contact).toMatchObject({ removed: true, lastAction: 'remove' });
    expect(contact).not.toHaveProperty('addressBookName');
  });

  it('stores a contact change whose name the table refuses as a notification, without retrying the contact', async () => {
    const huge = 'N'.repeat(420_000);
    const body = change('smb_app_state_sync', {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: DISPLAY, phone_number_id: NUMBER },
      state_sync: [{ type: 'contact', contact: { full_name: huge, phone_number: '+1 650 555 7777' }, action: 'add', metadata: { timestamp: '1763730400' } }],
    });
    // One attempt, no throw: the change is recorded and the contact reported as refused.
    expect(await ingest(body)).toEqual([expect.objectContaining({ kind: 'notification', outcome: 'stored', contactRejected: true })]);
    expect(await get(`ACCT#${NUMBER}`, 'CONTACT#16505557777')).toBeUndefined();
  });
});
