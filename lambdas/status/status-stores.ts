import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { createMessageStatusStore, type MessageStatusStore } from '#lambdas/status/message-status-store';
import { createReplyMetricsStore, type ReplyMetricsStore } from '#lambdas/status/reply-metrics-store';

/** What status tracking reads and writes in the table, one store per item family. */
export interface StatusStores {
  /** The messages' delivery status, receipts and price. */
  statuses: MessageStatusStore;
  /** The conversation's response metrics. */
  replyMetrics: ReplyMetricsStore;
}

/** The table the stores are built on, for callers that hold the table rather than the stores. */
export interface StatusTable {
  db: DocumentClient;
  tableName: string;
}

export function dynamoStatusStores(db: DocumentClient, tableName: string): StatusStores {
  return { statuses: createMessageStatusStore(db, tableName), replyMetrics: createReplyMetricsStore(db, tableName) };
}

/** The stores given, else the DynamoDB ones on the table given. */
export function statusStoresOf(deps: StatusStores | StatusTable): StatusStores {
  return 'statuses' in deps ? deps : dynamoStatusStores(deps.db, deps.tableName);
}
