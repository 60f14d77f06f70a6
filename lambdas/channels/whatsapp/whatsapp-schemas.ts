/**
 * Zod schemas for the WhatsApp webhook shapes the normalizer reads. Lenient where Meta varies:
 * objects are loose (new fields pass through), ids may be JSON numbers, timestamps stay raw
 * (epoch seconds as string or number, sometimes a placeholder) and go through toIsoTime()
 * in the normalizer, so a bad timestamp degrades to the entry time instead of a quarantine.
 * Only what the canonical event cannot do without is required.
 */
import * as z from 'zod';
import { idString } from '#lambdas/shared/ids';

/** An id sent as a string or a JSON number; always a trimmed, non-empty string afterwards. */
export const Id = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const id = idString(value);
  if (id === undefined) {
    ctx.addIssue({ code: 'custom', message: 'empty id' });
    return z.NEVER;
  }
  return id;
});

export const RawTime = z.union([z.string(), z.number()]).nullish();

const Text = z.string();
const OptText = z.string().nullish();
const Count = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

export const ProviderErrorSchema = z.looseObject({
  code: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
  title: OptText,
  message: OptText,
  details: OptText,
  href: OptText,
  error_data: z.looseObject({ details: OptText }).nullish(),
});
export type WaProviderError = z.infer<typeof ProviderErrorSchema>;
const Errors = z.array(ProviderErrorSchema);

export const MetadataSchema = z.looseObject({
  display_phone_number: OptText,
  phone_number_id: Id,
});

export const ContactSchema = z.looseObject({
  profile: z.looseObject({ name: OptText, username: OptText }).nullish(),
  wa_id: Id.optional(),
  user_id: Id.optional(),
  parent_user_id: Id.optional(),
});
export type WaContact = z.infer<typeof ContactSchema>;

export const MediaSchema = z.looseObject({
  id: Id.optional(),
  url: OptText,
  link: OptText,
  mime_type: OptText,
  sha256: OptText,
  caption: OptText,
  filename: OptText,
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});
export type WaMedia = z.infer<typeof MediaSchema>;

const Coordinate = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
export const LocationSchema = z.looseObject({
  latitude: Coordinate,
  longitude: Coordinate,
  name: OptText,
  address: OptText,
  url: OptText,
});

export const ContextSchema = z.looseObject({
  from: Id.optional(),
  id: OptText,
  forwarded: z.boolean().optional(),
  frequently_forwarded: z.boolean().optional(),
});

export const ReferralSchema = z.looseObject({
  source_url: OptText,
  source_id: Id.optional(),
  source_type: OptText,
  headline: OptText,
  body: OptText,
  media_type: OptText,
  ctwa_clid: OptText,
});

export const InteractiveSchema = z.looseObject({
  type: OptText,
  button_reply: z.looseObject({ id: Id.optional(), title: OptText }).optional(),
  list_reply: z.looseObject({ id: Id.optional(), title: OptText, description: OptText }).optional(),
  nfm_reply: z.looseObject({ name: OptText, body: OptText, response_json: z.unknown().optional() }).optional(),
});

export const OrderSchema = z.looseObject({
  catalog_id: Id.optional(),
  text: OptText,
  product_items: z
    .array(
      z.looseObject({
        product_retailer_id: Id,
        quantity: Count,
        item_price: Count.optional(),
        currency: OptText,
      }),
    )
    .default([]),
});

export const SystemSchema = z.looseObject({
  type: OptText,
  body: OptText,
  new_wa_id: Id.optional(),
  wa_id: Id.optional(),
  identity: OptText,
  customer: OptText,
});

const OriginalMessageRef = z.looseObject({ original_message_id: Text.min(1) });

/** The message body of an edit: the same content objects a message has. */
export const EditedContentSchema = z.looseObject({
  type: OptText,
  text: z.looseObject({ body: Text }).optional(),
  image: MediaSchema.optional(),
  video: MediaSchema.optional(),
  document: MediaSchema.optional(),
  audio: MediaSchema.optional(),
  sticker: MediaSchema.optional(),
});

export const MessageSchema = z.looseObject({
  id: Text.min(1),
  type: Text.min(1),
  from: Id.optional(),
  from_user_id: Id.optional(),
  from_parent_user_id: Id.optional(),
  to: Id.optional(),
  to_user_id: Id.optional(),
  to_parent_user_id: Id.optional(),
  timestamp: RawTime,
  group_id: Id.optional(),
  context: ContextSchema.optional(),
  referral: ReferralSchema.optional(),
  errors: Errors.optional(),
  text: z.looseObject({ body: Text }).optional(),
  image: MediaSchema.optional(),
  audio: MediaSchema.optional(),
  video: MediaSchema.optional(),
  document: MediaSchema.optional(),
  sticker: MediaSchema.optional(),
  location: LocationSchema.optional(),
  contacts: z.array(z.unknown()).optional(),
  interactive: InteractiveSchema.optional(),
  button: z.looseObject({ payload: OptText, text: OptText }).optional(),
  reaction: z.looseObject({ message_id: Text.min(1), emoji: OptText }).optional(),
  order: OrderSchema.optional(),
  system: SystemSchema.optional(),
  identity: z.looseObject({ hash: OptText, acknowledged: z.boolean().optional(), created_timestamp: RawTime }).optional(),
  edit: z.looseObject({ original_message_id: Text.min(1), message: EditedContentSchema.optional() }).optional(),
  revoke: OriginalMessageRef.optional(),
  history_context: z.looseObject({ status: OptText, from_me: z.boolean().optional() }).optional(),
});
export type WaMessage = z.infer<typeof MessageSchema>;

