import { createBusinessAppContactStore, type BusinessAppContactStore } from '#lambdas/accounts/business-app-contacts-store';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { dynamoConversationStores, type ConversationStores } from '#lambdas/conversation/conversation-stores';
import { createReplyStore, type ReplyStore } from '#lambdas/outbound/reply-store';
import { dynamoStatusStores, type StatusStores } from '#lambdas/status/status-stores';

/** What the normalizer reads and writes in the table, one store per item family. */
export interface IngressStores extends ConversationStores, StatusStores {
  /** The replies' send state: a receipt completes a send whose record was lost (status/complete-interrupted-send.ts). */
  replies: ReplyStore;
  /** The WhatsApp Business App's address book (accounts/business-app-contacts.ts). */
  businessAppContacts: BusinessAppContactStore;
}

/** The normalizer's DynamoDB stores on one table: for the wiring (the handler, tests). */
export function dynamoIngressStores(db: DocumentClient, tableName: string): IngressStores {
  return {
    ...dynamoConversationStores(db, tableName),
    ...dynamoStatusStores(db, tableName),
    replies: createReplyStore(db, tableName),
    businessAppContacts: createBusinessAppContactStore(db, tableName),
  };
}
