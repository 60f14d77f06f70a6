import { mayDo } from '#lambdas/identity/operator-permissions';
import type { OperatorRole } from '#lambdas/identity/operator-identity';
import type { RoutingStatus } from '#lambdas/routing/routing-model';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';

/** A person's open WebSocket connection, as the connections store keeps it. */
export interface AgentConnection {
  businessId: string;
  connectionId: string;
  /** The operator's `actor` (the routing agent id). */
  agentId: string;
  roles: OperatorRole[];
  connectedAt: string;
}

/** Who works a conversation now, read from its Conversation item. */
export interface ConversationPeople {
  /** The bot/human state of the conversation (`bot`, `human`, `closed`). */
  state?: string;
  routingStatus?: RoutingStatus;
  offeredAgentId?: string;
  assignedAgentId?: string;
  accountId?: string;
}

export interface PushAudience {
  /** Agent ids that receive it on every connection they have. */
  agents: ReadonlySet<string>;
  /** Whether the business's supervisors and admins (whoever may monitor queues) receive it too. */
  supervisors: boolean;
}

const NOBODY: PushAudience = { agents: new Set(), supervisors: false };

/** A conversation people work: queued, offered or assigned by routing, or handed to people before routing existed. */
export function isWithPeople(conversation: ConversationPeople | undefined): boolean {
  if (!conversation) return false;
  if (conversation.routingStatus !== undefined)
    return conversation.routingStatus === 'queued' || conversation.routingStatus === 'offered' || conversation.routingStatus === 'assigned';
  return conversation.state === 'human';
}

const PEOPLE_ONLY_TYPES: readonly string[] = [DETAIL_TYPE.messageReceived, DETAIL_TYPE.messageDelivered, DETAIL_TYPE.messageRead, DETAIL_TYPE.messageFailed];

/**
 * Who must see a change:
 * - an offer: only the agent it is offered to (a second agent never learns of it);
 * - a customer message or a receipt: only while people work the conversation (queued, offered,
 *   assigned), to its agent and the supervisors;
 * - a presence change: the agent (their other tabs) and the supervisors;
 * - anything else about a conversation: the agent it is offered or assigned to, the agent the
 *   event names (transferred to, withdrawn from) and the one it names as before, and the supervisors.
 */
export function audienceOf(
  detailType: string,
  event: { agentId?: string; previousAgentId?: string },
  conversation: ConversationPeople | undefined,
): PushAudience {
  if (detailType === DETAIL_TYPE.conversationOffered) {
    const offeredTo = event.agentId ?? conversation?.offeredAgentId;
    return offeredTo ? { agents: new Set([offeredTo]), supervisors: false } : NOBODY;
  }
  if (detailType === DETAIL_TYPE.agentPresenceChanged) {
    return { agents: new Set(event.agentId ? [event.agentId] : []), supervisors: true };
  }
  if (PEOPLE_ONLY_TYPES.includes(detailType) && !isWithPeople(conversation)) return NOBODY;
  const agents = new Set<string>();
  for (const id of [
    conversation?.assignedAgentId,
    conversation?.routingStatus === 'offered' ? conversation.offeredAgentId : undefined,
    event.agentId,
    event.previousAgentId,
  ]) {
    if (id) agents.add(id);
  }
  return { agents, supervisors: true };
}

/** Whether a connection may monitor the whole business (supervisors, admins, platform). */
export function watchesBusiness(connection: Pick<AgentConnection, 'roles'>): boolean {
  return mayDo({ roles: connection.roles }, 'queues.monitor');
}

/** The connections of `businessId` the audience reaches; connections of other businesses never. */
export function recipientsOf(businessId: string, audience: PushAudience, connections: readonly AgentConnection[]): AgentConnection[] {
  return connections.filter((c) => c.businessId === businessId && (audience.agents.has(c.agentId) || (audience.supervisors && watchesBusiness(c))));
}
