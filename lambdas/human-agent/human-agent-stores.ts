import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { conversationViewsStore, type ConversationViewsStore } from '#lambdas/human-agent/conversation-views-store';
import { humanAgentStore, type HumanAgentStore } from '#lambdas/human-agent/human-agent-store';

/** What a human agent's actions and views read and write, one store per purpose. */
export interface HumanAgentStores {
  humanActions: HumanAgentStore;
  views: ConversationViewsStore;
}

/** The human-agent stores on one table: for the wiring (handlers, tests). */
export function dynamoHumanAgentStores(db: DocumentClient, tableName: string, retentionDays: number): HumanAgentStores {
  return { humanActions: humanAgentStore(db, tableName, retentionDays), views: conversationViewsStore(db, tableName) };
}
