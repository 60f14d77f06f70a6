import { beforeAll, describe, expect, it } from 'vitest';
import { resourceOfType, synthesizeStack, type SynthesizedStack } from '#test/infra/synthesize';
import { TABLE_PROPERTIES } from '#test/helpers/table-definition';

describe('operational table', () => {
  let dev: SynthesizedStack;
  let prod: SynthesizedStack;
  beforeAll(() => {
    dev = synthesizeStack({ stage: 'dev', nag: false });
    prod = synthesizeStack({ stage: 'prod', nag: false });
  });

  it('has string keys pk/sk, on-demand billing, PITR, TTL on expiresAt and AWS-managed encryption', () => {
    dev.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    const table = resourceOfType(dev.json, 'Table', 'AWS::DynamoDB::Table');
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(table.Properties?.['AttributeDefinitions']).toEqual(
      expect.arrayContaining([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'lsi1sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ]),
    );
  });

  it("orders a conversation's messages by time through the byTime local index", () => {
    const table = resourceOfType(dev.json, 'Table', 'AWS::DynamoDB::Table');
    expect(table.Properties?.['LocalSecondaryIndexes']).toEqual([
      {
        IndexName: 'byTime',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'lsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['direction', 'origin'] },
      },
    ]);
  });

  it('finds conversations by account and state through gsi1, waiting ones by queue through gsi2, contacts by name or phone through gsi3', () => {
    const table = resourceOfType(dev.json, 'Table', 'AWS::DynamoDB::Table');
    expect(table.Properties?.['GlobalSecondaryIndexes']).toEqual(TABLE_PROPERTIES.GlobalSecondaryIndexes);
    expect(table.Properties?.['GlobalSecondaryIndexes']).toEqual([
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'gsi2',
        KeySchema: [
          { AttributeName: 'gsi2pk', KeyType: 'HASH' },
          { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'gsi3',
        KeySchema: [
          { AttributeName: 'gsi3pk', KeyType: 'HASH' },
          { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['contactId'] },
      },
    ]);
  });

  it('may be deleted with a dev stack', () => {
    const table = resourceOfType(dev.json, 'Table', 'AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties?.['DeletionProtectionEnabled']).toBe(false);
  });

  it('is retained and deletion-protected in a long-lived stage', () => {
    const table = resourceOfType(prod.json, 'Table', 'AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties?.['DeletionProtectionEnabled']).toBe(true);
    for (const secretId of ['MetaAppSecret', 'MetaAccessTokens', 'AnthropicApiKey']) {
      expect(resourceOfType(prod.json, secretId, 'AWS::SecretsManager::Secret').DeletionPolicy).toBe('Retain');
    }
  });
});
