import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import type { ContactField } from '#lambdas/contacts/contact-changes';
import type { ContactChannel } from '#lambdas/contacts/contact-model';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * Contact events carry ids and the names of what changed, never values: names, numbers and consent
 * evidence stay in the table, and a consumer (an integration, the console) reads the contact.
 */
export function contactCreatedEvent(input: {
  businessId: string;
  contactId: string;
  channel?: ContactChannel;
  accountId?: string;
  fields: ContactField[];
  at: string;
}): DomainEvent {
  return {
    source: EVENT_SOURCE.contacts,
    detailType: DETAIL_TYPE.contactCreated,
    detail: {
      v: 1,
      businessId: input.businessId,
      contactId: input.contactId,
      ...(input.channel ? { channel: input.channel } : {}),
      ...(input.accountId ? { accountId: input.accountId } : {}),
      fields: input.fields,
      at: input.at,
    },
  };
}

export function contactUpdatedEvent(input: { businessId: string; contactId: string; changed: ContactField[]; at: string; version?: number }): DomainEvent {
  return {
    source: EVENT_SOURCE.contacts,
    detailType: DETAIL_TYPE.contactUpdated,
    detail: {
      v: 1,
      businessId: input.businessId,
      contactId: input.contactId,
      changed: input.changed,
      ...(input.version !== undefined ? { version: input.version } : {}),
      at: input.at,
    },
  };
}
