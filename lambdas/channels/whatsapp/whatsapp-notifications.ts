/**
 * Flat, typed summaries of WhatsApp account, template, number and per-customer changes for
 * NotificationEvent.details. Each field is mapped explicitly: only values useful to operators
 * and analysts, never nested objects, never customer PII (names, phone numbers, free text
 * about the customer). The customer of a per-customer change goes into `customer` instead.
 */
import type * as z from 'zod/mini';
import type { CustomerRef } from '#lambdas/conversation/model';
import { asObject, customerRef, itemCustomer, matchingContact, objectsOf, type JsonObject } from '#lambdas/channels/whatsapp/whatsapp-identities';
import {
  AccountAlertsSchema,
  AccountReviewUpdateSchema,
  AccountUpdateSchema,
  AutomaticEventsValueSchema,
  BusinessUsernameUpdateSchema,
  CallsValueSchema,
  GroupsValueSchema,
  PhoneNumberNameUpdateSchema,
  PhoneNumberQualityUpdateSchema,
  SecuritySchema,
  StateSyncValueSchema,
  TemplateCategoryUpdateSchema,
  TemplateQualityUpdateSchema,
  TemplateStatusUpdateSchema,
  UserIdUpdateValueSchema,
  UserPreferencesValueSchema,
  type WaProviderError,
} from '#lambdas/channels/whatsapp/whatsapp-schemas';
import { toIsoTime } from '#lambdas/shared/time';

export type Details = Record<string, string | number | boolean | null>;

export interface NotificationParts {
  details: Details;
  customer?: CustomerRef;
  /** The change's own time, when it has one (raw; goes through toIsoTime). */
  time?: unknown;
}

export type MapResult = { ok: true; parts: NotificationParts } | { ok: false; error: z.core.$ZodError };

interface FieldMapper {
  map(value: JsonObject): MapResult;
}

function mapper<S extends z.ZodMiniType>(schema: S, map: (parsed: z.output<S>, raw: JsonObject) => NotificationParts): FieldMapper {
  return {
    map(value) {
      const parsed = schema.safeParse(value);
      return parsed.success ? { ok: true, parts: map(parsed.data, value) } : { ok: false, error: parsed.error };
    },
  };
}

/** Keeps only defined, flat values. */
export function flat(values: Record<string, string | number | boolean | null | undefined>): Details {
  const out: Details = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v;
  return out;
}

function joined(value: string | readonly string[] | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(',');
}

function iso(value: unknown): string | undefined {
  return toIsoTime(value);
}

/** The only item of a value the splitter sliced to one item (`[arrayKey]: [item]`). */
function onlyItem(raw: JsonObject, arrayKey: string): JsonObject {
  return objectsOf(raw[arrayKey])[0] ?? {};
}

/** CustomerRef for a per-customer item, keyed exactly as the splitter keyed its conversation. */
function itemCustomerRef(field: string, raw: JsonObject, arrayKey: string): CustomerRef | undefined {
  const item = onlyItem(raw, arrayKey);
  const { part, who } = itemCustomer(field, item, raw.contacts);
  if (part === undefined) return undefined;
  return customerRef(part, who, matchingContact(raw.contacts, who));
}

