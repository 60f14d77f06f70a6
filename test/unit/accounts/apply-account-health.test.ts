import { describe, expect, it } from 'vitest';
import { applyAccountHealth } from '#lambdas/accounts/apply-account-health';
import type { ChannelAccount } from '#lambdas/accounts/channel-account';
import { fakeAccountHealthStore } from '#test/helpers/fakes/account-health-store-fake';

const WABA = '2100';
const AT = '2026-11-21T12:00:00.000Z';
const number = (accountId: string, status: ChannelAccount['status'], displayPhoneNumber: string): ChannelAccount => ({
  accountId,
  channel: 'whatsapp',
  businessId: 'acme',
  wabaId: WABA,
  status,
  displayPhoneNumber,
  createdAt: AT,
  updatedAt: AT,
});
const waba = { wabaId: WABA, businessId: 'acme', status: 'active' as const, createdAt: AT, updatedAt: AT };

describe('account health', () => {
  it('finds the number by its display phone number under the WABA and keeps the quality change, newest only', async () => {
    const { store, items } = fakeAccountHealthStore({
      accounts: [number('1100', 'active', '+1 555-000-1111'), number('1101', 'active', '15550002222')],
      wabas: [waba],
      notes: {
        [`${WABA}/e2`]: {
          occurredAt: '2026-11-21T12:05:00.000Z',
          accountId: WABA,
          businessAccountId: WABA,
          detail_display_phone_number: '15550001111',
          detail_event: 'FLAGGED',
        },
        [`${WABA}/e1`]: {
          occurredAt: '2026-11-21T12:01:00.000Z',
          accountId: WABA,
          businessAccountId: WABA,
          detail_display_phone_number: '15550001111',
          detail_event: 'UNFLAGGED',
        },
      },
    });
    const topic = 'whatsapp.phone_number_quality_update';
    expect(await applyAccountHealth({ accountId: WABA, eventId: 'e2', topic }, { registry: store })).toEqual({ outcome: 'applied', targets: ['ACCT#1100'] });
    expect(await applyAccountHealth({ accountId: WABA, eventId: 'e1', topic }, { registry: store })).toEqual({ outcome: 'stale' });
    expect(items.get('ACCT#1100|ACCOUNT')).toMatchObject({ qualityEvent: 'FLAGGED', qualityFlagged: true, healthUpdatedAt: '2026-11-21T12:05:00.000Z' });
    expect(items.get('ACCT#1101|ACCOUNT')).not.toHaveProperty('qualityEvent');
  });

  it('moves the WABA to restricted on a restriction, but not a number the platform team offboarded', async () => {
    const { store, writes } = fakeAccountHealthStore({
      accounts: [{ ...number(WABA, 'offboarded', '1'), wabaId: undefined }],
      wabas: [waba],
      notes: { [`${WABA}/e1`]: { occurredAt: AT, detail_event: 'ACCOUNT_RESTRICTION', detail_restriction_types: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION' } },
    });
    expect(await applyAccountHealth({ accountId: WABA, eventId: 'e1', topic: 'whatsapp.account_update' }, { registry: store })).toEqual({
      outcome: 'applied',
      targets: [`WABA#${WABA}`, `ACCT#${WABA}`],
    });
    expect(writes).toEqual([`standingVersion WABA#${WABA}`, `status WABA#${WABA} restricted`, `standingVersion ACCT#${WABA}`]);
  });

  it('says why nothing was applied: no account, not health, or no notification', async () => {
    const { store, writes } = fakeAccountHealthStore({
      wabas: [waba],
      notes: {
        [`${WABA}/e1`]: { occurredAt: AT, detail_display_phone_number: '15559999999', detail_event: 'DOWNGRADE' },
        [`${WABA}/e2`]: { occurredAt: AT, detail_event: 'PARTNER_ADDED' },
      },
    });
    expect(await applyAccountHealth({ accountId: WABA, eventId: 'e1', topic: 'whatsapp.phone_number_quality_update' }, { registry: store })).toEqual({
      outcome: 'no_account',
    });
    expect(await applyAccountHealth({ accountId: WABA, eventId: 'e2', topic: 'whatsapp.account_update' }, { registry: store })).toEqual({
      outcome: 'not_health',
    });
    expect(await applyAccountHealth({ accountId: WABA, eventId: 'e3', topic: 'whatsapp.account_update' }, { registry: store })).toMatchObject({
      outcome: 'invalid',
    });
    expect(await applyAccountHealth({ accountId: WABA, eventId: 'e1', topic: 'whatsapp.messages' }, { registry: store })).toMatchObject({ outcome: 'invalid' });
    expect(writes).toEqual([]);
  });
});
