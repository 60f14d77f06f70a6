import type { ContactChannel } from '#lambdas/contacts/contact-model';
import type { ReferralRef } from '#lambdas/conversation/model';

/** A customer's message as the normalizer stored it (conversation/record-normalized-event.ts). */
export interface StoredCustomerMessage {
  conversationKey: string;
  providerMessageId: string;
  channel: ContactChannel;
  accountId: string;
  customerId: string;
  customerWaId?: string;
  customerUserId?: string;
  origin?: string;
  direction?: string;
  occurredAt: string;
  text?: string;
  choiceTitle?: string;
  referral?: ReferralRef;
}

export interface StoredConversation {
  conversationKey: string;
  channel: ContactChannel;
  accountId: string;
  customerId: string;
  customerName?: string;
  language?: 'es' | 'pt' | 'en';
  contactId?: string;
}

/**
 * What the contacts consumer reads besides contacts: events carry ids only, the truth is in the
 * table (contact-event-sources-store.ts).
 */
export interface ContactEventSources {
  readMessage(conversationKey: string, providerMessageId: string): Promise<StoredCustomerMessage | undefined>;
  readConversation(conversationKey: string): Promise<StoredConversation | undefined>;
  /** The conversation's earliest customer message among its first few messages. */
  firstCustomerMessage(conversationKey: string): Promise<StoredCustomerMessage | undefined>;
  /** Writes `contactId` on the conversation when it has none; true when this call wrote it. */
  linkConversation(conversationKey: string, contactId: string): Promise<boolean>;
  /** A stored notification (`ACCT#<account>/NOTE#<event id>`): its topic, customer and time. */
  readNotification(accountId: string, eventId: string): Promise<{ topic: string; customerId?: string; occurredAt: string } | undefined>;
  /** The business app's address-book entry for a number (accounts/business-app-contacts.ts). */
  readAddressBookEntry(accountId: string, customerId: string): Promise<{ name?: string; removed: boolean } | undefined>;
}
