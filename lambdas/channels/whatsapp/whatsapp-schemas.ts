/**
 * Zod schemas for the WhatsApp webhook shapes the normalizer reads. Lenient where Meta varies:
 * objects are loose (new fields pass through), ids may be JSON numbers, timestamps stay raw
 * (epoch seconds as string or number, sometimes a placeholder) and go through toIsoTime()
 * in the normalizer, so a bad timestamp degrades to the entry time instead of a quarantine.
 * Only what the canonical event cannot do without is required.
 */
import * as z from 'zod/mini';
import '#lambdas/shared/zod-messages';
import { idString } from '#lambdas/shared/ids';

/** An id sent as a string or a JSON number; always a trimmed, non-empty string afterwards. */
export const Id = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((value, ctx) => {
    const id = idString(value);
    if (id === undefined) {
      // zod/mini's transforms report through ctx.issues (classic zod's ctx.addIssue pushed the same issue).
      ctx.issues.push({ code: 'custom', message: 'empty id', input: value });
      return z.NEVER;
    }
    return id;
  }),
);

export const RawTime = z.nullish(z.union([z.string(), z.number()]));

const Text = z.string();
const OptText = z.nullish(z.string());
const Count = z.union([z.number(), z.pipe(z.string().check(z.regex(/^-?\d+(\.\d+)?$/)), z.transform(Number))]);

export const ProviderErrorSchema = z.looseObject({
  code: z.union([z.number().check(z.int()), z.pipe(z.string().check(z.regex(/^\d+$/)), z.transform(Number))]),
  title: OptText,
  message: OptText,
  details: OptText,
  href: OptText,
  error_data: z.nullish(z.looseObject({ details: OptText })),
});
export type WaProviderError = z.infer<typeof ProviderErrorSchema>;
const Errors = z.array(ProviderErrorSchema);

export const MetadataSchema = z.looseObject({
  display_phone_number: OptText,
  phone_number_id: Id,
});

export const ContactSchema = z.looseObject({
  profile: z.nullish(z.looseObject({ name: OptText, username: OptText })),
  wa_id: z.optional(Id),
  user_id: z.optional(Id),
  parent_user_id: z.optional(Id),
});
export type WaContact = z.infer<typeof ContactSchema>;

export const MediaSchema = z.looseObject({
  id: z.optional(Id),
  url: OptText,
  link: OptText,
  mime_type: OptText,
  sha256: OptText,
  caption: OptText,
  filename: OptText,
  voice: z.optional(z.boolean()),
  animated: z.optional(z.boolean()),
});
export type WaMedia = z.infer<typeof MediaSchema>;

const Coordinate = z.union([z.number(), z.pipe(z.string().check(z.regex(/^-?\d+(\.\d+)?$/)), z.transform(Number))]);
export const LocationSchema = z.looseObject({
  latitude: Coordinate,
  longitude: Coordinate,
  name: OptText,
  address: OptText,
  url: OptText,
});

export const ContextSchema = z.looseObject({
  from: z.optional(Id),
  id: OptText,
  forwarded: z.optional(z.boolean()),
  frequently_forwarded: z.optional(z.boolean()),
});

export const ReferralSchema = z.looseObject({
  source_url: OptText,
  source_id: z.optional(Id),
  source_type: OptText,
  headline: OptText,
  body: OptText,
  media_type: OptText,
  ctwa_clid: OptText,
});

export const InteractiveSchema = z.looseObject({
  type: OptText,
  button_reply: z.optional(z.looseObject({ id: z.optional(Id), title: OptText })),
  list_reply: z.optional(z.looseObject({ id: z.optional(Id), title: OptText, description: OptText })),
  nfm_reply: z.optional(z.looseObject({ name: OptText, body: OptText, response_json: z.optional(z.unknown()) })),
});

export const OrderSchema = z.looseObject({
  catalog_id: z.optional(Id),
  text: OptText,
  product_items: z._default(
    z.array(
      z.looseObject({
        product_retailer_id: Id,
        quantity: Count,
        item_price: z.optional(Count),
        currency: OptText,
      }),
    ),
    [],
  ),
});

export const SystemSchema = z.looseObject({
  type: OptText,
  body: OptText,
  new_wa_id: z.optional(Id),
  wa_id: z.optional(Id),
  identity: OptText,
  customer: OptText,
});

const OriginalMessageRef = z.looseObject({ original_message_id: Text.check(z.minLength(1)) });

/** The message body of an edit: the same content objects a message has. */
export const EditedContentSchema = z.looseObject({
  type: OptText,
  text: z.optional(z.looseObject({ body: Text })),
  image: z.optional(MediaSchema),
  video: z.optional(MediaSchema),
  document: z.optional(MediaSchema),
  audio: z.optional(MediaSchema),
  sticker: z.optional(MediaSchema),
});

