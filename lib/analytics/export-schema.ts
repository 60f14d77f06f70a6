/**
 * The table attributes the analyst views read, with their DynamoDB types. One list feeds the
 * Glue table over the export files (Athena), the DuckDB reader of the same files, and the
 * flattening views of both engines, so the two engines always see the same columns.
 */

export type DynamoType = 'S' | 'N' | 'BOOL' | 'SS';
/** `string_set` is a DynamoDB string set, an array of varchar in both engines. */
export type ColumnType = 'varchar' | 'integer' | 'bigint' | 'double' | 'boolean' | 'time' | 'string_set';

export interface ExportAttribute {
  /** Attribute path in the item, e.g. `csatScore` or `template.category` for a map member. */
  readonly path: readonly string[];
  readonly dynamoType: DynamoType;
}

export interface ViewColumn {
  /** Column name in the flattened view (snake case). */
  readonly name: string;
  readonly attribute: ExportAttribute;
  /** `time` is an ISO-8601 string that becomes `<name>_at` (timestamp) and `<name>_ms` (epoch ms). */
  readonly type: ColumnType;
}

const s = (...path: string[]): ExportAttribute => ({ path, dynamoType: 'S' });
const n = (...path: string[]): ExportAttribute => ({ path, dynamoType: 'N' });
const bool = (...path: string[]): ExportAttribute => ({ path, dynamoType: 'BOOL' });
const ss = (...path: string[]): ExportAttribute => ({ path, dynamoType: 'SS' });

/** Columns both views share; `entity` tells the item kinds apart. */
const COMMON: readonly ViewColumn[] = [
  { name: 'conversation_key', attribute: s('conversationKey'), type: 'varchar' },
  { name: 'channel', attribute: s('channel'), type: 'varchar' },
  { name: 'account_id', attribute: s('accountId'), type: 'varchar' },
];

/** One row per Conversation item (`CONV#<key>` / `CONV`). */
export const CONVERSATION_COLUMNS: readonly ViewColumn[] = [
  ...COMMON,
  { name: 'state', attribute: s('state'), type: 'varchar' },
  { name: 'created', attribute: s('createdAt'), type: 'time' },
  { name: 'language', attribute: s('language'), type: 'varchar' },
  { name: 'handoff_reason', attribute: s('handoffReason'), type: 'varchar' },
  { name: 'handoff_requested', attribute: s('handoffRequestedAt'), type: 'time' },
  { name: 'closed', attribute: s('closedAt'), type: 'time' },
  { name: 'closed_by', attribute: s('closedBy'), type: 'varchar' },
  { name: 'reopened', attribute: s('reopenedAt'), type: 'time' },
  { name: 'csat_requested', attribute: s('csatRequestedAt'), type: 'time' },
  { name: 'csat_score', attribute: n('csatScore'), type: 'integer' },
  { name: 'csat_answered', attribute: s('csatAnsweredAt'), type: 'time' },
  { name: 'csat_message_id', attribute: s('csatMessageId'), type: 'varchar' },
  { name: 'inbound_count', attribute: n('inboundCount'), type: 'integer' },
  { name: 'outbound_count', attribute: n('outboundCount'), type: 'integer' },
  { name: 'imported_count', attribute: n('importedCount'), type: 'integer' },
  // Contact-centre routing (lambdas/routing/routing-model.ts, `ConversationRouting`); `closed` above
  // is the same `closedAt` the routing engine sets.
  { name: 'business_id', attribute: s('businessId'), type: 'varchar' },
  { name: 'routing_status', attribute: s('routingStatus'), type: 'varchar' },
  { name: 'queue_id', attribute: s('queueId'), type: 'varchar' },
  { name: 'routing_priority', attribute: n('routingPriority'), type: 'integer' },
  { name: 'tags', attribute: ss('tags'), type: 'string_set' },
  { name: 'queued', attribute: s('queuedAt'), type: 'time' },
  { name: 'offered', attribute: s('offeredAt'), type: 'time' },
  { name: 'assigned_agent_id', attribute: s('assignedAgentId'), type: 'varchar' },
  { name: 'assigned', attribute: s('assignedAt'), type: 'time' },
  { name: 'first_human_response', attribute: s('firstHumanResponseAt'), type: 'time' },
  { name: 'close_outcome', attribute: s('closeOutcome'), type: 'varchar' },
  { name: 'sla_first_response_due', attribute: s('slaFirstResponseDueAt'), type: 'time' },
  { name: 'sla_resolution_due', attribute: s('slaResolutionDueAt'), type: 'time' },
  { name: 'sla_state', attribute: s('slaState'), type: 'varchar' },
  { name: 'transfers', attribute: n('transfers'), type: 'integer' },
  // How it ended (lambdas/conversation/conversation-outcome.ts): the latest outcome of either kind,
  // a person's close (`closed`, `close_outcome` above) and the bot's end, each kept apart.
  { name: 'outcome', attribute: s('outcome'), type: 'varchar' },
  { name: 'outcome_reason', attribute: s('outcomeReason'), type: 'varchar' },
  { name: 'outcome_by', attribute: s('outcomeBy'), type: 'varchar' },
  { name: 'outcome_decided', attribute: s('outcomeAt'), type: 'time' },
  { name: 'close_reason', attribute: s('closeReason'), type: 'varchar' },
  { name: 'ended', attribute: s('endedAt'), type: 'time' },
  { name: 'end_outcome', attribute: s('endOutcome'), type: 'varchar' },
  { name: 'end_reason', attribute: s('endReason'), type: 'varchar' },
  // The contact the conversation belongs to (lambdas/contacts/contact-keys.ts).
  { name: 'contact_id', attribute: s('contactId'), type: 'varchar' },
];

