import { z } from 'zod';
import type { TemplateStore, TemplateTarget } from '#lambdas/templates/template-store';

/** The normalizer's topics for the three template webhooks Meta sends on the WABA. */
export const TEMPLATE_TOPICS = {
  status: 'whatsapp.message_template_status_update',
  category: 'whatsapp.template_category_update',
  quality: 'whatsapp.message_template_quality_update',
} as const;
export const TEMPLATE_TOPIC_LIST: readonly string[] = Object.values(TEMPLATE_TOPICS);

/** `notification.received`: ids only; the notification item holds Meta's details. */
const notificationDetailSchema = z.looseObject({
  accountId: z.string().min(1),
  eventId: z.string().min(1),
  topic: z.string().min(1),
});

export interface TemplateEventDeps {
  /** The stored templates and notifications (template-store.ts). */
  templates: TemplateStore;
  now?: () => Date;
}

export type TemplateEventOutcome =
  | { outcome: 'invalid'; issues: string[] }
  /** Not a template topic (the rule lets every notification through only if misconfigured). */
  | { outcome: 'ignored'; reason: 'other_topic' | 'no_template_named' }
  | { outcome: 'applied'; created: boolean }
  /** The stored news is newer than this event's: nothing changed. */
  | { outcome: 'stale' };

/** Statuses Meta sends as `event` in message_template_status_update, stored as they come (upper case). */
const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * A template webhook → the template's status, category or quality. Each aspect keeps the time of
 * the news it came from and is only replaced by news at least as recent, so webhooks redelivered
 * or out of order, and a sync running at the same time, converge on the newest news. A template we
 * never synced gets a minimal item marked `needsSync`.
 */
export async function applyTemplateNotification(detail: unknown, deps: TemplateEventDeps): Promise<TemplateEventOutcome> {
  const parsed = notificationDetailSchema.safeParse(detail);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  const { accountId, eventId, topic } = parsed.data;
  if (!TEMPLATE_TOPIC_LIST.includes(topic)) return { outcome: 'ignored', reason: 'other_topic' };

  const item = await deps.templates.notification(accountId, eventId);
  // The item is written before the event is published; its absence is a fault worth retrying.
  if (!item) throw new Error('template notification item not found');
  const at = str(item.occurredAt) ?? (deps.now ?? (() => new Date()))().toISOString();
  const wabaId = str(item.businessAccountId) ?? accountId;
  const target = await templateTarget(deps, wabaId, item);
  if (!target) return { outcome: 'ignored', reason: 'no_template_named' };

  const change = changeFor(topic, item, at);
  if (!change) return { outcome: 'ignored', reason: 'other_topic' };
  const applied = await deps.templates.applyNews({ wabaId, ...target }, { timeAttribute: change.timeAttribute, at, set: change.set, remove: change.remove });
  return applied === 'stale' ? { outcome: 'stale' } : { outcome: 'applied', created: applied === 'created' };
}

interface Change {
  timeAttribute: 'statusUpdatedAt' | 'categoryUpdatedAt' | 'qualityUpdatedAt';
  set: Record<string, string>;
  remove: string[];
}

function changeFor(topic: string, item: Record<string, unknown>, at: string): Change | undefined {
  const d = (k: string) => str(item[`detail_${k}`]);
  if (topic === TEMPLATE_TOPICS.status) {
    const status = d('event')?.toUpperCase();
    if (!status) return undefined;
    const reason = d('rejection_reason') ?? d('reason');
    const set: Record<string, string> = { status, lastStatusEventId: String(item.eventId) };
    const remove: string[] = [];
    if (status === 'REJECTED' && reason) set.rejectedReason = reason;
    else if (status === 'APPROVED') remove.push('rejectedReason', 'statusReason', 'disableDate');
    if (status !== 'REJECTED' && reason && reason !== 'NONE') set.statusReason = reason;
    if (d('disable_date')) set.disableDate = d('disable_date')!;
    if (d('message_template_category')) set.category = d('message_template_category')!.toUpperCase();
    if (status === 'DELETED' || status === 'PENDING_DELETION') set.deletedAt = at;
    return { timeAttribute: 'statusUpdatedAt', set, remove };
  }
  if (topic === TEMPLATE_TOPICS.category) {
    const newCategory = d('new_category')?.toUpperCase();
    const correct = d('correct_category')?.toUpperCase();
    // Meta first announces a change (correct_category, the date it takes effect, and the current
    // category as new_category), then reports the change itself (previous_category → new_category).
    if (correct) {
      const set: Record<string, string> = { pendingCategory: correct };
      if (d('category_update_at')) set.pendingCategoryAt = d('category_update_at')!;
      if (newCategory) set.category = newCategory;
      return { timeAttribute: 'categoryUpdatedAt', set, remove: [] };
    }
    if (newCategory) {
      const set: Record<string, string> = { category: newCategory };
      if (d('previous_category')) set.previousCategory = d('previous_category')!.toUpperCase();
      return { timeAttribute: 'categoryUpdatedAt', set, remove: ['pendingCategory', 'pendingCategoryAt'] };
    }
    return undefined;
  }
  if (topic === TEMPLATE_TOPICS.quality) {
    const score = d('new_quality_score')?.toUpperCase();
    if (!score) return undefined;
    return { timeAttribute: 'qualityUpdatedAt', set: { qualityScore: score }, remove: [] };
  }
  return undefined;
}

/** Name and language from the webhook; Meta's own id otherwise, looked up among the WABA's templates. */
async function templateTarget(deps: TemplateEventDeps, wabaId: string, item: Record<string, unknown>): Promise<Omit<TemplateTarget, 'wabaId'> | undefined> {
  const templateId = item.detail_message_template_id === undefined ? undefined : String(item.detail_message_template_id);
  const name = str(item.detail_message_template_name);
  // Meta's codes are `en_US`; some webhooks (and Meta's own samples) write `en-US`.
  const language = str(item.detail_message_template_language)?.replace('-', '_');
  if (name && language) return { name, language, ...(templateId ? { templateId } : {}) };
  if (!templateId) return undefined;
  for await (const found of deps.templates.templatesOfWaba(wabaId, ['name', 'language', 'templateId'])) {
    if (String(found.templateId) === templateId && str(found.name) && str(found.language)) {
      return { name: String(found.name), language: String(found.language), templateId };
    }
  }
  return undefined;
}
