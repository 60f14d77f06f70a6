import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import type { CrmLookupResult } from '#lambdas/contacts/contact-ports';
import { deliveriesPrefix, deliverySk, INTEGRATION_SK_PREFIX, integrationSk, integrationsPk, lookupSk } from '#lambdas/integrations/integration-keys';
import type { DeliveryStatus, Integration, IntegrationEvent } from '#lambdas/integrations/integration-model';

/** Where the integration's AWS resources stand (provision-integration.ts). */
export interface ProvisioningState {
  /** `provisioned`: connection, destinations and rules in place; `removed`: none (disabled); `failed`: the last attempt stopped half-way. */
  state: 'provisioned' | 'removed' | 'failed';
  at: string;
  /** The AWS error name of a failed attempt (never its message: it may echo the URL or credentials). */
  error?: string;
}

/** An integration as stored: the config, the resources made for it, and who changed it. */
export interface IntegrationRecord extends Integration {
  provisioning?: ProvisioningState;
  createdBy?: string;
  updatedBy?: string;
  /** A deleted integration is kept as a tombstone (it expires) so a repeated DELETE is answered the same. */
  deletedAt?: string;
  deletedBy?: string;
}

export interface DeliveryError {
  /** EventBridge's ERROR_CODE (e.g. `SDK_CLIENT_ERROR`, `CONNECTION_FAILURE`), or ours for a test call. */
  code?: string;
  /** EventBridge's ERROR_MESSAGE, cut to 300 characters. */
  message?: string;
  ruleArn?: string;
  targetArn?: string;
  retryAttempts?: number;
  exhaustedRetryCondition?: string;
}

/** One delivery of one event to one integration, or one test call. */
export interface IntegrationDelivery {
  businessId: string;
  integrationId: string;
  deliveryId: string;
  eventType: IntegrationEvent | 'integration.test';
  status: DeliveryStatus;
  /** The time of the event the delivery carries (a test call: when it was made). */
  at: string;
  destination?: string;
  method?: string;
  /** The request path below the base URL (ids only: bodies are never kept here). */
  path?: string;
  idempotencyKey?: string;
  requestedAt?: string;
  /** When its `integration.delivery_requested` event was accepted by the bus. */
  publishedAt?: string;
  deadLetteredAt?: string;
  redrivenAt?: string;
  redrives?: number;
  /** Test calls: the endpoint's answer and how long it took. */
  httpStatus?: number;
  durationMs?: number;
  error?: DeliveryError;
}

export type RecordRequestedOutcome = 'recorded' | 'known_unpublished' | 'known_published';

export interface CachedLookup {
  /** `undefined`: the last lookup found nothing (a negative result). */
  result?: CrmLookupResult;
  outcome: 'found' | 'not_found' | 'failed';
}

export type SaveResult = { ok: true; value: IntegrationRecord } | { ok: false; refusal: 'not_found' | 'changed_meanwhile'; currentVersion?: number };

export interface IntegrationStore {
  createIntegration(record: IntegrationRecord): Promise<IntegrationRecord>;
  getIntegration(businessId: string, integrationId: string, options?: { includeDeleted?: boolean }): Promise<IntegrationRecord | undefined>;
  /** The business's integrations (deleted ones left out), in id order. */
  listIntegrations(businessId: string): Promise<IntegrationRecord[]>;
  /** Writes `record` as the next version when the stored one is still `expectedVersion`. */
  saveIntegration(record: IntegrationRecord, expectedVersion: number): Promise<SaveResult>;
  /** Marks it deleted (disabled, tombstone expiring after the delivery retention). */
  markDeleted(businessId: string, integrationId: string, expectedVersion: number, by: string, at: string): Promise<SaveResult>;

