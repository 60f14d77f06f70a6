import { randomBytes } from 'node:crypto';
import type { SimulatorContext } from '#lib/local-cloud/graph-simulator/simulator-context';

/**
 * What Meta knows about businesses going through Embedded Signup (WhatsApp) or Facebook Login for
 * Business (Instagram), for the local cloud: prospective WABAs, numbers and Pages a test creates,
 * the one-time codes handed to their browser, the tokens those codes were exchanged for, and the
 * apps subscribed to each WABA or Page.
 */
export interface SimNumber {
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  /** PENDING until registered for Cloud API; coexistence numbers are CONNECTED from the start. */
  status: 'PENDING' | 'CONNECTED';
  nameStatus: string;
  qualityRating: string;
  throughputLevel: string;
  coexistence: boolean;
  /** The number's two-step verification PIN; `undefined`: two-step verification is off. */
  twoStepPin: string | undefined;
}

export interface SimWaba {
  wabaId: string;
  name: string;
  subscribedApps: Set<string>;
}

export interface SimPage {
  pageId: string;
  instagramAccountId: string;
  username: string;
  /** App id → subscribed webhook fields. */
  subscriptions: Map<string, string[]>;
}

type IssuedToken =
  | { kind: 'business'; appId: string; wabaId: string }
  | { kind: 'user'; appId: string; pageId: string; longLived: boolean }
  | { kind: 'page'; appId: string; pageId: string };

type PendingCode = { appId?: string; used: boolean } & ({ channel: 'whatsapp'; wabaId: string } | { channel: 'instagram'; pageId: string });

export class OnboardingState {
  readonly numbers = new Map<string, SimNumber>();
  readonly wabas = new Map<string, SimWaba>();
  readonly pages = new Map<string, SimPage>();
  readonly codes = new Map<string, PendingCode>();
  readonly tokens = new Map<string, IssuedToken>();
  /** Code exchanges answered with a token, for tests that check a code was exchanged once. */
  exchanges = 0;
  private serial = 0;

  /**
   * A business that has just finished Embedded Signup: a WABA, a number in it, and a fresh code
   * whose token is granted that WABA only. With `wabaId` of a known WABA the number is added to
   * it (a WABA with several numbers).
   */
  addWhatsAppProspect(
    options: { coexistence?: boolean; twoStepPin?: string; nameStatus?: string; verifiedName?: string; throughputLevel?: string; wabaId?: string } = {},
  ) {
    const n = this.next();
    if (options.wabaId !== undefined && !this.wabas.has(options.wabaId)) return undefined;
    const wabaId = options.wabaId ?? `2100${n}`;
    const phoneNumberId = `1100${n}`;
    const number: SimNumber = {
      phoneNumberId,
      wabaId,
      displayPhoneNumber: `1555${n.slice(-7)}`,
      verifiedName: options.verifiedName ?? `Local Business ${n.slice(-4)}`,
      status: options.coexistence ? 'CONNECTED' : 'PENDING',
      nameStatus: options.nameStatus ?? 'APPROVED',
      qualityRating: 'UNKNOWN',
      throughputLevel: options.throughputLevel ?? 'STANDARD',
      coexistence: options.coexistence === true,
      twoStepPin: options.twoStepPin,
    };
    this.numbers.set(phoneNumberId, number);
    if (!this.wabas.has(wabaId)) this.wabas.set(wabaId, { wabaId, name: `Local WABA ${n.slice(-4)}`, subscribedApps: new Set() });
    const code = this.newCode({ channel: 'whatsapp', wabaId, used: false });
    return { code, wabaId, phoneNumberId, displayPhoneNumber: number.displayPhoneNumber, coexistence: number.coexistence };
  }

  /** A business that has just logged in for Instagram: a Page linked to an Instagram professional account. */
  addInstagramProspect(options: { username?: string } = {}) {
    const n = this.next();
    const pageId = `1300${n}`;
    const instagramAccountId = `17841${n}`;
    this.pages.set(pageId, { pageId, instagramAccountId, username: options.username ?? `local.business.${n.slice(-4)}`, subscriptions: new Map() });
    const code = this.newCode({ channel: 'instagram', pageId, used: false });
    return { code, pageId, instagramAccountId };
  }

  /**
   * A new code for a WABA or Page already known: the business went through the flow again, or
   * another business the WABA or Page is shared with went through it (its token sees it too).
   */
  newCodeFor(ownerId: string): string | undefined {
    if (this.wabas.has(ownerId)) return this.newCode({ channel: 'whatsapp', wabaId: ownerId, used: false });
    if (this.pages.has(ownerId)) return this.newCode({ channel: 'instagram', pageId: ownerId, used: false });
    return undefined;
  }

  issueToken(token: IssuedToken): string {
    const value = `EAAsim${randomBytes(24).toString('base64url')}`;
    this.tokens.set(value, token);
    return value;
  }

  /** The business token that may act on a WABA or its numbers. */
  tokenCoversWaba(token: string, wabaId: string): boolean {
    const issued = this.tokens.get(token);
    return issued?.kind === 'business' && issued.wabaId === wabaId;
  }

  private newCode(code: PendingCode): string {
    const value = `AQsim${randomBytes(18).toString('base64url')}`;
    this.codes.set(value, code);
    return value;
  }

  private next(): string {
    this.serial += 1;
    return `${Date.now().toString().slice(-8)}${String(this.serial).padStart(3, '0')}`;
  }
}

const states = new WeakMap<SimulatorContext, OnboardingState>();

/** The onboarding state of one simulator, created on first use. */
export function onboardingStateOf(ctx: SimulatorContext): OnboardingState {
  let state = states.get(ctx);
  if (!state) {
    state = new OnboardingState();
    states.set(ctx, state);
  }
  return state;
}
