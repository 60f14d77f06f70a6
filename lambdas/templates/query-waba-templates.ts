import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { wabaPk } from '#lambdas/accounts/channel-account';
import { TEMPLATE_SK_PREFIX } from '#lambdas/templates/template-item';

/**
 * Every Template item of a WABA (one partition, sort keys `TEMPLATE#…`), page by page, with only
 * the attributes asked for. A WABA holds at most a few thousand templates, so reading its
 * partition is the cheap way to list them or find one by Meta's id.
 */
export async function* queryWabaTemplates(
  deps: { db: DynamoDBDocumentClient; tableName: string },
  wabaId: string,
  attributes: readonly string[],
  skPrefix: string = TEMPLATE_SK_PREFIX,
): AsyncGenerator<Record<string, unknown>> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': wabaPk(wabaId), ':prefix': skPrefix },
        ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
