import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { createSendContextStore } from '#lambdas/outbound/send-context-store';
import { routingConfigStore } from '#lambdas/routing/config/routing-config-store';
import type { RoutingConfigReader } from '#lambdas/routing/routing-ports';
import { createTemplateStore } from '#lambdas/templates/template-store';
import { storedApprovedTemplates } from '#lambdas/workspace/approved-templates';
import { dynamoChangeFeed } from '#lambdas/workspace/change-feed-store';
import { dynamoClosedConversationSource } from '#lambdas/workspace/closed-conversations-store';
import { dynamoConversationTagStore } from '#lambdas/workspace/conversation-tags-store';
import { dynamoInternalNoteStore } from '#lambdas/workspace/internal-note-store';
import { dynamoMessageMediaStore } from '#lambdas/workspace/message-media-store';
import { s3MediaLinkSigner, type MediaLinkSigner } from '#lambdas/workspace/s3-media-link-signer';
import type { WorkspaceParts } from '#lambdas/workspace/workspace-deps';

/** The workspace's parts on the table (and the media bucket), as the human-agent function runs them. */
export function workspaceParts(options: {
  db: DocumentClient;
  tableName: string;
  retentionDays: number;
  /** The media bucket's name (MEDIA_BUCKET), or a signer of one (tests). */
  media: string | MediaLinkSigner;
  routingConfig?: RoutingConfigReader;
  now?: () => Date;
}): WorkspaceParts {
  const table = { db: options.db, tableName: options.tableName };
  return {
    notes: dynamoInternalNoteStore({ ...table, retentionDays: options.retentionDays }),
    tags: dynamoConversationTagStore(table),
    feed: dynamoChangeFeed({ ...table, ...(options.now ? { now: options.now } : {}) }),
    templates: storedApprovedTemplates(table),
    closedConversations: dynamoClosedConversationSource(table),
    messageMedia: dynamoMessageMediaStore(table),
    routingConfig: options.routingConfig ?? routingConfigStore(table),
    mediaSigner: typeof options.media === 'string' ? s3MediaLinkSigner(options.media) : options.media,
    templateSend: {
      templates: createTemplateStore(options.db, options.tableName),
      registry: dynamoAccountRegistry(options.db, options.tableName),
      sendContext: createSendContextStore(options.db, options.tableName),
      retentionDays: options.retentionDays,
    },
  };
}
