import { metaErrorInWords } from '#lambdas/workspace/meta-error-words';

/**
 * What a person sees of a conversation and its messages. Built from the stored items field by
 * field: attributes not listed here (stored object keys, Meta's media ids and URLs, token-bearing
 * links, internal bookkeeping) never leave the server.
 */

const CONVERSATION_FIELDS = [
  'conversationKey',
  'channel',
  'accountId',
  'customerId',
  'customerName',
  'state',
  'version',
  'language',
  'handoffReason',
  'handoffSummary',
  'handoffRequestedAt',
  'humanQuietUntil',
  'assignedAgentId',
  'lastInboundAt',
  'lastHumanReplyAt',
  'csatRequestedAt',
  'csatScore',
  'consentStatus',
  // Routing (routing-model.ts)
  'routingStatus',
  'queueId',
  'routingPriority',
  'queuedAt',
  'offeredAgentId',
  'offerExpiresAt',
  'assignedAt',
  'firstHumanResponseAt',
  'closedAt',
  'closedBy',
  'closeOutcome',
  'slaFirstResponseDueAt',
  'slaResolutionDueAt',
  'slaState',
  'transfers',
] as const;

export function conversationView(item: Record<string, unknown>): Record<string, unknown> {
  const view: Record<string, unknown> = Object.fromEntries(CONVERSATION_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]]));
  view.tags = stringList(item.tags);
  const context = handoffContextView(item.handoffContext);
  if (context) view.handoffContext = context;
  return view;
}

function handoffContextView(value: unknown): Record<string, unknown> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const c = value as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const captured =
    c.captured && typeof c.captured === 'object' && !Array.isArray(c.captured)
      ? Object.fromEntries(Object.entries(c.captured as Record<string, unknown>).filter(([, v]) => typeof v === 'string'))
      : {};
  return {
    reason: text(c.reason) ?? 'unknown',
    ...(text(c.language) ? { language: text(c.language) } : {}),
    ...(text(c.intent) ? { intent: text(c.intent) } : {}),
    lastCustomerTexts: stringList(c.lastCustomerTexts, false),
    botAnswers: stringList(c.botAnswers, false),
    captured,
    tags: stringList(c.tags),
  };
}

const MESSAGE_FIELDS = [
  'messageId',
  'channel',
  'direction',
  'origin',
  'type',
  'text',
  'choiceId',
  'choiceTitle',
  'occurredAt',
  'status',
  'sentAt',
  'deliveredAt',
  'readAt',
  'playedAt',
  'failedAt',
  'errorCode',
  'replyKind',
  'agentId',
  'macroId',
  'optionsLabel',
  'mediaCount',
  'mediaStatus',
] as const;

export function messageView(item: Record<string, unknown>): Record<string, unknown> {
  const view: Record<string, unknown> = Object.fromEntries(MESSAGE_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]]));
  if (Array.isArray(item.replyOptions)) {
    // The choices as the customer saw them (buttons, list rows, quick replies).
    view.choices = (item.replyOptions as Array<Record<string, unknown>>)
      .filter((o) => o && typeof o.title === 'string')
      .map((o) => ({ id: String(o.id ?? ''), title: String(o.title), ...(typeof o.description === 'string' ? { description: o.description } : {}) }));
  }
  if (item.template && typeof item.template === 'object') {
    const t = item.template as Record<string, unknown>;
    view.template = { name: String(t.name ?? ''), language: String(t.language ?? '') };
  }
  const media = mediaView(item);
  if (media.length > 0) view.media = media;
  if (item.status === 'failed') {
    const words = metaErrorInWords(
      typeof item.errorCode === 'number' ? item.errorCode : undefined,
      typeof item.errorTitle === 'string' ? item.errorTitle : undefined,
      typeof item.failureReason === 'string' ? item.failureReason : undefined,
    );
    if (words) view.error = words;
  }
  return view;
}

/**
 * One entry per attachment: its index (for `GET /agent/media`), content type, caption and file
 * name, and whether the stored copy exists. Never the object key, Meta's id or URL.
 */
function mediaView(item: Record<string, unknown>): Array<Record<string, unknown>> {
  const refs = Array.isArray(item.media)
    ? (item.media as Array<Record<string, unknown>>)
    : item.media && typeof item.media === 'object'
      ? [item.media as Record<string, unknown>]
      : [];
  const stored = Array.isArray(item.mediaObjects) ? (item.mediaObjects as Array<Record<string, unknown>>) : [];
  const count = Math.max(refs.length, stored.length);
  const out: Array<Record<string, unknown>> = [];
  for (let index = 0; index < Math.min(count, 10); index++) {
    const ref = refs[index] ?? {};
    const object = stored[index];
    const contentType = (typeof object?.contentType === 'string' && object.contentType) || (typeof ref.mimeType === 'string' && ref.mimeType) || undefined;
    out.push({
      index,
      messageId: item.messageId,
      ...(contentType ? { contentType } : {}),
      ...(typeof ref.caption === 'string' ? { caption: ref.caption } : {}),
      ...(typeof ref.filename === 'string' ? { filename: ref.filename } : {}),
      ...(typeof object?.size === 'number' ? { size: object.size } : {}),
      ...(ref.voice === true ? { voice: true } : {}),
      stored: object !== undefined,
    });
  }
  return out;
}

function stringList(value: unknown, sort = true): string[] {
  const list = value instanceof Set ? [...(value as Set<unknown>)] : Array.isArray(value) ? value : [];
  const strings = list.filter((v): v is string => typeof v === 'string');
  return sort ? strings.sort() : strings;
}
