import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';

/** The parts of an `AWS::DynamoDB::Table` resource's Properties that shape the table. */
export interface CfnTableProperties {
  KeySchema: Array<{ AttributeName: string; KeyType: string }>;
  AttributeDefinitions: Array<{ AttributeName: string; AttributeType: string }>;
  LocalSecondaryIndexes?: Array<{
    IndexName: string;
    KeySchema: Array<{ AttributeName: string; KeyType: string }>;
    Projection: { ProjectionType?: string; NonKeyAttributes?: string[] };
  }>;
  GlobalSecondaryIndexes?: Array<{
    IndexName: string;
    KeySchema: Array<{ AttributeName: string; KeyType: string }>;
    Projection: { ProjectionType?: string; NonKeyAttributes?: string[] };
  }>;
  TimeToLiveSpecification?: { AttributeName?: string; Enabled?: boolean };
}

/**
 * Creates a table in DynamoDB Local from the synthesized CloudFormation properties, so the local
 * schema is the deployed schema. Billing, encryption and PITR do not exist locally and are ignored.
 */
export async function createTableFromCfn(client: DynamoDBClient, tableName: string, props: CfnTableProperties): Promise<void> {
  const input: CreateTableCommandInput = {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    ...(props.LocalSecondaryIndexes?.length ? { LocalSecondaryIndexes: props.LocalSecondaryIndexes as CreateTableCommandInput['LocalSecondaryIndexes'] } : {}),
    ...(props.GlobalSecondaryIndexes?.length
      ? { GlobalSecondaryIndexes: props.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'] }
      : {}),
  };
  await client.send(new CreateTableCommand(input));
  const ttl = props.TimeToLiveSpecification;
  if (ttl?.Enabled && ttl.AttributeName) {
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true } }));
  }
}
