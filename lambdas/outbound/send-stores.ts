import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { createReplyStore, type ReplyStore } from '#lambdas/outbound/reply-store';
import { createSendContextStore, type SendContextStore } from '#lambdas/outbound/send-context-store';
import { createSendingAccountStore, type SendingAccountStore } from '#lambdas/outbound/sending-account-store';

/** What the sender reads and writes in the table, one store per item family. */
export interface SendStores {
  /** The reply's send state and its provider-id pointer. */
  replies: ReplyStore;
  /** The conversation's window and the customer's consent. */
  sendContext: SendContextStore;
  /** The channel account, marked when Meta refuses its token. */
  sendingAccounts: SendingAccountStore;
}

/** The sender's DynamoDB stores on one table: for the wiring (handlers, tests). */
export function dynamoSendStores(db: DocumentClient, tableName: string): SendStores {
  return {
    replies: createReplyStore(db, tableName),
    sendContext: createSendContextStore(db, tableName),
    sendingAccounts: createSendingAccountStore(db, tableName),
  };
}