export const MessageSchema = z.looseObject({
  id: Text.check(z.minLength(1)),
  type: Text.check(z.minLength(1)),
  from: z.optional(Id),
  from_user_id: z.optional(Id),
  from_parent_user_id: z.optional(Id),
  to: z.optional(Id),
  to_user_id: z.optional(Id),
  to_parent_user_id: z.optional(Id),
  timestamp: RawTime,
  group_id: z.optional(Id),
  context: z.optional(ContextSchema),
  referral: z.optional(ReferralSchema),
  errors: z.optional(Errors),
  text: z.optional(z.looseObject({ body: Text })),
  image: z.optional(MediaSchema),
  audio: z.optional(MediaSchema),
  video: z.optional(MediaSchema),
  document: z.optional(MediaSchema),
  sticker: z.optional(MediaSchema),
  location: z.optional(LocationSchema),
  contacts: z.optional(z.array(z.unknown())),
  interactive: z.optional(InteractiveSchema),
  button: z.optional(z.looseObject({ payload: OptText, text: OptText })),
  reaction: z.optional(z.looseObject({ message_id: Text.check(z.minLength(1)), emoji: OptText })),
  order: z.optional(OrderSchema),
  system: z.optional(SystemSchema),
  identity: z.optional(z.looseObject({ hash: OptText, acknowledged: z.optional(z.boolean()), created_timestamp: RawTime })),
  edit: z.optional(z.looseObject({ original_message_id: Text.check(z.minLength(1)), message: z.optional(EditedContentSchema) })),
  revoke: z.optional(OriginalMessageRef),
  history_context: z.optional(z.looseObject({ status: OptText, from_me: z.optional(z.boolean()) })),
});
export type WaMessage = z.infer<typeof MessageSchema>;

export const StatusSchema = z.looseObject({
  id: Text.check(z.minLength(1)),
  status: z.pipe(
    z.transform((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v)),
    z.enum(['sent', 'delivered', 'read', 'played', 'failed', 'deleted']),
  ),
  timestamp: RawTime,
  recipient_id: z.optional(Id),
  recipient_user_id: z.optional(Id),
  parent_recipient_user_id: z.optional(Id),
  recipient_type: OptText,
  recipient_participant_id: z.optional(Id),
  recipient_participant_user_id: z.optional(Id),
  recipient_participant_parent_user_id: z.optional(Id),
  group_id: z.optional(Id),
  biz_opaque_callback_data: OptText,
  conversation: z.nullish(
    z.looseObject({
      id: z.optional(Id),
      expiration_timestamp: RawTime,
      origin: z.nullish(z.looseObject({ type: OptText })),
    }),
  ),
  pricing: z.nullish(
    z.looseObject({
      billable: z.optional(z.boolean()),
      pricing_model: OptText,
      category: OptText,
      type: OptText,
    }),
  ),
  errors: z.optional(Errors),
});
export type WaStatus = z.infer<typeof StatusSchema>;

const Envelope = {
  messaging_product: OptText,
  metadata: MetadataSchema,
  contacts: z.optional(z.array(ContactSchema)),
};

/** A `messages` change sliced to one message. */
export const MessageValueSchema = z.looseObject({
  ...Envelope,
  messages: z.tuple([MessageSchema]),
  errors: z.optional(Errors),
});

/** A `messages` change sliced to one status. */
export const StatusValueSchema = z.looseObject({ ...Envelope, statuses: z.tuple([StatusSchema]) });

/** A `messages` change that carries only value-level errors. */
export const ErrorsValueSchema = z.looseObject({
  messaging_product: OptText,
  metadata: z.optional(MetadataSchema),
  contacts: z.optional(z.array(ContactSchema)),
  errors: Errors.check(z.minLength(1)),
});

/** An `smb_message_echoes` change sliced to one echo. */
export const EchoValueSchema = z.looseObject({ ...Envelope, message_echoes: z.tuple([MessageSchema]) });

/** A `history` change sliced to one message of one thread. */
export const HistoryMessageValueSchema = z.looseObject({
  messaging_product: OptText,
  metadata: MetadataSchema,
  history: z.tuple([
    z.looseObject({
      metadata: z.nullish(z.looseObject({ phase: z.optional(Count), chunk_order: z.optional(Count), progress: z.optional(Count) })),
      threads: z.tuple([z.looseObject({ id: Id, messages: z.tuple([MessageSchema]) })]),
    }),
  ]),
});

/** A `history` change reporting that the sync was declined or failed. */
export const HistoryErrorsValueSchema = z.looseObject({
  metadata: z.optional(MetadataSchema),
  history: z.tuple([
    z.looseObject({
      metadata: z.nullish(z.looseObject({ phase: z.optional(Count), chunk_order: z.optional(Count), progress: z.optional(Count) })),
      errors: Errors.check(z.minLength(1)),
    }),
  ]),
});