export const StatusSchema = z.looseObject({
  id: Text.min(1),
  status: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(['sent', 'delivered', 'read', 'played', 'failed', 'deleted']),
  ),
  timestamp: RawTime,
  recipient_id: Id.optional(),
  recipient_user_id: Id.optional(),
  parent_recipient_user_id: Id.optional(),
  recipient_type: OptText,
  recipient_participant_id: Id.optional(),
  recipient_participant_user_id: Id.optional(),
  recipient_participant_parent_user_id: Id.optional(),
  group_id: Id.optional(),
  biz_opaque_callback_data: OptText,
  conversation: z
    .looseObject({
      id: Id.optional(),
      expiration_timestamp: RawTime,
      origin: z.looseObject({ type: OptText }).nullish(),
    })
    .nullish(),
  pricing: z
    .looseObject({
      billable: z.boolean().optional(),
      pricing_model: OptText,
      category: OptText,
      type: OptText,
    })
    .nullish(),
  errors: Errors.optional(),
});
export type WaStatus = z.infer<typeof StatusSchema>;

const Envelope = {
  messaging_product: OptText,
  metadata: MetadataSchema,
  contacts: z.array(ContactSchema).optional(),
};

/** A `messages` change sliced to one message. */
export const MessageValueSchema = z.looseObject({
  ...Envelope,
  messages: z.tuple([MessageSchema]),
  errors: Errors.optional(),
});

/** A `messages` change sliced to one status. */
export const StatusValueSchema = z.looseObject({ ...Envelope, statuses: z.tuple([StatusSchema]) });

/** A `messages` change that carries only value-level errors. */
export const ErrorsValueSchema = z.looseObject({
  messaging_product: OptText,
  metadata: MetadataSchema.optional(),
  contacts: z.array(ContactSchema).optional(),
  errors: Errors.min(1),
});

/** An `smb_message_echoes` change sliced to one echo. */
export const EchoValueSchema = z.looseObject({ ...Envelope, message_echoes: z.tuple([MessageSchema]) });

/** A `history` change sliced to one message of one thread. */
export const HistoryMessageValueSchema = z.looseObject({
  messaging_product: OptText,
  metadata: MetadataSchema,
  history: z.tuple([
    z.looseObject({
      metadata: z.looseObject({ phase: Count.optional(), chunk_order: Count.optional(), progress: Count.optional() }).nullish(),
      threads: z.tuple([z.looseObject({ id: Id, messages: z.tuple([MessageSchema]) })]),
    }),
  ]),
});

/** A `history` change reporting that the sync was declined or failed. */
export const HistoryErrorsValueSchema = z.looseObject({
  metadata: MetadataSchema.optional(),
  history: z.tuple([
    z.looseObject({
      metadata: z.looseObject({ phase: Count.optional(), chunk_order: Count.optional(), progress: Count.optional() }).nullish(),
      errors: Errors.min(1),
    }),
  ]),
});

export const ChangeSchema = z.object({ field: Text.min(1), value: z.looseObject({}) });

// ---- account, template, number and per-customer notifications ----

const TemplateRef = {
  message_template_id: Id,
  message_template_name: OptText,
  message_template_language: OptText,
};

export const TemplateStatusUpdateSchema = z.looseObject({
  ...TemplateRef,
  event: Text,
  message_template_category: OptText,
  reason: OptText,
  disable_info: z.looseObject({ disable_date: OptText }).nullish(),
  other_info: z.looseObject({ title: OptText, description: OptText }).nullish(),
  rejection_info: z.looseObject({ reason: OptText, recommendation: OptText }).nullish(),
});

export const TemplateCategoryUpdateSchema = z.looseObject({
  ...TemplateRef,
  previous_category: OptText,
  new_category: OptText,
  correct_category: OptText,
  category_update_timestamp: RawTime,
});

export const TemplateQualityUpdateSchema = z.looseObject({
  ...TemplateRef,
  previous_quality_score: OptText,
  new_quality_score: Text,
});

