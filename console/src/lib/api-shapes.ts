/**
 * What the console reads from the APIs, as it uses it. Every field is optional or checked where it
 * is shown: the console renders what it gets and never trusts a shape it did not check.
 */
import type { HandoffContext, Macro, Presence, RoutingAgent, RoutingQueue, RoutingRules, SlaState } from '../../../lambdas/routing/routing-model.ts';

export type { HandoffContext, Macro, Presence, RoutingAgent, RoutingQueue, RoutingRules, SlaState };

/** An offer or an assigned conversation of `GET /agent/inbox`. */
export interface ConversationSummary {
  conversationKey: string;
  channel?: string;
  customerName?: string;
  customerId?: string;
  language?: string;
  queueId?: string;
  queueName?: string;
  priority?: number;
  routingPriority?: number;
  tags?: string[];
  waitingSince?: string;
  queuedAt?: string;
  slaDueAt?: string;
  slaState?: SlaState;
  lastMessageAt?: string;
  windowClosesAt?: string;
  offerExpiresAt?: string;
}

export interface Inbox {
  offers: ConversationSummary[];
  assigned: ConversationSummary[];
}

export interface MediaRef {
  index: number;
  messageId?: string;
  contentType?: string;
  caption?: string;
  filename?: string;
  size?: number;
  voice?: boolean;
  stored?: boolean;
}

export interface MessageView {
  messageId: string;
  channel?: string;
  direction?: 'inbound' | 'outbound';
  origin?: string;
  type?: string;
  text?: string;
  choiceId?: string;
  choiceTitle?: string;
  choices?: { id: string; title: string; description?: string }[];
  optionsLabel?: string;
  occurredAt?: string;
  status?: string;
  errorCode?: number;
  errorTitle?: string;
  error?: string;
  agentId?: string;
  macroId?: string;
  template?: { name: string; language: string };
  media?: MediaRef[];
  mediaCount?: number;
}

export interface ConversationDetail {
  conversation: {
    conversationKey: string;
    channel?: string;
    accountId?: string;
    customerId?: string;
    customerName?: string;
    state?: string;
    language?: string;
    handoffReason?: string;
    handoffSummary?: string;
    lastInboundAt?: string;
    routingStatus?: string;
    queueId?: string;
    assignedAgentId?: string;
    slaState?: SlaState;
    slaFirstResponseDueAt?: string;
    tags?: string[];
    handoffContext?: HandoffContext;
    windowClosesAt?: string;
  };
  messages: MessageView[];
  notes?: { text: string; agentId?: string; at?: string }[];
}

export interface TemplateOption {
  name: string;
  language: string;
  category?: string;
  body?: string;
  /** The body as approved, with its `{{…}}` placeholders (the workspace API's name for it). */
  bodyText?: string;
  parameterCount?: number;
  bodyParameterCount?: number;
  variables?: string[];
  /** The body's variables in order (positional `1`, `2`… or named). */
  bodyVariables?: string[];
  /** POSITIONAL (`{{1}}`) or NAMED (`{{first_name}}`) variables (the workspace API's `parameterFormat`). */
  parameterFormat?: 'POSITIONAL' | 'NAMED';
  /** Parts the body form cannot fill: a header's variables or media, buttons' values. */
  headerVariables?: string[];
  headerMedia?: string;
  buttonVariables?: string[];
}

export interface TemplatesAnswer {
  windowOpen: boolean;
  windowClosesAt?: string;
  templates: TemplateOption[];
}

export interface QueueLive {
  queue: { queueId: string; name?: string; hours?: { timezone?: string } };
  waiting: number;
  oldestWaitingSince?: string;
  slaWarning?: number;
  slaBreached?: number;
  open?: boolean;
  nextOpenAt?: string;
  entries?: ConversationSummary[];
}

export interface AgentLive {
  agent: { agentId: string; name?: string };
  presence: Presence;
  load: number;
  capacity: number;
  conversations?: ConversationSummary[];
}

/** One row of `GET /supervisor/stats`; the API's names vary, so the view reads them through `figure()`. */
export type StatsRow = Record<string, unknown>;
export interface StatsAnswer {
  date?: string;
  queues: StatsRow[];
  agents: StatsRow[];
}

/** A row of `GET /admin/accounts` (lambdas/accounts/channel-account-row.ts). */
export interface ChannelAccountRow {
  accountId: string;
  channel: 'whatsapp' | 'instagram' | 'messenger';
  status: string;
  wabaId?: string;
  displayPhoneNumber?: string;
  displayName?: string;
  coexistence?: boolean;
  qualityRating?: string;
  qualityEvent?: string;
  qualityFlagged?: boolean;
  messagingLimit?: string;
  maxDailyConversations?: number;
  tokenState: 'ok' | 'needs_reauthorisation';
  tokenRefusedAt?: string;
  tokenSource: 'account_secret' | 'shared';
  healthUpdatedAt?: string;
  updatedAt?: string;
}

export interface AuditRow {
  at: string;
  actor: string;
  roles?: string[];
  route: string;
  target?: string;
  status: number;
  outcome: string;
}
