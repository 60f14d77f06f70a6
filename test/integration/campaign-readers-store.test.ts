import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamoCampaignMessageReader, dynamoConversationCampaignReader } from '#lambdas/campaigns/campaign-counts-store';
import { CONVERSATION_SK, conversationPk, messageSk } from '#lambdas/conversation/table-keys';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/** The campaign counts' reads on DynamoDB Local: a sent Message item's campaign fields, a conversation's last campaign. */
let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
const KEY = 'wa:100:5511999';

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
});

describe('campaign count readers', () => {
  it('reads a Message item projected to the campaign fields', async () => {
    await table.db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: conversationPk(KEY),
          sk: messageSk('out_c_1'),
          entity: 'Message',
          text: 'not read',
          campaignId: 'c1',
          campaignBusinessId: 'b1',
          campaignSeq: 7,
          status: 'sent',
          campaignCounted: new Set(['sent']),
          sentAt: '2026-11-21T12:00:00.000Z',
          errorCode: 131_049,
        },
      }),
    );
    const reader = dynamoCampaignMessageReader(table.db, tableName);
    expect(await reader.campaignMessage(KEY, 'out_c_1')).toEqual({
      pk: conversationPk(KEY),
      sk: messageSk('out_c_1'),
      campaignId: 'c1',
      campaignBusinessId: 'b1',
      campaignSeq: 7,
      status: 'sent',
      campaignCounted: new Set(['sent']),
      sentAt: '2026-11-21T12:00:00.000Z',
      errorCode: 131_049,
    });
    expect(await reader.campaignMessage(KEY, 'none')).toBeUndefined();
  });

  it('reads only the last campaign and the customer of a conversation', async () => {
    const lastCampaign = { businessId: 'b1', campaignId: 'c1', at: '2026-11-21T12:00:00.000Z' };
    await table.db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: conversationPk(KEY), sk: CONVERSATION_SK, entity: 'Conversation', customerId: '5511999', customerName: 'not read', lastCampaign },
      }),
    );
    const reader = dynamoConversationCampaignReader(table.db, tableName);
    expect(await reader.lastCampaignOf(KEY)).toEqual({ customerId: '5511999', lastCampaign });
    expect(await reader.lastCampaignOf('wa:100:none')).toBeUndefined();
  });
});