/** One row per channel account (`ACCT#<id>` / `ACCOUNT`): which business owns a conversation's account. */
export const ACCOUNT_COLUMNS: readonly ViewColumn[] = [
  { name: 'account_id', attribute: s('accountId'), type: 'varchar' },
  { name: 'channel', attribute: s('channel'), type: 'varchar' },
  { name: 'business_id', attribute: s('businessId'), type: 'varchar' },
];

/** One row per routing agent (`ROUTING#<business>` / `AGENT#<id>`); the business comes from the key. */
export const AGENT_COLUMNS: readonly ViewColumn[] = [
  { name: 'agent_id', attribute: s('agentId'), type: 'varchar' },
  { name: 'agent_name', attribute: s('name'), type: 'varchar' },
  { name: 'max_concurrent', attribute: n('maxConcurrent'), type: 'integer' },
];

/** One row per routing queue (`ROUTING#<business>` / `QUEUE#<id>`). */
export const QUEUE_COLUMNS: readonly ViewColumn[] = [
  { name: 'queue_id', attribute: s('queueId'), type: 'varchar' },
  { name: 'queue_name', attribute: s('name'), type: 'varchar' },
  { name: 'queue_priority', attribute: n('priority'), type: 'integer' },
  { name: 'sla_first_response_s', attribute: n('sla', 'firstResponseSeconds'), type: 'integer' },
  { name: 'sla_resolution_s', attribute: n('sla', 'resolutionSeconds'), type: 'integer' },
];

/**
 * One row per contact (`PERSON#<business>#<contact id>` / `PROFILE`, lambdas/contacts/contact-model.ts)
 * with its first touch (Attribution): how the customer first came, written once.
 */
export const CONTACT_COLUMNS: readonly ViewColumn[] = [
  // contact_id and business_id come from the key as well (flatten-views.ts contactsView).
  { name: 'merged_into', attribute: s('mergedInto'), type: 'varchar' },
  { name: 'first_touch_channel', attribute: s('firstTouch', 'channel'), type: 'varchar' },
  { name: 'first_touch_source', attribute: s('firstTouch', 'source'), type: 'varchar' },
  { name: 'first_touch_ad_id', attribute: s('firstTouch', 'adId'), type: 'varchar' },
  { name: 'first_touch_headline', attribute: s('firstTouch', 'headline'), type: 'varchar' },
  { name: 'first_touch', attribute: s('firstTouch', 'at'), type: 'time' },
  { name: 'utm_source', attribute: s('firstTouch', 'utm', 'source'), type: 'varchar' },
  { name: 'utm_medium', attribute: s('firstTouch', 'utm', 'medium'), type: 'varchar' },
  { name: 'utm_campaign', attribute: s('firstTouch', 'utm', 'campaign'), type: 'varchar' },
];

