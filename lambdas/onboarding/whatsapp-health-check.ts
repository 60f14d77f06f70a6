import type { OnboardingGraph } from '#lambdas/onboarding/onboarding-graph-client';
import { HealthCheckFailed } from '#lambdas/onboarding/errors';

export interface WhatsAppHealth extends Record<string, unknown> {
  status?: string;
  nameStatus?: string;
  qualityRating?: string;
  throughputLevel?: string;
  displayPhoneNumber?: string;
  verifiedName?: string;
  appSubscribed: boolean;
}

const PHONE_FIELDS = 'display_phone_number,verified_name,status,name_status,quality_rating,throughput,code_verification_status,platform_type';
/** Display names that let the number send: approved, or short names Meta needs no review for. */
const USABLE_NAME_STATUSES = new Set(['APPROVED', 'AVAILABLE_WITHOUT_REVIEW']);

/**
 * What Meta says about a freshly onboarded number and its WABA, and whether it may serve: the
 * number CONNECTED, its display name approved, our app among the WABA's subscribed apps. Quality
 * and throughput are recorded, not judged (a new number starts UNKNOWN).
 */
export async function checkWhatsAppHealth(
  graph: OnboardingGraph,
  token: string,
  ids: { wabaId: string; phoneNumberId: string; appId: string },
): Promise<WhatsAppHealth> {
  const number = await graph.get(ids.phoneNumberId, { fields: PHONE_FIELDS }, token);
  const apps = await graph.get(`${ids.wabaId}/subscribed_apps`, {}, token);
  const subscribed = Array.isArray(apps.data)
    ? (apps.data as Array<{ whatsapp_business_api_data?: { id?: unknown } }>).some((a) => String(a.whatsapp_business_api_data?.id) === ids.appId)
    : false;
  const health: WhatsAppHealth = {
    ...str('status', number.status),
    ...str('nameStatus', number.name_status),
    ...str('qualityRating', number.quality_rating),
    ...str('throughputLevel', (number.throughput as { level?: unknown } | undefined)?.level),
    ...str('displayPhoneNumber', number.display_phone_number),
    ...str('verifiedName', number.verified_name),
    appSubscribed: subscribed,
  };

  if (health.status !== 'CONNECTED') {
    throw new HealthCheckFailed(
      `Meta reports the number as ${health.status ?? 'without a status'}, not CONNECTED`,
      health.status === 'PENDING'
        ? 'The number is not registered yet: re-run with --resume (registration), or finish verification in WhatsApp Manager.'
        : 'Check the number in WhatsApp Manager (flagged, restricted or disconnected), fix what it names, then re-run with --resume.',
      health,
    );
  }
  if (!USABLE_NAME_STATUSES.has(health.nameStatus ?? '')) {
    throw new HealthCheckFailed(
      `the display name is ${health.nameStatus ?? 'unknown'}, not APPROVED`,
      health.nameStatus === 'DECLINED' || health.nameStatus === 'NON_EXISTS'
        ? 'Meta declined the display name: change it in WhatsApp Manager to one that matches the business, then re-run with --resume once it is approved.'
        : "The display name is still in Meta's review (usually under two days; the phone_number_name_update webhook says when): re-run with --resume once it is approved.",
      health,
    );
  }
  if (!subscribed) {
    throw new HealthCheckFailed(
      "our app is not among the WABA's subscribed apps",
      'The subscription did not hold (the business may have removed the app in Business Settings → Integrations): have the business finish Embedded Signup again and re-run with the new code, which starts the onboarding over.',
      health,
    );
  }
  return health;
}

/** Messages per second for Meta's throughput level; coexistence numbers are held to 20. */
export function throughputPerSecond(level: unknown, coexistence: boolean): number | undefined {
  if (coexistence) return 20;
  if (level === 'HIGH') return 1000;
  if (level === 'STANDARD') return 80;
  return undefined;
}

function str<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' && value !== '' ? ({ [key]: value } as Record<K, string>) : {};
}
