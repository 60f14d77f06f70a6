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

/** Status tracking's DynamoDB stores on one table: for the wiring (handlers, tests). */
export function dynamoStatusStores(db: DocumentClient, tableName: string): StatusStores {
  return { statuses: createMessageStatusStore(db, tableName), replyMetrics: createReplyMetricsStore(db, tableName) };
}
