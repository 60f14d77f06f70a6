import { PUSHED_DETAIL_TYPES, pushFieldsOf, pushMessageOf } from '#lambdas/push/push-message';
import type { ChangeFeed as WorkspaceChangeFeed } from '#lambdas/workspace/change-feed';
import { type AgentConnection, audienceOf, type ConversationPeople, recipientsOf } from '#lambdas/push/recipients';

/** The open connections of a business; gone ones are removed. */
export interface ConnectionStore {
  listByBusiness(businessId: string): Promise<AgentConnection[]>;
  remove(businessId: string, connectionId: string): Promise<void>;
}

/** Sends one message to one connection; `gone` when API Gateway no longer knows it (410). */
export interface ConnectionPoster {
  post(connectionId: string, data: string): Promise<'sent' | 'gone'>;
}

/**
 * The changes clients that poll read (`GET /agent/updates?cursor=`). The agent workspace owns the
 * feed (lambdas/workspace/change-feed.ts); the push consumer appends every change it pushes, with
 * the agents it is for (`forAgentIds`: an empty list when only the supervisors see it).
 */
export type ChangeFeed = Pick<WorkspaceChangeFeed, 'appendChange'>;

export interface PushChangeDeps {
  connections: ConnectionStore;
  poster: ConnectionPoster;
  /** Who works the conversation now (its Conversation item); undefined when there is none. */
  conversationPeople(conversationKey: string): Promise<ConversationPeople | undefined>;
  /** The business a channel account is registered to (the registry); undefined when it is not. */
  businessOfAccount(accountId: string): Promise<string | undefined>;
  changeFeed: ChangeFeed;
  /** Posts at once, at most. */
  concurrency?: number;
}

export type PushOutcome =
  | { outcome: 'ignored'; reason: 'not_pushed_type' | 'invalid_detail' | 'unknown_business' | 'no_audience' }
  | { outcome: 'pushed'; businessId: string; recipients: number; sent: number; gone: number; failed: number };

export interface BusEvent {
  detailType: string;
  detail: unknown;
  /** The envelope's `time`. */
  time: string;
}

/**
 * One bus event → the people of its business who must see it. The business comes from the event
 * (routing events carry it) or from the channel account through the registry, never from anything
 * a client sent. The change goes into the polling feed first (a failure there is retried whole,
 * before anyone was pushed to), then to each recipient's connections; connections API Gateway
 * answers 410 for are deleted. A post that fails otherwise is counted and not retried: the feed
 * has the change, and the console reads it on reconnecting.
 */
export async function pushChange(event: BusEvent, deps: PushChangeDeps): Promise<PushOutcome> {
  if (!PUSHED_DETAIL_TYPES.includes(event.detailType)) return { outcome: 'ignored', reason: 'not_pushed_type' };
  if (event.detail === null || typeof event.detail !== 'object' || Array.isArray(event.detail)) return { outcome: 'ignored', reason: 'invalid_detail' };
  const detail = event.detail as Record<string, unknown>;
  const fields = pushFieldsOf(event.detailType, detail);

  const conversation = fields.conversationKey ? await deps.conversationPeople(fields.conversationKey) : undefined;
  const accountId = fields.accountId ?? conversation?.accountId;
  const businessId = fields.businessId ?? (accountId ? await deps.businessOfAccount(accountId) : undefined);
  if (!businessId) return { outcome: 'ignored', reason: 'unknown_business' };

  const previousAgentId = typeof detail.fromAgentId === 'string' && detail.fromAgentId.length <= 128 ? detail.fromAgentId : undefined;
  const audience = audienceOf(
    event.detailType,
    { ...(fields.agentId ? { agentId: fields.agentId } : {}), ...(previousAgentId ? { previousAgentId } : {}) },
    conversation,
  );
  if (audience.agents.size === 0 && !audience.supervisors) return { outcome: 'ignored', reason: 'no_audience' };

  const message = pushMessageOf(event.detailType, detail, fields, event.time);
  await deps.changeFeed.appendChange(businessId, { ...message, forAgentIds: [...audience.agents] });

  const recipients = recipientsOf(businessId, audience, await deps.connections.listByBusiness(businessId));
  const data = JSON.stringify(message);
  let sent = 0;
  let gone = 0;
  let failed = 0;
  await eachLimited(recipients, deps.concurrency ?? 10, async (connection) => {
    try {
      if ((await deps.poster.post(connection.connectionId, data)) === 'sent') {
        sent += 1;
        return;
      }
      gone += 1;
      await deps.connections.remove(businessId, connection.connectionId);
    } catch {
      failed += 1;
    }
  });
  return { outcome: 'pushed', businessId, recipients: recipients.length, sent, gone, failed };
}

async function eachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