export const ChangeSchema = z.object({ field: Text.check(z.minLength(1)), value: z.looseObject({}) });

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
  disable_info: z.nullish(z.looseObject({ disable_date: OptText })),
  other_info: z.nullish(z.looseObject({ title: OptText, description: OptText })),
  rejection_info: z.nullish(z.looseObject({ reason: OptText, recommendation: OptText })),
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
  display_phone_number: z.optional(Id),
  event: Text,
  current_limit: OptText,
  old_limit: OptText,
  max_daily_conversation_per_phone: z.optional(Count),
  max_daily_conversations_per_business: z.optional(z.union([Count, Text])),
});

export const PhoneNumberNameUpdateSchema = z.looseObject({
  display_phone_number: z.optional(Id),
  decision: Text,
  requested_verified_name: OptText,
  rejection_reason: OptText,
});

const StringOrList = z.nullish(z.union([Text, z.array(Text)]));

export const AccountUpdateSchema = z.looseObject({
  event: Text,
  phone_number: z.optional(Id),
  ban_info: z.nullish(z.looseObject({ waba_ban_state: StringOrList, waba_ban_date: OptText })),
  restriction_info: z.nullish(z.array(z.looseObject({ restriction_type: OptText, expiration: RawTime }))),
  violation_info: z.nullish(z.looseObject({ violation_type: OptText })),
  lock_info: z.nullish(z.looseObject({ expiration: RawTime })),
  waba_info: z.nullish(
    z.looseObject({
      waba_id: z.optional(Id),
      owner_business_id: z.optional(Id),
      partner_app_id: z.optional(Id),
      solution_id: z.optional(Id),
      solution_partner_business_ids: z.nullish(z.array(Id)),
    }),
  ),
  disconnection_info: z.nullish(z.looseObject({ reason: OptText, initiated_by: OptText })),
  partner_client_certification_info: z.nullish(z.looseObject({ client_business_id: z.optional(Id), status: OptText, rejection_reasons: StringOrList })),
  volume_tier_info: z.nullish(
    z.looseObject({
      tier_update_time: RawTime,
      pricing_category: OptText,
      tier: OptText,
      effective_month: OptText,
      region: OptText,
    }),
  ),
});

export const AccountReviewUpdateSchema = z.looseObject({ decision: Text });

export const AccountAlertsSchema = z.looseObject({
  entity_type: OptText,
  entity_id: z.optional(Id),
  alert_info: z.looseObject({
    alert_severity: OptText,
    alert_status: OptText,
    alert_type: OptText,
    alert_description: OptText,
  }),
});

export const BusinessUsernameUpdateSchema = z.looseObject({
  display_phone_number: z.optional(Id),
  username: OptText,
  status: Text,
});

export const SecuritySchema = z.looseObject({
  display_phone_number: z.optional(Id),
  event: Text,
  requester: z.optional(Id),
});

export const StateSyncValueSchema = z.looseObject({
  state_sync: z.tuple([
    z.looseObject({
      type: Text,
      action: OptText,
      contact: z.nullish(z.looseObject({ full_name: OptText, first_name: OptText, phone_number: z.optional(Id) })),
      metadata: z.nullish(z.looseObject({ timestamp: RawTime })),
    }),
  ]),
});

export const UserPreferencesValueSchema = z.looseObject({
  contacts: z.optional(z.array(ContactSchema)),
  user_preferences: z.tuple([
    z.looseObject({
      wa_id: z.optional(Id),
      user_id: z.optional(Id),
      parent_user_id: z.optional(Id),
      category: Text,
      value: Text,
      signup_id: z.optional(Id),
      timestamp: RawTime,
    }),
  ]),
});

const PreviousCurrent = z.nullish(z.looseObject({ previous: z.optional(Id), current: z.optional(Id) }));
export const UserIdUpdateValueSchema = z.looseObject({
  contacts: z.optional(z.array(ContactSchema)),
  user_id_update: z.tuple([z.looseObject({ wa_id: z.optional(Id), user_id: PreviousCurrent, parent_user_id: PreviousCurrent, timestamp: RawTime })]),
});

export const CallsValueSchema = z.looseObject({
  contacts: z.optional(z.array(ContactSchema)),
  calls: z.tuple([
    z.looseObject({
      id: Text.check(z.minLength(1)),
      event: Text,
      from: z.optional(Id),
      to: z.optional(Id),
      from_user_id: z.optional(Id),
      to_user_id: z.optional(Id),
      direction: OptText,
      status: OptText,
      duration: z.optional(Count),
      start_time: RawTime,
      end_time: RawTime,
      timestamp: RawTime,
      biz_opaque_callback_data: OptText,
      errors: z.optional(Errors),
    }),
  ]),
});

export const AutomaticEventsValueSchema = z.looseObject({
  automatic_events: z.tuple([z.looseObject({ id: OptText, event_name: Text, timestamp: RawTime, ctwa_clid: OptText })]),
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
      added_participants: z.nullish(z.array(z.unknown())),
      removed_participants: z.nullish(z.array(z.unknown())),
      errors: z.optional(Errors),
    }),
  ]),
});