  /** The first record of a delivery wins; a redelivered event finds it and learns whether it was published. */
  recordRequested(delivery: IntegrationDelivery): Promise<RecordRequestedOutcome>;
  markPublished(delivery: Pick<IntegrationDelivery, 'businessId' | 'integrationId' | 'at' | 'deliveryId'>, publishedAt: string): Promise<void>;
  /** EventBridge gave up: the delivery's item says so (written even if the requested item expired). */
  recordDeadLettered(delivery: Omit<IntegrationDelivery, 'status'> & { deadLetteredAt: string }): Promise<void>;
  /** A dead letter was sent to the bus again (`npm run redrive`). */
  recordRedriven(delivery: Pick<IntegrationDelivery, 'businessId' | 'integrationId' | 'at' | 'deliveryId'>, redrivenAt: string): Promise<void>;
  recordTest(delivery: IntegrationDelivery): Promise<void>;
  /** The newest deliveries of one integration first (by event time), at most `limit` (≤ 100). */
  listDeliveries(businessId: string, integrationId: string, limit: number): Promise<IntegrationDelivery[]>;

  getLookup(businessId: string, integrationId: string, identityHash: string): Promise<CachedLookup | undefined>;
  putLookup(businessId: string, integrationId: string, identityHash: string, value: CachedLookup, ttlSeconds: number): Promise<void>;
}

export interface IntegrationStoreDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  nowMs?: () => number;
}

export const DELIVERY_RETENTION_DAYS = 30;
export const MAX_DELIVERIES_LISTED = 100;
/** Pages read at most when listing a business's integrations (they are few: the admin API caps them). */
const MAX_LIST_PAGES = 5;

const ENTITY = { integration: 'Integration', delivery: 'IntegrationDelivery', lookup: 'IntegrationLookup' } as const;
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'entity', 'expiresAt']);
/** Written by recordDeadLettered itself, never copied from the letter. */
const RESERVED_DELIVERY_FIELDS = new Set([...KEY_ATTRIBUTES, 'status', 'at', 'businessId', 'integrationId', 'deliveryId', 'deadLetteredAt', 'error']);

/**
 * Integrations, their delivery log and lookup cache in the single table (integration-keys.ts).
 * Saves are versioned: every write of a config checks the version it read, so two admins saving
 * at once cannot lose one another's change silently.
 */
