import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { createConversationStore, type ConversationStore } from '#lambdas/conversation/conversation-store';
import { createMessageStore, type MessageStore } from '#lambdas/conversation/message-store';
import { createRecordedEventStore, type RecordedEventStore } from '#lambdas/conversation/recorded-event-store';

/** The conversation domain's item families, one store each. */
export interface ConversationStores {
  /** The Conversation items. */
  conversations: ConversationStore;
  /** The Message items and their provider-id pointers. */
  messages: MessageStore;
  /** Status changes, notifications and quarantined events, each recorded once. */
  recordedEvents: RecordedEventStore;
}

/** The conversation domain's DynamoDB stores on one table: for the wiring (handlers, local cloud, tests). */
export function dynamoConversationStores(db: DocumentClient, tableName: string): ConversationStores {
  return {
    conversations: createConversationStore(db, tableName),
    messages: createMessageStore(db, tableName),
    recordedEvents: createRecordedEventStore(db, tableName),
  };
}
