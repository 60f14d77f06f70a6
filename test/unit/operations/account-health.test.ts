import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accountHealthSignal } from '#lambdas/channels/whatsapp/account-health';
import type { NormalizedEvent } from '#lambdas/conversation/model';
import { normalizeIngressEvent } from '#lambdas/ingress/normalize-ingress-event';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { ACCOUNT_HEALTH_METRIC, METRIC } from '#lambdas/shared/metric-names';

const CONFORMANCE = new URL('../../../../shared/conformance/whatsapp/', import.meta.url);

/** The real path a webhook body takes to the normalizer's domain code. */
function signalsOf(body: string): Array<ReturnType<typeof accountHealthSignal>> {
  return splitWebhookBody(body, { receivedAt: '2026-11-21T12:00:00.000Z' }).map((e) => accountHealthSignal(normalizeIngressEvent(e)));
}

const fixture = (name: string) => readFileSync(new URL(name, CONFORMANCE), 'utf8');

function change(field: string, value: object): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', time: 1763730000, changes: [{ field, value }] }] });
}

describe('account health signals from real WhatsApp payloads', () => {
  it('a quality flag, a restriction, a violation and a (scheduled) disabling each raise their signal', () => {
    expect(signalsOf(fixture('bindambc-phone-number-quality-update.json'))).toEqual(['quality_flagged']);
    expect(signalsOf(fixture('bindambc-account-update-restriction.json'))).toEqual(['restricted']);
    expect(signalsOf(fixture('pywa-account-update-violation.json'))).toEqual(['restricted']);
    expect(signalsOf(fixture('bindambc-account-update-disabled.json'))).toEqual(['disabled']);
  });

  it('a downgrade raises quality_downgraded; a reinstatement, an upgrade and routine account news raise nothing', () => {
    expect(signalsOf(change('phone_number_quality_update', { display_phone_number: '15550001111', event: 'DOWNGRADE', current_limit: 'TIER_1K' }))).toEqual([
      'quality_downgraded',
    ]);
    expect(signalsOf(change('account_update', { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'REINSTATE', waba_ban_date: 'x' } }))).toEqual([
      undefined,
    ]);
    expect(signalsOf(change('phone_number_quality_update', { display_phone_number: '15550001111', event: 'UPGRADE', current_limit: 'TIER_10K' }))).toEqual([
      undefined,
    ]);
    expect(signalsOf(fixture('metadoc-phone-number-quality-update-throughput.json'))).toEqual([undefined]);
    expect(signalsOf(fixture('bindambc-account-update-verified.json'))).toEqual([undefined]);
  });

  it('other topics with the same event names raise nothing', () => {
    const other: NormalizedEvent = {
      kind: 'notification',
      channel: 'whatsapp',
      conversationKey: 'wa:1:_account',
      eventId: 'e1',
      occurredAt: '2026-11-21T12:00:00.000Z',
      topic: 'whatsapp.message_template_status_update',
      details: { event: 'DISABLED_UPDATE' },
    } as unknown as NormalizedEvent;
    expect(accountHealthSignal(other)).toBeUndefined();
  });

  it('each signal is counted in its own alarmed metric', () => {
    expect(ACCOUNT_HEALTH_METRIC).toEqual({
      quality_downgraded: METRIC.accountQualityDowngraded,
      quality_flagged: METRIC.accountQualityFlagged,
      restricted: METRIC.accountRestricted,
      disabled: METRIC.accountDisabled,
    });
  });
});
