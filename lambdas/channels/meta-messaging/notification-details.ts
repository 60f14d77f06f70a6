import type * as z from 'zod/mini';
import type { AccountLinkingSchema, OptinSchema, PolicyEnforcementSchema, ThreadControlSchema } from '#lambdas/channels/meta-messaging/messaging-schemas';
import { isRecord } from '#lambdas/channels/meta-messaging/messaging-item';
import { idString } from '#lambdas/shared/ids';
import { toIsoTime } from '#lambdas/shared/time';

/**
 * Flat, typed details for notifications (opt-ins, account linking, handover, comments…). They
 * are read by analysts and published on the event bus, so they hold ids, states and reasons,
 * never tokens, authorization codes, names or message text.
 */
export type Details = Record<string, string | number | boolean | null>;

export function optinDetails(optin: z.infer<typeof OptinSchema>): Details {
  return flat({
    type: optin.type,
    ref: optin.ref,
    payload: optin.payload,
    title: optin.title,
    // The checkbox plugin's user_ref is the business's own handle for the person, needed to
    // send the confirmation message; it grants nothing by itself.
    userRef: optin.user_ref,
    // Recurring and one-time notification tokens let anyone holding them message the customer:
    // only their presence and state leave this function.
    hasToken: optin.notification_messages_token || optin.one_time_notif_token ? true : undefined,
    tokenStatus: optin.user_token_status,
    tokenExpiresAt: toIsoTime(optin.token_expiry_timestamp),
    frequency: optin.notification_messages_frequency,
    timezone: optin.notification_messages_timezone,
    notificationStatus: optin.notification_messages_status,
  });
}

export function accountLinkingDetails(linking: z.infer<typeof AccountLinkingSchema>): Details {
  return flat({ status: linking.status, hasAuthorizationCode: linking.authorization_code ? true : undefined });
}

export function policyEnforcementDetails(policy: z.infer<typeof PolicyEnforcementSchema>): Details {
  return flat({ action: policy.action, reason: policy.reason });
}

export function threadControlDetails(control: z.infer<typeof ThreadControlSchema>): Details {
  return flat({
    newOwnerAppId: control.new_owner_app_id,
    previousOwnerAppId: control.previous_owner_app_id,
    requestedOwnerAppId: control.requested_owner_app_id,
    // Metadata is free text chosen by the other app: record that it came, not what it says.
    hasMetadata: control.metadata ? true : undefined,
  });
}

/** Scalar fields safe to copy from an unknown object: they name states, not people. */
const STATE_KEYS = new Set(['verb', 'item', 'status', 'event', 'action', 'type', 'media_product_type', 'role']);
/** Objects naming a person: their ids live in the customer reference, not in details. */
const PERSON_KEYS = new Set(['from', 'sender', 'recipient', 'user']);

/**
 * Details for a notification whose shape we do not model field by field: ids (`id`, `*_id`,
 * nested `{ id }` / `{ mid }`) and a few state words, one level deep. Free text is never copied.
 */
export function idAndStateDetails(value: Record<string, unknown>): Details {
  const details: Details = {};
  for (const [key, v] of Object.entries(value)) {
    if (PERSON_KEYS.has(key)) continue;
    if (key === 'id' || key.endsWith('_id')) {
      const id = idString(v);
      if (id !== undefined) details[camel(key)] = id;
    } else if (STATE_KEYS.has(key) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
      details[camel(key)] = v;
    } else if (isRecord(v)) {
      const id = idString(v.id) ?? idString(v.mid);
      if (id !== undefined) details[`${camel(key)}Id`] = id;
    }
  }
  return details;
}

function camel(key: string): string {
  return key.replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function flat(values: Record<string, string | number | boolean | null | undefined>): Details {
  const details: Details = {};
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') details[key] = value;
  }
  return details;
}
