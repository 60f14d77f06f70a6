/**
 * The business accounts the local cloud pretends to own. The ids have Meta's shapes (15-17 digit
 * numbers) but are obviously not real, so nothing local can be mistaken for a live account.
 */
export const LOCAL_WHATSAPP_PHONE_NUMBER_ID = '100000000000001';
export const LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID = '200000000000001';
export const LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER = '15550000001';
export const LOCAL_INSTAGRAM_ACCOUNT_ID = '17841400000000001';
export const LOCAL_FACEBOOK_PAGE_ID = '100000000000002';

/** Customers the chat plays when no `--as` is given: a wa_id, an IGSID and a PSID. */
export const LOCAL_CUSTOMER_IDS = {
  whatsapp: '15557654321',
  instagram: '6100000000000001',
  messenger: '7100000000000001',
} as const;

export const LOCAL_CUSTOMER_NAME = 'Local Customer';

export const DEFAULT_GRAPH_SIM_PORT = 3100;

export type SimChannel = 'whatsapp' | 'instagram' | 'messenger';

export const SIM_CHANNELS: readonly SimChannel[] = ['whatsapp', 'instagram', 'messenger'];

export function isSimChannel(value: unknown): value is SimChannel {
  return typeof value === 'string' && (SIM_CHANNELS as readonly string[]).includes(value);
}

export interface WhatsAppNumber {
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
}

export const LOCAL_WHATSAPP_NUMBER: WhatsAppNumber = {
  phoneNumberId: LOCAL_WHATSAPP_PHONE_NUMBER_ID,
  wabaId: LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID,
  displayPhoneNumber: LOCAL_WHATSAPP_DISPLAY_PHONE_NUMBER,
};

/** The default account of each channel, used when a caller names none. */
export function defaultAccountId(channel: SimChannel): string {
  if (channel === 'whatsapp') return LOCAL_WHATSAPP_PHONE_NUMBER_ID;
  return channel === 'instagram' ? LOCAL_INSTAGRAM_ACCOUNT_ID : LOCAL_FACEBOOK_PAGE_ID;
}
