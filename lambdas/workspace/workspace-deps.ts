import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { HumanAgentDeps } from '#lambdas/human-agent/human-agent-actions';
import type { TemplateSendDeps } from '#lambdas/templates/request-template-send';
import type { RoutingConfigReader } from '#lambdas/routing/routing-ports';
import type { ApprovedTemplateSource } from '#lambdas/workspace/approved-templates';
import type { ChangeFeed } from '#lambdas/workspace/change-feed';
import type { ClosedConversationSource } from '#lambdas/workspace/closed-conversations-store';
import type { ConversationTagStore } from '#lambdas/workspace/conversation-tags-store';
import type { InternalNoteStore } from '#lambdas/workspace/internal-note-store';
import type { MessageMediaStore } from '#lambdas/workspace/message-media-store';
import type { MediaLinkSigner } from '#lambdas/workspace/s3-media-link-signer';

/** What the conversation workspace routes work with; the handler wires the real ones, tests fakes. */
export interface WorkspaceParts {
  notes: InternalNoteStore;
  tags: ConversationTagStore;
  feed: ChangeFeed;
  templates: ApprovedTemplateSource;
  closedConversations: ClosedConversationSource;
  messageMedia: MessageMediaStore;
  /** The business's routing configuration (macros, agents' names, queues' time zone). */
  routingConfig: RoutingConfigReader;
  /** Signs links to the media bucket's objects. */
  mediaSigner: MediaLinkSigner;
  /** What sending a template to the conversation's customer reads and writes (templates/request-template-send.ts). */
  templateSend: Pick<TemplateSendDeps, 'templates' | 'registry' | 'sendContext' | 'retentionDays'>;
}

export type WorkspaceDeps = HumanAgentDeps & { accounts: AccountReader } & WorkspaceParts;
