import { TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { businessAccountGsiSk, businessAccountKey, businessGsiPk, channelAccountGsiSk, channelAccountKey } from '#lambdas/accounts/channel-account';
import { OnboardingConflictError } from '#lambdas/onboarding/onboarding-failure';

/**
 * The registry claims of onboarding: the items of the accounts a business proved it may onboard
 * become that business's, in one transaction whose every write is conditional on the item being
 * absent or already the business's (`attribute_not_exists(pk) OR businessId = :mine`). A claim
 * never reads first: two businesses racing for the same account cannot both win, and a refused
 * claim changes nothing. Only after the claim succeeds does onboarding write the token secret.
 */

const OWNED_BY_NOBODY_OR_ME = 'attribute_not_exists(pk) OR businessId = :mine';

/** Claims a WhatsApp number and its WABA for a business; a new number waits in `onboarding`. */
export async function claimWhatsAppNumber(
  db: DynamoDBDocumentClient,
  tableName: string,
  claim: { businessId: string; wabaId: string; phoneNumberId: string; coexistence: boolean },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await transact(
    db,
    [
      {
        Update: {
          TableName: tableName,
          Key: businessAccountKey(claim.wabaId),
          UpdateExpression:
            'SET entity = :entity, wabaId = :wabaId, businessId = :mine, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, ' +
            '#status = if_not_exists(#status, :onboarding), createdAt = if_not_exists(createdAt, :at), updatedAt = :at',
          ConditionExpression: OWNED_BY_NOBODY_OR_ME,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':entity': 'BusinessAccount',
            ':wabaId': claim.wabaId,
            ':mine': claim.businessId,
            ':gsi1pk': businessGsiPk(claim.businessId),
            ':gsi1sk': businessAccountGsiSk(claim.wabaId),
            ':onboarding': 'onboarding',
            ':at': at,
          },
        },
      },
      channelAccountClaim(
        tableName,
        { accountId: claim.phoneNumberId, channel: 'whatsapp', businessId: claim.businessId, extra: { wabaId: claim.wabaId, coexistence: claim.coexistence } },
        at,
      ),
    ],
    [`WhatsApp Business Account ${claim.wabaId} belongs to another business`, `number ${claim.phoneNumberId} belongs to another business`],
  );
  await markOnboardingUnlessActive(db, tableName, claim.phoneNumberId, claim.businessId, at);
}

/**
 * Claims an Instagram account for a business, refusing when its Page is registered (as a Messenger
 * account) to another business.
 */
export async function claimInstagramAccount(
  db: DynamoDBDocumentClient,
  tableName: string,
  claim: { businessId: string; pageId: string; instagramAccountId: string },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await transact(
    db,
    [
      {
        ConditionCheck: {
          TableName: tableName,
          Key: channelAccountKey(claim.pageId),
          ConditionExpression: OWNED_BY_NOBODY_OR_ME,
          ExpressionAttributeValues: { ':mine': claim.businessId },
        },
      },
      channelAccountClaim(tableName, { accountId: claim.instagramAccountId, channel: 'instagram', businessId: claim.businessId, extra: {} }, at),
    ],
    [`Page ${claim.pageId} belongs to another business`, `Instagram account ${claim.instagramAccountId} belongs to another business`],
  );
  await markOnboardingUnlessActive(db, tableName, claim.instagramAccountId, claim.businessId, at);
}

/**
 * Claims an Instagram account onboarded through Instagram Login (no Page): its registry item only,
 * refused when another business holds it, whichever API that business connected it through.
 */
export async function claimInstagramLoginAccount(
  db: DynamoDBDocumentClient,
  tableName: string,
  claim: { businessId: string; instagramAccountId: string },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await transact(
    db,
    [channelAccountClaim(tableName, { accountId: claim.instagramAccountId, channel: 'instagram', businessId: claim.businessId, extra: {} }, at)],
    [`Instagram account ${claim.instagramAccountId} belongs to another business`],
  );
  await markOnboardingUnlessActive(db, tableName, claim.instagramAccountId, claim.businessId, at);
}

function channelAccountClaim(
  tableName: string,
  account: { accountId: string; channel: 'whatsapp' | 'instagram'; businessId: string; extra: Record<string, string | boolean> },
  at: string,
) {
  const extra = Object.entries(account.extra);
  return {
    Update: {
      TableName: tableName,
      Key: channelAccountKey(account.accountId),
      UpdateExpression:
        'SET entity = :entity, accountId = :accountId, channel = :channel, businessId = :mine, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, ' +
        extra.map((_, i) => `#x${i} = :x${i}, `).join('') +
        '#status = if_not_exists(#status, :onboarding), createdAt = if_not_exists(createdAt, :at), updatedAt = :at',
      ConditionExpression: OWNED_BY_NOBODY_OR_ME,
      ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(extra.map(([k], i) => [`#x${i}`, k])) },
      ExpressionAttributeValues: {
        ':entity': 'ChannelAccount',
        ':accountId': account.accountId,
        ':channel': account.channel,
        ':mine': account.businessId,
        ':gsi1pk': businessGsiPk(account.businessId),
        ':gsi1sk': channelAccountGsiSk(account.channel, account.accountId),
        ':onboarding': 'onboarding',
        ':at': at,
        ...Object.fromEntries(extra.map(([, v], i) => [`:x${i}`, v])),
      },
    },
  };
}

/**
 * An account the business had before that is not serving (offboarded, waiting for a new token,
 * restricted) is `onboarding` until activation; an active one keeps serving while its token is renewed.
 */
async function markOnboardingUnlessActive(db: DynamoDBDocumentClient, tableName: string, accountId: string, businessId: string, at: string): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: channelAccountKey(accountId),
        UpdateExpression: 'SET #status = :onboarding, updatedAt = :at',
        ConditionExpression: 'businessId = :mine AND #status <> :active AND #status <> :onboarding',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':mine': businessId, ':active': 'active', ':onboarding': 'onboarding', ':at': at },
      }),
    );
  } catch (err) {
    if (!isConditionalFailure(err)) throw err;
  }
}

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** Runs the claim; a refused condition is the other business's ownership, named by item. */
async function transact(db: DynamoDBDocumentClient, items: TransactItems, refusals: readonly string[]): Promise<void> {
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (err) {
    const reasons = (err as { name?: string; CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
    if ((err as { name?: string }).name !== 'TransactionCanceledException') throw err;
    const refused = (reasons ?? []).map((r, i) => (r?.Code === 'ConditionalCheckFailed' ? refusals[i] : undefined)).filter((m): m is string => m !== undefined);
    if (refused.length > 0) throw new OnboardingConflictError(refused.join('; '));
    if (!reasons && /ConditionalCheckFailed/.test((err as Error).message ?? '')) throw new OnboardingConflictError(refusals.join(' or '));
    // Cancelled for another reason (a concurrent transaction on the same items): let the run fail and be re-run.
    throw err;
  }
}

function isConditionalFailure(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}