/** One row per Message item (`CONV#<key>` / `MSG#<id>`), inbound and outbound. */
export const MESSAGE_COLUMNS: readonly ViewColumn[] = [
  ...COMMON,
  { name: 'message_id', attribute: s('messageId'), type: 'varchar' },
  { name: 'direction', attribute: s('direction'), type: 'varchar' },
  { name: 'origin', attribute: s('origin'), type: 'varchar' },
  { name: 'type', attribute: s('type'), type: 'varchar' },
  { name: 'occurred', attribute: s('occurredAt'), type: 'time' },
  { name: 'status', attribute: s('status'), type: 'varchar' },
  { name: 'sent', attribute: s('sentAt'), type: 'time' },
  { name: 'delivered', attribute: s('deliveredAt'), type: 'time' },
  { name: 'read', attribute: s('readAt'), type: 'time' },
  { name: 'failed', attribute: s('failedAt'), type: 'time' },
  { name: 'error_code', attribute: n('errorCode'), type: 'bigint' },
  { name: 'error_title', attribute: s('errorTitle'), type: 'varchar' },
  { name: 'failure_reason', attribute: s('failureReason'), type: 'varchar' },
  { name: 'reply_kind', attribute: s('replyKind'), type: 'varchar' },
  { name: 'choice_id', attribute: s('choiceId'), type: 'varchar' },
  { name: 'language', attribute: s('language'), type: 'varchar' },
  { name: 'pricing_category', attribute: s('pricingCategory'), type: 'varchar' },
  { name: 'billable', attribute: bool('billable'), type: 'boolean' },
  // Meta's price of a WhatsApp business message, stored once by status tracking (lambdas/pricing/).
  { name: 'meta_pricing_model', attribute: s('metaPricingModel'), type: 'varchar' },
  { name: 'meta_category', attribute: s('metaCategory'), type: 'varchar' },
  { name: 'meta_pricing_type', attribute: s('metaPricingType'), type: 'varchar' },
  { name: 'meta_billable', attribute: bool('metaBillable'), type: 'boolean' },
  { name: 'recipient_country', attribute: s('recipientCountry'), type: 'varchar' },
  { name: 'meta_charge_usd', attribute: n('metaChargeUsd'), type: 'double' },
  { name: 'rate_card_date', attribute: s('rateCardDate'), type: 'varchar' },
  { name: 'meta_priced', attribute: s('metaPricedAt'), type: 'time' },
  { name: 'template_name', attribute: s('template', 'name'), type: 'varchar' },
  { name: 'template_category', attribute: s('template', 'category'), type: 'varchar' },
  // A click-to-WhatsApp / Instagram / Messenger ad or post the message came from (record-normalized-event.ts).
  { name: 'referral_source', attribute: s('referralSource'), type: 'varchar' },
  { name: 'referral_ad_id', attribute: s('referralAdId'), type: 'varchar' },
  { name: 'referral_headline', attribute: s('referral', 'headline'), type: 'varchar' },
];

/** Key attributes every item has. */
const KEY_ATTRIBUTES: readonly ExportAttribute[] = [s('pk'), s('sk'), s('entity')];

/** Every attribute the views read, nested map members grouped under their map, in a stable order. */
interface AttributeTree {
  readonly type?: DynamoType;
  readonly members: Map<string, AttributeTree>;
}

function attributeTree(): AttributeTree {
  const root: AttributeTree = { members: new Map() };
  const columns = [...CONVERSATION_COLUMNS, ...MESSAGE_COLUMNS, ...ACCOUNT_COLUMNS, ...AGENT_COLUMNS, ...QUEUE_COLUMNS, ...CONTACT_COLUMNS];
  for (const attr of [...KEY_ATTRIBUTES, ...columns.map((c) => c.attribute)]) {
    let node = root;
    attr.path.forEach((name, i) => {
      const last = i === attr.path.length - 1;
      const existing = node.members.get(name);
      if (existing && last && existing.type !== attr.dynamoType) throw new Error(`attribute ${attr.path.join('.')} has two types`);
      const next = existing ?? { ...(last ? { type: attr.dynamoType } : {}), members: new Map() };
      node.members.set(name, next);
      node = next;
    });
  }
  return root;
}

/** The `Item` struct in DuckDB's type syntax (keys exactly as the export writes them). */
export function duckDbItemType(): string {
  const render = (tree: AttributeTree): string =>
    `STRUCT(${[...tree.members]
      .map(([name, child]) => {
        const inner = child.type
          ? `STRUCT("${child.type}" ${child.type === 'BOOL' ? 'BOOLEAN' : child.type === 'SS' ? 'VARCHAR[]' : 'VARCHAR'})`
          : `STRUCT("M" ${render(child)})`;
        return `"${name}" ${inner}`;
      })
      .join(', ')})`;
  return render(attributeTree());
}

/**
 * The `item` column in Glue's (Hive) type syntax. The OpenX JSON SerDe matches keys without regard
 * to case, and Glue keeps names in lower case.
 */
export function glueItemType(): string {
  const render = (tree: AttributeTree): string =>
    `struct<${[...tree.members]
      .map(([name, child]) => {
        const inner = child.type
          ? `struct<${child.type.toLowerCase()}:${child.type === 'BOOL' ? 'boolean' : child.type === 'SS' ? 'array<string>' : 'string'}>`
          : `struct<m:${render(child)}>`;
        return `${name.toLowerCase()}:${inner}`;
      })
      .join(',')}>`;
  return render(attributeTree());
}