export const NOTIFICATION_MAPPERS: Readonly<Record<string, FieldMapper>> = {
  message_template_status_update: mapper(TemplateStatusUpdateSchema, (v) => ({
    details: flat({
      event: v.event,
      message_template_id: v.message_template_id,
      message_template_name: v.message_template_name,
      message_template_language: v.message_template_language,
      message_template_category: v.message_template_category,
      reason: v.reason,
      disable_date: v.disable_info?.disable_date,
      other_info_title: v.other_info?.title,
      other_info_description: v.other_info?.description,
      rejection_reason: v.rejection_info?.reason,
      rejection_recommendation: v.rejection_info?.recommendation,
    }),
  })),

  template_category_update: mapper(TemplateCategoryUpdateSchema, (v) => ({
    details: flat({
      message_template_id: v.message_template_id,
      message_template_name: v.message_template_name,
      message_template_language: v.message_template_language,
      previous_category: v.previous_category,
      new_category: v.new_category,
      correct_category: v.correct_category,
      category_update_at: iso(v.category_update_timestamp),
    }),
  })),

  message_template_quality_update: mapper(TemplateQualityUpdateSchema, (v) => ({
    details: flat({
      message_template_id: v.message_template_id,
      message_template_name: v.message_template_name,
      message_template_language: v.message_template_language,
      previous_quality_score: v.previous_quality_score,
      new_quality_score: v.new_quality_score,
    }),
  })),

  phone_number_quality_update: mapper(PhoneNumberQualityUpdateSchema, (v) => ({
    details: flat({
      display_phone_number: v.display_phone_number,
      event: v.event,
      current_limit: v.current_limit,
      old_limit: v.old_limit,
      max_daily_conversation_per_phone: v.max_daily_conversation_per_phone,
      max_daily_conversations_per_business: v.max_daily_conversations_per_business,
    }),
  })),

  phone_number_name_update: mapper(PhoneNumberNameUpdateSchema, (v) => ({
    details: flat({
      display_phone_number: v.display_phone_number,
      decision: v.decision,
      requested_verified_name: v.requested_verified_name,
      rejection_reason: v.rejection_reason,
    }),
  })),

  account_update: mapper(AccountUpdateSchema, (v) => ({
    details: flat({
      event: v.event,
      // The business's own number, not a customer's.
      phone_number: v.phone_number,
      ban_state: joined(v.ban_info?.waba_ban_state),
      ban_date: v.ban_info?.waba_ban_date,
      restriction_types: v.restriction_info
        ? v.restriction_info
            .map((r) => r.restriction_type ?? '')
            .filter(Boolean)
            .join(',')
        : undefined,
      violation_type: v.violation_info?.violation_type,
      lock_expires_at: iso(v.lock_info?.expiration),
      waba_id: v.waba_info?.waba_id,
      owner_business_id: v.waba_info?.owner_business_id,
      partner_app_id: v.waba_info?.partner_app_id,
      solution_id: v.waba_info?.solution_id,
      solution_partner_business_ids: joined(v.waba_info?.solution_partner_business_ids),
      disconnection_reason: v.disconnection_info?.reason,
      disconnection_initiated_by: v.disconnection_info?.initiated_by,
      client_business_id: v.partner_client_certification_info?.client_business_id,
      certification_status: v.partner_client_certification_info?.status,
      certification_rejection_reasons: joined(v.partner_client_certification_info?.rejection_reasons),
      volume_tier: v.volume_tier_info?.tier,
      volume_tier_pricing_category: v.volume_tier_info?.pricing_category,
      volume_tier_effective_month: v.volume_tier_info?.effective_month,
      volume_tier_region: v.volume_tier_info?.region,
      volume_tier_updated_at: iso(v.volume_tier_info?.tier_update_time),
    }),
  })),

  account_review_update: mapper(AccountReviewUpdateSchema, (v) => ({ details: flat({ decision: v.decision }) })),

  account_alerts: mapper(AccountAlertsSchema, (v) => ({
    details: flat({
      entity_type: v.entity_type,
      entity_id: v.entity_id,
      alert_severity: v.alert_info.alert_severity,
      alert_status: v.alert_info.alert_status,
      alert_type: v.alert_info.alert_type,
      alert_description: v.alert_info.alert_description,
    }),
  })),

  business_username_update: mapper(BusinessUsernameUpdateSchema, (v) => ({
    details: flat({ display_phone_number: v.display_phone_number, username: v.username, status: v.status }),
  })),

  security: mapper(SecuritySchema, (v) => ({
    details: flat({ display_phone_number: v.display_phone_number, event: v.event, requester: v.requester }),
  })),

  smb_app_state_sync: mapper(StateSyncValueSchema, (v) => {
    const item = v.state_sync[0];
    const phone = item.contact?.phone_number?.replace(/[\s()+-]/g, '');
    const name = item.contact?.full_name ?? item.contact?.first_name ?? undefined;
    // An address-book entry of the business app: the phone number is the customer's wa_id as
    // the business saved it. Name and number go to `customer`, never into details.
    const customer: CustomerRef | undefined = phone ? { id: phone, waId: phone, ...(name ? { name } : {}) } : undefined;
    return {
      details: flat({ sync_type: item.type, action: item.action }),
      ...(customer ? { customer } : {}),
      time: item.metadata?.timestamp,
    };
  }),

  user_preferences: mapper(UserPreferencesValueSchema, (v, raw) => {
    const item = v.user_preferences[0];
    const customer = itemCustomerRef('user_preferences', raw, 'user_preferences');
    return {
      details: flat({ category: item.category, value: item.value, signup_id: item.signup_id }),
      ...(customer ? { customer } : {}),
      time: item.timestamp,
    };
  }),

  user_id_update: mapper(UserIdUpdateValueSchema, (v, raw) => {
    const item = v.user_id_update[0];
    const customer = itemCustomerRef('user_id_update', raw, 'user_id_update');
    return {
      // Business-scoped ids are pseudonymous and needed to re-key the customer's records.
      details: flat({
        previous_user_id: item.user_id?.previous,
        current_user_id: item.user_id?.current,
        previous_parent_user_id: item.parent_user_id?.previous,
        current_parent_user_id: item.parent_user_id?.current,
      }),
      ...(customer ? { customer: { ...customer, ...currentIds(item) } } : {}),
      time: item.timestamp,
    };
  }),

  calls: mapper(CallsValueSchema, (v, raw) => {
    const call = v.calls[0];
    const customer = itemCustomerRef('calls', raw, 'calls');
    return {
      details: flat({
        call_id: call.id,
        event: call.event,
        direction: call.direction,
        status: call.status,
        duration: call.duration,
        start_time: iso(call.start_time),
        end_time: iso(call.end_time),
        biz_opaque_callback_data: call.biz_opaque_callback_data,
        error_code: call.errors?.[0]?.code,
      }),
      ...(customer ? { customer } : {}),
      time: call.timestamp,
    };
  }),

  automatic_events: mapper(AutomaticEventsValueSchema, (v) => {
    const e = v.automatic_events[0];
    return {
      details: flat({ event_name: e.event_name, message_id: e.id, ctwa_clid: e.ctwa_clid }),
      time: e.timestamp,
    };
  }),

  group_participants_update: groupsMapper(),
  group_lifecycle_update: groupsMapper(),
  group_settings_update: groupsMapper(),
  group_status_update: groupsMapper(),
};

