import { instagramLoginStateOf } from '#lib/local-cloud/graph-simulator/instagram-login-state';
import { onboardingStateOf } from '#lib/local-cloud/graph-simulator/onboarding-state';
import type { SimulatorContext } from '#lib/local-cloud/graph-simulator/simulator-context';

export interface ControlAnswer {
  status: number;
  body: unknown;
}

/**
 * Control routes under `/_sim/onboarding/` for tests and local trials:
 * - `POST whatsapp` `{ coexistence?, twoStepPin?, nameStatus?, verifiedName?, throughputLevel?, wabaId? }` →
 *   a prospective business: `{ code, wabaId, phoneNumberId, displayPhoneNumber, coexistence }`
 *   (with `wabaId` of a known WABA, one more number in it; 404 for an unknown one);
 * - `POST instagram` `{ username? }` → `{ code, pageId, instagramAccountId }`;
 * - `POST instagram-login` `{ username?, redirectUri? }` → `{ code, instagramAccountId, username }`: an
 *   account that has just gone through Business Login for Instagram (no Page);
 * - `POST instagram-login/{id}` `{ ageHours?, revoked? }` → its tokens made `ageHours` older (the
 *   refresh needs a day-old token; expiry comes closer), or every token refused (`revoked: true`);
 *   `GET instagram-login/{id}` → the account and its subscribed fields;
 * - `POST codes` `{ ownerId }` → `{ code }`, a new code for a WABA, Page or Instagram Login account (the flow run again);
 * - `POST numbers/{id}` `{ twoStepPin?: string | null, nameStatus?, qualityRating? }` → what the
 *   business changes in WhatsApp Manager (`twoStepPin: null` turns two-step verification off);
 * - `GET numbers/{id}`, `GET stats` (`{ exchanges, instagramLogin: { exchanges, refreshes } }`).
 */
export function handleOnboardingControl(ctx: SimulatorContext, method: string, segments: string[], body: unknown): ControlAnswer | undefined {
  if (segments[0] !== 'onboarding') return undefined;
  const state = onboardingStateOf(ctx);
  const [, what, id] = segments;
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

  if (method === 'POST' && what === 'whatsapp' && id === undefined) {
    const twoStepPin = str(b.twoStepPin);
    if (twoStepPin !== undefined && !/^\d{6}$/.test(twoStepPin)) return { status: 400, body: { error: { message: 'twoStepPin must be 6 digits' } } };
    const prospect = state.addWhatsAppProspect({
      coexistence: b.coexistence === true,
      ...(twoStepPin ? { twoStepPin } : {}),
      ...(str(b.nameStatus) ? { nameStatus: str(b.nameStatus)! } : {}),
      ...(str(b.verifiedName) ? { verifiedName: str(b.verifiedName)! } : {}),
      ...(str(b.throughputLevel) ? { throughputLevel: str(b.throughputLevel)! } : {}),
      ...(str(b.wabaId) ? { wabaId: str(b.wabaId)! } : {}),
    });
    return prospect ? { status: 200, body: prospect } : { status: 404, body: { error: { message: 'no such WABA' } } };
  }
  if (method === 'POST' && what === 'instagram' && id === undefined) {
    return { status: 200, body: state.addInstagramProspect(str(b.username) ? { username: str(b.username)! } : {}) };
  }
  const instagram = instagramLoginStateOf(ctx);
  if (method === 'POST' && what === 'instagram-login' && id === undefined) {
    return {
      status: 200,
      body: instagram.addProspect({
        ...(str(b.username) ? { username: str(b.username)! } : {}),
        ...(str(b.redirectUri) ? { redirectUri: str(b.redirectUri)! } : {}),
      }),
    };
  }
  if (what === 'instagram-login' && id !== undefined) {
    const account = instagram.accounts.get(id);
    if (!account) return { status: 404, body: { error: { message: 'no such Instagram Login account' } } };
    if (method === 'POST') {
      if (b.ageHours !== undefined) {
        if (typeof b.ageHours !== 'number' || !Number.isFinite(b.ageHours) || b.ageHours < 0 || b.ageHours > 24 * 366) {
          return { status: 400, body: { error: { message: 'ageHours must be a number of hours between 0 and 8784' } } };
        }
        instagram.age(id, b.ageHours * 3_600_000);
      }
      if (typeof b.revoked === 'boolean') account.revoked = b.revoked;
    }
    return { status: 200, body: { ...account, subscribedFields: [...account.subscribedFields] } };
  }
  if (method === 'POST' && what === 'codes' && id === undefined) {
    const ownerId = String(b.ownerId ?? '');
    const code = state.newCodeFor(ownerId) ?? instagram.newCode(ownerId);
    return code ? { status: 200, body: { code } } : { status: 404, body: { error: { message: 'no such WABA or Page' } } };
  }
  if (what === 'numbers' && id !== undefined) {
    const number = state.numbers.get(id);
    if (!number) return { status: 404, body: { error: { message: 'no such number' } } };
    if (method === 'POST') {
      if (b.twoStepPin === null) number.twoStepPin = undefined;
      else if (str(b.twoStepPin)) number.twoStepPin = str(b.twoStepPin);
      if (str(b.nameStatus)) number.nameStatus = str(b.nameStatus)!;
      if (str(b.qualityRating)) number.qualityRating = str(b.qualityRating)!;
    }
    const { twoStepPin, ...visible } = number;
    return { status: 200, body: { ...visible, twoStepVerification: twoStepPin !== undefined } };
  }
  if (method === 'GET' && what === 'stats') {
    return { status: 200, body: { exchanges: state.exchanges, instagramLogin: { exchanges: instagram.exchanges, refreshes: instagram.refreshes } } };
  }
  return undefined;
}