export function dynamoIntegrationStore(deps: IntegrationStoreDeps): IntegrationStore {
  const nowMs = deps.nowMs ?? Date.now;
  const ttlAfter = (days: number) => Math.floor(nowMs() / 1000) + days * 86_400;
  const deliveryKey = (d: Pick<IntegrationDelivery, 'businessId' | 'integrationId' | 'at' | 'deliveryId'>) => ({
    pk: integrationsPk(d.businessId),
    sk: deliverySk(d.integrationId, d.at, d.deliveryId),
  });

  async function currentVersion(businessId: string, integrationId: string): Promise<number | undefined> {
    const out = await deps.db.send(
      new GetCommand({
        TableName: deps.tableName,
        Key: { pk: integrationsPk(businessId), sk: integrationSk(integrationId) },
        ProjectionExpression: 'version, deletedAt',
        ConsistentRead: true,
      }),
    );
    if (!out.Item || out.Item.deletedAt !== undefined) return undefined;
    return Number(out.Item.version);
  }

  return {
    async createIntegration(record) {
      await deps.db.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: integrationItem(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return record;
    },

    async getIntegration(businessId, integrationId, options = {}) {
      const out = await deps.db.send(
        new GetCommand({ TableName: deps.tableName, Key: { pk: integrationsPk(businessId), sk: integrationSk(integrationId) }, ConsistentRead: true }),
      );
      if (!out.Item || out.Item.entity !== ENTITY.integration) return undefined;
      const record = recordOf(out.Item);
      return record.deletedAt !== undefined && !options.includeDeleted ? undefined : record;
    },

    async listIntegrations(businessId) {
      const found: IntegrationRecord[] = [];
      let startKey: Record<string, unknown> | undefined;
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const out = await deps.db.send(
          new QueryCommand({
            TableName: deps.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': integrationsPk(businessId), ':prefix': INTEGRATION_SK_PREFIX },
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of out.Items ?? []) {
          if (item.entity !== ENTITY.integration) continue;
          const record = recordOf(item);
          if (record.deletedAt === undefined) found.push(record);
        }
        startKey = out.LastEvaluatedKey;
        if (!startKey) break;
      }
      return found;
    },

    async saveIntegration(record, expectedVersion) {
      const next: IntegrationRecord = { ...record, version: expectedVersion + 1 };
      try {
        await deps.db.send(
          new PutCommand({
            TableName: deps.tableName,
            Item: integrationItem(next),
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt) AND version = :expected',
            ExpressionAttributeValues: { ':expected': expectedVersion },
          }),
        );
        return { ok: true, value: next };
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        const current = await currentVersion(record.businessId, record.integrationId);
        return current === undefined ? { ok: false, refusal: 'not_found' } : { ok: false, refusal: 'changed_meanwhile', currentVersion: current };
      }
    },

    async markDeleted(businessId, integrationId, expectedVersion, by, at) {
      try {
        const out = await deps.db.send(
          new UpdateCommand({
            TableName: deps.tableName,
            Key: { pk: integrationsPk(businessId), sk: integrationSk(integrationId) },
            UpdateExpression: 'SET deletedAt = :at, deletedBy = :by, enabled = :no, updatedAt = :at, expiresAt = :ttl ADD version :one',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt) AND version = :expected',
            ExpressionAttributeValues: {
              ':at': at,
              ':by': by,
              ':no': false,
              ':ttl': ttlAfter(DELIVERY_RETENTION_DAYS),
              ':one': 1,
              ':expected': expectedVersion,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { ok: true, value: recordOf(out.Attributes ?? {}) };
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        const current = await currentVersion(businessId, integrationId);
        return current === undefined ? { ok: false, refusal: 'not_found' } : { ok: false, refusal: 'changed_meanwhile', currentVersion: current };
      }
    },

    async recordRequested(delivery) {
      try {
        await deps.db.send(
          new PutCommand({
            TableName: deps.tableName,
            Item: { ...deliveryKey(delivery), entity: ENTITY.delivery, ...delivery, expiresAt: ttlAfter(DELIVERY_RETENTION_DAYS) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return 'recorded';
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
      const out = await deps.db.send(
        new GetCommand({ TableName: deps.tableName, Key: deliveryKey(delivery), ProjectionExpression: 'publishedAt', ConsistentRead: true }),
      );
      return out.Item?.publishedAt !== undefined ? 'known_published' : 'known_unpublished';
    },

    async markPublished(delivery, publishedAt) {
      await deps.db
        .send(
          new UpdateCommand({
            TableName: deps.tableName,
            Key: deliveryKey(delivery),
            UpdateExpression: 'SET publishedAt = if_not_exists(publishedAt, :at)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':at': publishedAt },
          }),
        )
        .catch((err: unknown) => {
          // Expired meanwhile (30 days): nothing left to mark.
          if (!isConditionalCheckFailed(err)) throw err;
        });
    },

    async recordDeadLettered(delivery) {
      const { businessId: _b, integrationId: _i, at: _a, deliveryId: _d, deadLetteredAt, error, ...known } = delivery;
      const names: Record<string, string> = { '#status': 'status' };
      const values: Record<string, unknown> = {
        ':status': 'dead_lettered',
        ':deadAt': deadLetteredAt,
        ':entity': ENTITY.delivery,
        ':ttl': ttlAfter(DELIVERY_RETENTION_DAYS),
        ':businessId': delivery.businessId,
        ':integrationId': delivery.integrationId,
        ':deliveryId': delivery.deliveryId,
        ':at': delivery.at,
      };
      const sets = [
        '#status = :status',
        'deadLetteredAt = :deadAt',
        'entity = :entity',
        'expiresAt = if_not_exists(expiresAt, :ttl)',
        'businessId = :businessId',
        'integrationId = :integrationId',
        'deliveryId = :deliveryId',
        '#at = if_not_exists(#at, :at)',
      ];
      names['#at'] = 'at';
      if (error) {
        sets.push('#error = :error');
        names['#error'] = 'error';
        values[':error'] = error;
      }
      // What the dead letter tells of the request fills what an expired (or never written) item lacks.
      for (const [field, value] of Object.entries(known)) {
        if (value === undefined || RESERVED_DELIVERY_FIELDS.has(field) || !/^[A-Za-z]{1,40}$/.test(field)) continue;
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        sets.push(`#${field} = if_not_exists(#${field}, :${field})`);
      }
      await deps.db.send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: deliveryKey(delivery),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    },

    async recordRedriven(delivery, redrivenAt) {
      await deps.db
        .send(
          new UpdateCommand({
            TableName: deps.tableName,
            Key: deliveryKey(delivery),
            UpdateExpression: 'SET #status = :requested, redrivenAt = :at ADD redrives :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':requested': 'requested', ':at': redrivenAt, ':one': 1 },
          }),
        )
        .catch((err: unknown) => {
          if (!isConditionalCheckFailed(err)) throw err;
        });
    },

    async recordTest(delivery) {
      await deps.db.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: { ...deliveryKey(delivery), entity: ENTITY.delivery, ...delivery, expiresAt: ttlAfter(DELIVERY_RETENTION_DAYS) },
        }),
      );
    },

    async listDeliveries(businessId, integrationId, limit) {
      const out = await deps.db.send(
        new QueryCommand({
          TableName: deps.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': integrationsPk(businessId), ':prefix': deliveriesPrefix(integrationId) },
          ScanIndexForward: false,
          Limit: Math.max(1, Math.min(MAX_DELIVERIES_LISTED, Math.floor(limit))),
        }),
      );
      return (out.Items ?? []).filter((i) => i.entity === ENTITY.delivery).map((i) => withoutKeys(i) as unknown as IntegrationDelivery);
    },

    async getLookup(businessId, integrationId, identityHash) {
      const out = await deps.db.send(
        new GetCommand({ TableName: deps.tableName, Key: { pk: integrationsPk(businessId), sk: lookupSk(integrationId, identityHash) } }),
      );
      const item = out.Item;
      // TTL deletes lazily (up to days later): an item past its time is a miss.
      if (!item || item.entity !== ENTITY.lookup || typeof item.validUntil !== 'number' || item.validUntil * 1000 <= nowMs()) return undefined;
      return { outcome: item.outcome as CachedLookup['outcome'], ...(item.result ? { result: item.result as CrmLookupResult } : {}) };
    },

    async putLookup(businessId, integrationId, identityHash, value, ttlSeconds) {
      const validUntil = Math.floor(nowMs() / 1000) + Math.max(1, Math.floor(ttlSeconds));
      await deps.db.send(
        new PutCommand({
          TableName: deps.tableName,
          Item: {
            pk: integrationsPk(businessId),
            sk: lookupSk(integrationId, identityHash),
            entity: ENTITY.lookup,
            businessId,
            integrationId,
            outcome: value.outcome,
            ...(value.result ? { result: value.result } : {}),
            validUntil,
            expiresAt: validUntil,
          },
        }),
      );
    },
  };
}

function integrationItem(record: IntegrationRecord): Record<string, unknown> {
  return {
    pk: integrationsPk(record.businessId),
    sk: integrationSk(record.integrationId),
    entity: ENTITY.integration,
    ...record,
  };
}

function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.has(k)));
}

function recordOf(item: Record<string, unknown>): IntegrationRecord {
  return withoutKeys(item) as unknown as IntegrationRecord;
}