function groupsMapper(): FieldMapper {
  return mapper(GroupsValueSchema, (v) => {
    const g = v.groups[0];
    return {
      // Participants are people: only their number is recorded, never who they are.
      details: flat({
        group_id: g.group_id,
        type: g.type,
        request_id: g.request_id,
        reason: g.reason,
        initiated_by: g.initiated_by,
        join_request_id: g.join_request_id,
        added_count: g.added_participants?.length,
        removed_count: g.removed_participants?.length,
        error_code: g.errors?.[0]?.code,
      }),
      time: g.timestamp,
    };
  });
}

function currentIds(item: { user_id?: { current?: string } | null; parent_user_id?: { current?: string } | null }): Partial<CustomerRef> {
  const ids: Partial<CustomerRef> = {};
  if (item.user_id?.current) ids.userId = item.user_id.current;
  if (item.parent_user_id?.current) ids.parentUserId = item.parent_user_id.current;
  return ids;
}

/** Details of Meta's errors (value-level errors, a declined history sync). */
export function errorDetails(errors: readonly WaProviderError[]): Details {
  const first = errors[0];
  return flat({
    code: first?.code,
    title: first?.title,
    message: first?.message,
    details: first?.error_data?.details ?? first?.details,
    error_count: errors.length,
    codes: errors.length > 1 ? errors.map((e) => e.code).join(',') : undefined,
  });
}

const PERSONAL_KEY = /name|phone|wa_id|user_id|username|email|body|text|detail|description|address|caption|vcard|profile|contact|^from|^to$|sdp/i;

/**
 * Fields Meta adds after this code was written: top-level and one-level-nested scalars whose
 * names do not suggest personal data, arrays as counts. Deliberately conservative.
 */
export function genericDetails(value: JsonObject): Details {
  const out: Details = {};
  const take = (key: string, v: unknown): void => {
    if (PERSONAL_KEY.test(key)) return;
    if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) {
      out[key] = v;
    } else if (Array.isArray(v)) {
      out[`${key}_count`] = v.length;
    }
  };
  for (const [k, v] of Object.entries(value)) {
    if (k === 'messaging_product' || k === 'metadata' || k === 'contacts') continue;
    const nested = asObject(v);
    if (nested) {
      for (const [nk, nv] of Object.entries(nested)) if (!asObject(nv)) take(`${k}_${nk}`, nv);
    } else {
      take(k, v);
    }
  }
  return out;
}
