import type { SimClock } from '#lib/local-cloud/crm-simulator/crm-route-types';

/**
 * HubSpot's records as the simulator keeps them: CRM objects (`contacts`, `tickets`) with string
 * properties, HubSpot-style numeric ids, and the portal's property definitions (which properties
 * exist, which hold unique values). A test reads counts and records from here.
 */

export type HubSpotObjectType = 'contacts' | 'tickets';

export interface HubSpotRecord {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface HubSpotPortalSchema {
  /** Properties that exist per object (HubSpot's defaults plus the business's custom ones). */
  properties: Record<HubSpotObjectType, ReadonlySet<string>>;
  /** Properties created with "unique values" (`hasUniqueValue`), usable as `idProperty`. */
  uniqueProperties: Record<HubSpotObjectType, ReadonlySet<string>>;
}

/** HubSpot's own read-only properties: set by HubSpot, refused in writes. */
export const HUBSPOT_READ_ONLY = new Set(['hs_object_id', 'createdate', 'lastmodifieddate']);

const DEFAULT_CONTACT_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'hs_language', 'lifecyclestage', 'company', 'hubspot_owner_id'];
const DEFAULT_TICKET_PROPERTIES = [
  'subject',
  'content',
  'hs_pipeline',
  'hs_pipeline_stage',
  'hs_ticket_priority',
  'hs_ticket_category',
  'source_type',
  'hubspot_owner_id',
];

/** The custom properties docs/integrations.md asks the business to create. */
export const HUBSPOT_SETUP_CONTACT_PROPERTIES = [
  'omnichannel_contact_id',
  'omnichannel_language',
  'omnichannel_tags',
  'omnichannel_vip',
  'omnichannel_first_touch_channel',
  'omnichannel_first_touch_source',
  'omnichannel_first_touch_at',
  'omnichannel_ad_id',
  'omnichannel_ad_headline',
  'omnichannel_ctwa_clid',
  'omnichannel_first_touch_url',
  'omnichannel_utm_source',
  'omnichannel_utm_medium',
  'omnichannel_utm_campaign',
  'omnichannel_utm_term',
  'omnichannel_utm_content',
];
export const HUBSPOT_SETUP_TICKET_PROPERTIES = [
  'omnichannel_conversation_id',
  'omnichannel_contact_id',
  'omnichannel_channel',
  'omnichannel_agent_id',
  'omnichannel_queue_id',
  'omnichannel_reason',
  'omnichannel_outcome',
  'omnichannel_tags',
  'omnichannel_opened_at',
  'omnichannel_closed_at',
  'omnichannel_csat',
];

/** A portal where the business did the setup in docs/integrations.md. */
export function hubspotPortalWithSetup(): HubSpotPortalSchema {
  return {
    properties: {
      contacts: new Set([...DEFAULT_CONTACT_PROPERTIES, ...HUBSPOT_READ_ONLY, ...HUBSPOT_SETUP_CONTACT_PROPERTIES]),
      tickets: new Set([...DEFAULT_TICKET_PROPERTIES, ...HUBSPOT_READ_ONLY, ...HUBSPOT_SETUP_TICKET_PROPERTIES]),
    },
    uniqueProperties: { contacts: new Set(['email', 'omnichannel_contact_id']), tickets: new Set(['omnichannel_conversation_id']) },
  };
}

/** The default ticket pipeline and its stages. */
export const HUBSPOT_PIPELINES: Record<string, readonly string[]> = { '0': ['1', '2', '3', '4'] };

export class HubSpotRecordStore {
  readonly schema: HubSpotPortalSchema;
  private readonly clock: SimClock;
  private readonly objects = new Map<HubSpotObjectType, Map<string, HubSpotRecord>>();
  private readonly createdCount = new Map<HubSpotObjectType, number>();
  private readonly updatedCount = new Map<HubSpotObjectType, number>();
  private nextId = 100_001;

  constructor(options: { schema?: HubSpotPortalSchema; clock?: SimClock } = {}) {
    this.schema = options.schema ?? hubspotPortalWithSetup();
    this.clock = options.clock ?? Date.now;
  }

  private table(objectType: HubSpotObjectType): Map<string, HubSpotRecord> {
    let table = this.objects.get(objectType);
    if (!table) {
      table = new Map();
      this.objects.set(objectType, table);
    }
    return table;
  }

  /** The record whose (unique) property holds this value; HubSpot compares unique values without regard to case. */
  findByUnique(objectType: HubSpotObjectType, property: string, value: string): HubSpotRecord | undefined {
    const wanted = value.toLowerCase();
    for (const record of this.table(objectType).values()) if (record.properties[property]?.toLowerCase() === wanted) return record;
    return undefined;
  }

  /** Create or update the record named by `idProperty = idValue`; only the given properties change. */
  upsert(objectType: HubSpotObjectType, idProperty: string, idValue: string, properties: Record<string, string>): { record: HubSpotRecord; created: boolean } {
    const now = new Date(this.clock()).toISOString();
    const existing = this.findByUnique(objectType, idProperty, idValue);
    if (existing) {
      Object.assign(existing.properties, properties, { lastmodifieddate: now });
      existing.updatedAt = now;
      this.updatedCount.set(objectType, (this.updatedCount.get(objectType) ?? 0) + 1);
      return { record: existing, created: false };
    }
    const id = String(this.nextId++);
    const record: HubSpotRecord = {
      id,
      properties: { ...properties, [idProperty]: idValue, hs_object_id: id, createdate: now, lastmodifieddate: now },
      createdAt: now,
      updatedAt: now,
    };
    this.table(objectType).set(id, record);
    this.createdCount.set(objectType, (this.createdCount.get(objectType) ?? 0) + 1);
    return { record, created: true };
  }

  /** Seed a record as if someone had typed it into HubSpot (for lookup tests). */
  seed(objectType: HubSpotObjectType, properties: Record<string, string>, createdAt?: string): HubSpotRecord {
    const now = createdAt ?? new Date(this.clock()).toISOString();
    const id = String(this.nextId++);
    const record: HubSpotRecord = {
      id,
      properties: { ...properties, hs_object_id: id, createdate: now, lastmodifieddate: now },
      createdAt: now,
      updatedAt: now,
    };
    this.table(objectType).set(id, record);
    return record;
  }

  records(objectType: HubSpotObjectType): HubSpotRecord[] {
    return [...this.table(objectType).values()];
  }

  count(objectType: HubSpotObjectType): number {
    return this.table(objectType).size;
  }

  /** Records created through the API (not seeded). */
  created(objectType: HubSpotObjectType): number {
    return this.createdCount.get(objectType) ?? 0;
  }

  updated(objectType: HubSpotObjectType): number {
    return this.updatedCount.get(objectType) ?? 0;
  }

  reset(): void {
    this.objects.clear();
    this.createdCount.clear();
    this.updatedCount.clear();
  }
}
