import { BatchGetCommand, type BatchGetCommandOutput, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';
import { waitingPk } from '#lambdas/routing/routing-keys';

/**
 * Read-only views of routed conversations for the workspace, the supervisors and the gauges: the
 * Conversation items' routing attributes (routing-model.ts) and the waiting list of a queue (GSI2).
 * The engine's state store writes them; nothing here writes.
 */
export interface ConversationSummary {
  conversationKey: string;
  channel?: string;
  accountId?: string;
  customerName?: string;
  language?: string;
  routingStatus?: string;
  queueId?: string;
  priority?: number;
  tags: string[];
  waitingSince?: string;
  offeredAgentId?: string;
  offerExpiresAt?: string;
  assignedAgentId?: string;
  assignedAt?: string;
  slaFirstResponseDueAt?: string;
  slaResolutionDueAt?: string;
  slaState?: string;
  lastMessageAt?: string;
  /** When the customer service window closes (24 hours on WhatsApp, 7 days for a person on Instagram and Messenger). */
  windowClosesAt?: string;
}

export interface QueueWaiting {
  waiting: number;
  /** The waiting list was longer than the views read; `waiting` counts what was read. */
  truncated: boolean;
  oldestWaitingSince?: string;
  slaWarning: number;
  slaBreached: number;
  /** The first entries in serving order (highest priority, then oldest). */
  entries: ConversationSummary[];
}

export interface RoutingViews {
  summaries(conversationKeys: readonly string[]): Promise<ConversationSummary[]>;
  summary(conversationKey: string): Promise<ConversationSummary | undefined>;
  queueWaiting(businessId: string, queueId: string, options?: { entries?: number; maxRead?: number }): Promise<QueueWaiting>;
}

const SUMMARY_FIELDS = [
  'conversationKey',
  'channel',
  'accountId',
  'customerName',
  '#language',
  'routingStatus',
  'queueId',
  'routingPriority',
  'tags',
  'queuedAt',
  'offeredAgentId',
  'offerExpiresAt',
  'assignedAgentId',
  'assignedAt',
  'slaFirstResponseDueAt',
  'slaResolutionDueAt',
  'slaState',
  'lastInboundAt',
  'lastMessageAt',
] as const;
const PROJECTION = { ProjectionExpression: SUMMARY_FIELDS.join(', '), ExpressionAttributeNames: { '#language': 'language' } };

const DAY_MS = 86_400_000;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function summaryOf(item: Record<string, unknown>): ConversationSummary {
  const tags =
    item['tags'] instanceof Set
      ? [...(item['tags'] as Set<string>)]
      : Array.isArray(item['tags'])
        ? (item['tags'] as unknown[]).filter((t): t is string => typeof t === 'string')
        : [];
  const lastInboundAt = str(item['lastInboundAt']);
  const channel = str(item['channel']);
  const windowMs = channel === 'whatsapp' ? DAY_MS : 7 * DAY_MS;
  const entries: Array<[keyof ConversationSummary, unknown]> = [
    ['conversationKey', str(item['conversationKey'])],
    ['channel', channel],
    ['accountId', str(item['accountId'])],
    ['customerName', str(item['customerName'])],
    ['language', str(item['language'])],
    ['routingStatus', str(item['routingStatus'])],
    ['queueId', str(item['queueId'])],
    ['priority', typeof item['routingPriority'] === 'number' ? item['routingPriority'] : undefined],
    ['waitingSince', str(item['queuedAt'])],
    ['offeredAgentId', str(item['offeredAgentId'])],
    ['offerExpiresAt', str(item['offerExpiresAt'])],
    ['assignedAgentId', str(item['assignedAgentId'])],
    ['assignedAt', str(item['assignedAt'])],
    ['slaFirstResponseDueAt', str(item['slaFirstResponseDueAt'])],
    ['slaResolutionDueAt', str(item['slaResolutionDueAt'])],
    ['slaState', str(item['slaState'])],
    ['lastMessageAt', str(item['lastMessageAt']) ?? lastInboundAt],
    ['windowClosesAt', lastInboundAt && Number.isFinite(Date.parse(lastInboundAt)) ? new Date(Date.parse(lastInboundAt) + windowMs).toISOString() : undefined],
  ];
  return { ...(Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as Omit<ConversationSummary, 'tags'>), tags: tags.sort() } as ConversationSummary;
}

export function routingViewsStore(deps: { db: DynamoDBDocumentClient; tableName: string }): RoutingViews {
  const { db, tableName } = deps;
  return {
    async summary(conversationKey) {
      const out = await db.send(
        new GetCommand({ TableName: tableName, Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK }, ConsistentRead: true, ...PROJECTION }),
      );
      return out.Item ? summaryOf(out.Item) : undefined;
    },

    async summaries(conversationKeys) {
      const keys = [...new Set(conversationKeys)];
      const found = new Map<string, ConversationSummary>();
      for (let i = 0; i < keys.length; i += 100) {
        let request: Record<string, { Keys: Record<string, unknown>[] } & typeof PROJECTION> | undefined = {
          [tableName]: { Keys: keys.slice(i, i + 100).map((k) => ({ pk: conversationPk(k), sk: CONVERSATION_SK })), ...PROJECTION },
        };
        for (let round = 0; request && round < 5; round++) {
          const out: BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: request }));
          for (const item of out.Responses?.[tableName] ?? []) {
            const summary = summaryOf(item);
            found.set(summary.conversationKey, summary);
          }
          const left: { Keys?: Record<string, unknown>[] } | undefined = out.UnprocessedKeys?.[tableName];
          request = left?.Keys?.length ? { [tableName]: { ...PROJECTION, Keys: left.Keys } } : undefined;
        }
      }
      // In the order asked for; keys without an item are left out.
      return keys.map((k) => found.get(k)).filter((s): s is ConversationSummary => s !== undefined);
    },

    async queueWaiting(businessId, queueId, options = {}) {
      const want = options.entries ?? 50;
      const maxRead = options.maxRead ?? 5000;
      const result: QueueWaiting = { waiting: 0, truncated: false, slaWarning: 0, slaBreached: 0, entries: [] };
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': waitingPk(businessId, queueId) },
            ScanIndexForward: true,
            Limit: Math.min(500, maxRead - result.waiting),
            ...PROJECTION,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of out.Items ?? []) {
          const summary = summaryOf(item);
          result.waiting++;
          if (summary.slaState === 'warning') result.slaWarning++;
          if (summary.slaState === 'breached') result.slaBreached++;
          if (summary.waitingSince && (!result.oldestWaitingSince || summary.waitingSince < result.oldestWaitingSince))
            result.oldestWaitingSince = summary.waitingSince;
          if (result.entries.length < want) result.entries.push(summary);
        }
        startKey = out.LastEvaluatedKey;
        if (startKey && result.waiting >= maxRead) {
          result.truncated = true;
          break;
        }
      } while (startKey);
      return result;
    },
  };
}
