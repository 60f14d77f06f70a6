import { describe, expect, it } from 'vitest';
import { answersCustomers, CHANNEL_MISMATCH_REASON, gateByAccount } from '#lambdas/accounts/account-gate';
import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { AccountStatus } from '#lambdas/accounts/channel-account';
import type { NormalizedEvent } from '#lambdas/conversation/model';

type Channel = 'whatsapp' | 'instagram' | 'messenger';

function reader(
  accounts: Record<string, AccountStatus>,
  wabas: Record<string, AccountStatus> = {},
  channels: Record<string, Channel> = {},
): AccountReader & { reads: string[] } {
  const reads: string[] = [];
  const stamp = { createdAt: 'x', updatedAt: 'x', businessId: 'b' };
  return {
    reads,
    account: async (id) => {
      reads.push(`ACCT#${id}`);
      return accounts[id] ? { ...stamp, accountId: id, channel: channels[id] ?? 'whatsapp', status: accounts[id]! } : undefined;
    },
    waba: async (id) => {
      reads.push(`WABA#${id}`);
      return wabas[id] ? { ...stamp, wabaId: id, status: wabas[id]! } : undefined;
    },
  };
}

const base = { conversationKey: 'wa:1:2', occurredAt: '2026-11-21T12:00:00.000Z', eventId: 'e1' };
const message = (accountId: string, channel: Channel = 'whatsapp'): NormalizedEvent => ({
  ...base,
  kind: 'message',
  channel,
  accountId,
  businessAccountId: channel === 'whatsapp' ? 'waba-1' : accountId,
  direction: 'inbound',
  origin: 'customer',
  providerMessageId: 'm1',
  customer: { id: '2' },
  type: 'text',
});
const accountUpdate = (wabaId: string): NormalizedEvent => ({
  ...base,
  kind: 'notification',
  channel: 'whatsapp',
  accountId: wabaId,
  businessAccountId: wabaId,
  topic: 'whatsapp.account_update',
  details: { event: 'ACCOUNT_VIOLATION' },
});

describe('gateByAccount', () => {
  it('admits registered accounts whatever their standing, and says whether they answer', async () => {
    for (const status of ['active', 'restricted', 'disabled', 'needs_reauthorisation', 'onboarding'] as const) {
      expect(await gateByAccount(message('1'), reader({ '1': status }))).toEqual({ verdict: 'admitted', status, level: 'account' });
    }
    expect(answersCustomers('onboarding')).toBe(false);
    expect(answersCustomers('active')).toBe(true);
    expect(answersCustomers('restricted')).toBe(true);
  });

  it('quarantines unknown and offboarded accounts as unknown_account, keeping the event identity', async () => {
    for (const accounts of [{}, { '1': 'offboarded' }] as Array<Record<string, AccountStatus>>) {
      const verdict = await gateByAccount(message('1'), reader(accounts));
      expect(verdict).toEqual({
        verdict: 'quarantined',
        quarantine: {
          kind: 'quarantine',
          channel: 'whatsapp',
          conversationKey: 'wa:1:2',
          eventId: 'e1',
          occurredAt: base.occurredAt,
          reason: 'unknown_account',
          detail: 'message for whatsapp account 1',
        },
      });
    }
  });

  it('checks account-level WhatsApp changes against the WABA, never a number', async () => {
    const r = reader({}, { 'waba-1': 'active' });
    expect(await gateByAccount(accountUpdate('waba-1'), r)).toMatchObject({ verdict: 'admitted', level: 'waba' });
    expect(r.reads).toEqual(['WABA#waba-1']);
    expect(await gateByAccount(accountUpdate('waba-2'), reader({}, { 'waba-2': 'offboarded' }))).toMatchObject({ verdict: 'quarantined' });
    // A number-level event under a registered WABA still needs its number registered.
    expect(await gateByAccount(message('9'), reader({}, { 'waba-1': 'active' }))).toMatchObject({ verdict: 'quarantined' });
  });

  it('never reads for an id too long to be a key, and passes quarantines through', async () => {
    const r = reader({});
    expect(await gateByAccount(message('9'.repeat(3000)), r)).toMatchObject({ verdict: 'quarantined' });
    expect(r.reads).toEqual([]);
    const q: NormalizedEvent = {
      kind: 'quarantine',
      channel: 'unknown',
      conversationKey: 'quarantine',
      eventId: 'q',
      occurredAt: base.occurredAt,
      reason: 'invalid_json',
    };
    expect(await gateByAccount(q, r)).toEqual({ verdict: 'not_applicable' });
  });

  it('admits an account only for the channel it was registered for', async () => {
    const r = reader({ '1': 'active', '2': 'active', '3': 'active' }, {}, { '1': 'whatsapp', '2': 'instagram', '3': 'messenger' });
    expect(await gateByAccount(message('1', 'whatsapp'), r)).toMatchObject({ verdict: 'admitted' });
    expect(await gateByAccount(message('2', 'instagram'), r)).toMatchObject({ verdict: 'admitted' });
    expect(await gateByAccount(message('3', 'messenger'), r)).toMatchObject({ verdict: 'admitted' });
    for (const [id, channel] of [
      ['1', 'instagram'],
      ['1', 'messenger'],
      ['2', 'whatsapp'],
      ['2', 'messenger'],
      ['3', 'instagram'],
    ] as const) {
      const verdict = await gateByAccount(message(id, channel), r);
      expect(verdict).toMatchObject({ verdict: 'quarantined', quarantine: { kind: 'quarantine', channel, eventId: 'e1', reason: CHANNEL_MISMATCH_REASON } });
    }
    const mismatch = await gateByAccount(message('1', 'instagram'), r);
    expect(mismatch.verdict === 'quarantined' && mismatch.quarantine.detail).toBe('message on instagram for whatsapp account 1');
  });

  it('quarantines a channel mismatch at any standing, and keeps offboarded accounts unknown', async () => {
    for (const status of ['active', 'onboarding', 'restricted'] as const) {
      expect(await gateByAccount(message('1', 'instagram'), reader({ '1': status }))).toMatchObject({ quarantine: { reason: 'channel_mismatch' } });
    }
    expect(await gateByAccount(message('1', 'instagram'), reader({ '1': 'offboarded' }))).toMatchObject({ quarantine: { reason: 'unknown_account' } });
  });

  it('checks a WhatsApp account-level change against a WABA, and an older WABA-as-account registration only when it is WhatsApp', async () => {
    expect(await gateByAccount(accountUpdate('waba-1'), reader({ 'waba-1': 'active' }, {}, { 'waba-1': 'whatsapp' }))).toMatchObject({
      verdict: 'admitted',
      level: 'account',
    });
    expect(await gateByAccount(accountUpdate('waba-1'), reader({ 'waba-1': 'active' }, {}, { 'waba-1': 'messenger' }))).toMatchObject({
      verdict: 'quarantined',
      quarantine: { reason: 'channel_mismatch' },
    });
  });

  it('carries the raw ids of a bounded event into its quarantine', async () => {
    const event = { ...message('1', 'instagram'), rawIds: { 'customer.id': 'x'.repeat(400) } } as NormalizedEvent;
    const verdict = await gateByAccount(event, reader({ '1': 'active' }));
    expect(verdict).toMatchObject({ verdict: 'quarantined', quarantine: { rawIds: { 'customer.id': 'x'.repeat(400) } } });
  });
});
