import { boundedId, boundedKey } from '#lambdas/shared/bounded-id';

/**
 * Routing items in the single table (see conversation/table-keys.ts for the rest):
 *
 *   pk                          sk                         entity          holds
 *   ROUTING#<business>          AGENT#<agent id>           RoutingAgent    settings (admin) + presence, activeConversationKeys, lastActivityAt (engine)
 *   ROUTING#<business>          QUEUE#<queue id>           RoutingQueue    settings
 *   ROUTING#<business>          RULES                      RoutingRules    ordered rules + default queue, versioned
 *   ROUTING#<business>          MACRO#<macro id>           Macro           canned replies per language
 *   CONTACT#<business>#<channel>#<customer id>   TAGS      ContactTags     tags of a customer (e.g. vip), read on handoff
 *   CONV#<key>                  CONV                       Conversation    + the routing attributes of routing-model.ts
 *   CONV#<key>                  INOTE#<at>#<note id>       InternalNote    a person's note, never sent
 *
 * GSI2 (sparse, `gsi2pk`/`gsi2sk`) lists the conversations waiting in a queue: only a queued
 * Conversation item carries the attributes, so offering it removes it from the list in the same
 * write. `gsi2sk` sorts higher priority first, then oldest.
 *
 * One business's whole configuration is one Query of `ROUTING#<business>` (agents, queues, rules, macros).
 */
export const routingPk = (businessId: string) => `ROUTING#${boundedId(businessId)}`;
export const agentSk = (agentId: string) => `AGENT#${boundedId(agentId)}`;
export const queueSk = (queueId: string) => `QUEUE#${boundedId(queueId)}`;
export const RULES_SK = 'RULES';
export const macroSk = (macroId: string) => `MACRO#${boundedId(macroId)}`;
export const contactTagsPk = (businessId: string, channel: string, customerId: string) =>
  `CONTACT#${boundedId(businessId)}#${channel}#${boundedId(customerId)}`;
export const CONTACT_TAGS_SK = 'TAGS';
export const internalNoteSk = (at: string, noteId: string) => `INOTE#${at.slice(0, 64)}#${boundedId(noteId)}`;

export const waitingPk = (businessId: string, queueId: string) => `WAIT#${boundedId(businessId)}#${boundedId(queueId)}`;
/** Priority 0–100 → a rank that sorts the highest first (100 → 000, 0 → 100). */
export const waitingSk = (priority: number, queuedAt: string, conversationKey: string) =>
  `${String(100 - Math.max(0, Math.min(100, Math.round(priority)))).padStart(3, '0')}#${queuedAt.slice(0, 64)}#${boundedKey(conversationKey)}`;