export const PhoneNumberQualityUpdateSchema = z.looseObject({
  display_phone_number: Id.optional(),
  event: Text,
  current_limit: OptText,
  old_limit: OptText,
  max_daily_conversation_per_phone: Count.optional(),
  max_daily_conversations_per_business: z.union([Count, Text]).optional(),
});

export const PhoneNumberNameUpdateSchema = z.looseObject({
  display_phone_number: Id.optional(),
  decision: Text,
  requested_verified_name: OptText,
  rejection_reason: OptText,
});

const StringOrList = z.union([Text, z.array(Text)]).nullish();

export const AccountUpdateSchema = z.looseObject({
  event: Text,
  phone_number: Id.optional(),
  ban_info: z.looseObject({ waba_ban_state: StringOrList, waba_ban_date: OptText }).nullish(),
  restriction_info: z.array(z.looseObject({ restriction_type: OptText, expiration: RawTime })).nullish(),
  violation_info: z.looseObject({ violation_type: OptText }).nullish(),
  lock_info: z.looseObject({ expiration: RawTime }).nullish(),
  waba_info: z
    .looseObject({
      waba_id: Id.optional(),
      owner_business_id: Id.optional(),
      partner_app_id: Id.optional(),
      solution_id: Id.optional(),
      solution_partner_business_ids: z.array(Id).nullish(),
    })
    .nullish(),
  disconnection_info: z.looseObject({ reason: OptText, initiated_by: OptText }).nullish(),
  partner_client_certification_info: z
    .looseObject({ client_business_id: Id.optional(), status: OptText, rejection_reasons: StringOrList })
    .nullish(),
  volume_tier_info: z
    .looseObject({
      tier_update_time: RawTime,
      pricing_category: OptText,
      tier: OptText,
      effective_month: OptText,
      region: OptText,
    })
    .nullish(),
});

export const AccountReviewUpdateSchema = z.looseObject({ decision: Text });

export const AccountAlertsSchema = z.looseObject({
  entity_type: OptText,
  entity_id: Id.optional(),
  alert_info: z.looseObject({
    alert_severity: OptText,
    alert_status: OptText,
    alert_type: OptText,
    alert_description: OptText,
  }),
});

export const BusinessUsernameUpdateSchema = z.looseObject({
  display_phone_number: Id.optional(),
  username: OptText,
  status: Text,
});

export const SecuritySchema = z.looseObject({
  display_phone_number: Id.optional(),
  event: Text,
  requester: Id.optional(),
});

export const StateSyncValueSchema = z.looseObject({
  state_sync: z.tuple([
    z.looseObject({
      type: Text,
      action: OptText,
      contact: z.looseObject({ full_name: OptText, first_name: OptText, phone_number: Id.optional() }).nullish(),
      metadata: z.looseObject({ timestamp: RawTime }).nullish(),
    }),
  ]),
});

export const UserPreferencesValueSchema = z.looseObject({
  contacts: z.array(ContactSchema).optional(),
  user_preferences: z.tuple([
    z.looseObject({
      wa_id: Id.optional(),
      user_id: Id.optional(),
      parent_user_id: Id.optional(),
      category: Text,
      value: Text,
      signup_id: Id.optional(),
      timestamp: RawTime,
    }),
  ]),
});

const PreviousCurrent = z.looseObject({ previous: Id.optional(), current: Id.optional() }).nullish();
export const UserIdUpdateValueSchema = z.looseObject({
  contacts: z.array(ContactSchema).optional(),
  user_id_update: z.tuple([
    z.looseObject({ wa_id: Id.optional(), user_id: PreviousCurrent, parent_user_id: PreviousCurrent, timestamp: RawTime }),
  ]),
});

export const CallsValueSchema = z.looseObject({
  contacts: z.array(ContactSchema).optional(),
  calls: z.tuple([
    z.looseObject({
      id: Text.min(1),
      event: Text,
      from: Id.optional(),
      to: Id.optional(),
      from_user_id: Id.optional(),
      to_user_id: Id.optional(),
      direction: OptText,
      status: OptText,
      duration: Count.optional(),
      start_time: RawTime,
      end_time: RawTime,
      timestamp: RawTime,
      biz_opaque_callback_data: OptText,
      errors: Errors.optional(),
    }),
  ]),
});

export const AutomaticEventsValueSchema = z.looseObject({
  automatic_events: z.tuple([
    z.looseObject({ id: OptText, event_name: Text, timestamp: RawTime, ctwa_clid: OptText }),
  ]),
});

export const GroupsValueSchema = z.looseObject({
  groups: z.tuple([
    z.looseObject({
      group_id: Id,
      type: Text,
      timestamp: RawTime,
      request_id: OptText,
      reason: OptText,
      initiated_by: OptText,
      join_request_id: OptText,
      added_participants: z.array(z.unknown()).nullish(),
      removed_participants: z.array(z.unknown()).nullish(),
      errors: Errors.optional(),
    }),
  ]),
});
