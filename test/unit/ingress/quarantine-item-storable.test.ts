import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { QuarantineEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';

const quarantine: QuarantineEvent = {
  kind: 'quarantine',
  channel: 'whatsapp',
  conversationKey: 'wa:100:5511999',
  eventId: 'wa:msg:wamid.Q1',
  occurredAt: '2026-11-21T12:00:00.000Z',
  reason: 'schema:whatsapp.message',
  detail: 'value.messages.0.id: invalid_type',
};

/** A table that answers each put with the next outcome: an error name to throw, or 'ok'. */
function table(outcomes: string[]) {
  const items: Array<Record<string, unknown>> = [];
  const db = {
    send: async (command: { input: { Item: Record<string, unknown> } }) => {
      items.push(command.input.Item);
      const next = outcomes.shift() ?? 'ok';
      if (next !== 'ok') throw Object.assign(new Error(next), { name: next });
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { items, deps: { ...dynamoConversationStores(db, 't'), retentionDays: 30 } };
}

const ctx = { receivedAt: '2026-11-21T12:00:00.000Z', rawPayload: { field: 'messages' }, claimCheck: { bucket: 'claims', key: 'claims/k.json' } };

describe('quarantine items are always storable', () => {
  it('stores a bare item, keeping identity and claim check, when the table refuses the full one for its content', async () => {
    const { items, deps } = table(['ValidationException', 'ok']);
    expect(await recordNormalizedEvent(quarantine, ctx, deps)).toBe('stored');
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ rawPayload: '{"field":"messages"}', detail: quarantine.detail });
    expect(items[1]).toMatchObject({
      pk: 'QUARANTINE#wa:msg:wamid.Q1',
      reason: 'schema:whatsapp.message',
      rawPayload: '',
      rawTruncated: true,
      rawOmitted: 'store_rejected',
      claimCheckKey: 'claims/k.json',
    });
    expect(items[1]).not.toHaveProperty('detail');
  });

  it('retries nothing itself for a transient failure: the record is retried through the queue', async () => {
    const { items, deps } = table(['ProvisionedThroughputExceededException']);
    await expect(recordNormalizedEvent(quarantine, ctx, deps)).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(items).toHaveLength(1);
  });

  it('is a duplicate when the quarantine is already there', async () => {
    const { deps } = table(['ConditionalCheckFailedException']);
    expect(await recordNormalizedEvent(quarantine, ctx, deps)).toBe('duplicate');
  });
});
