import * as z from 'zod';
import { changedFields } from '#lambdas/contacts/contact-changes';
import type { ContactDeps } from '#lambdas/contacts/contact-deps';
import { contactUpdatedEvent } from '#lambdas/contacts/contact-events';
import { identitiesOfCustomer } from '#lambdas/contacts/contact-identities';
import type { ConsentState } from '#lambdas/contacts/contact-model';

/** `consent.withdrawn` / `consent.given` as the agent publishes them (agent/answer-conversation.ts). */
export const consentDetailSchema = z.looseObject({
  v: z.literal(1),
  conversationKey: z.string().min(1).max(1_000),
  channel: z.enum(['whatsapp', 'instagram', 'messenger']),
  accountId: z.string().min(1).max(400),
  customerId: z.string().max(400).optional(),
  evidenceMessageId: z.string().min(1).max(1_000).optional(),
});

export type ConsentOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'skipped'; reason: 'unknown_account' | 'no_conversation' | 'no_identity' }
  | { outcome: 'recorded'; businessId: string; contactId: string; status: ConsentState; changed: boolean };

/**
 * A customer's consent decision, told by the agent (an opt-out keyword, an opt-in reply): recorded
 * on the customer's contact with its proof (the message they wrote, its time) and projected for the
 * sender in the same transaction, so the next marketing template to them is refused (or allowed).
 * The decision's time is the customer's message's, so a late redelivery never overturns a newer one.
 */
export async function recordConsentDecision(status: ConsentState, detail: unknown, deps: ContactDeps): Promise<ConsentOutcome> {
  const parsed = consentDetailSchema.safeParse(detail);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  const event = parsed.data;
  const businessId = await deps.businessOfAccount(event.accountId);
  if (!businessId) return { outcome: 'skipped', reason: 'unknown_account' };
  const conversation = await deps.sources.readConversation(event.conversationKey);
  if (!conversation || conversation.accountId !== event.accountId) return { outcome: 'skipped', reason: 'no_conversation' };
  const evidence = event.evidenceMessageId ? await deps.sources.readMessage(event.conversationKey, event.evidenceMessageId) : undefined;
  const identities = identitiesOfCustomer(conversation.channel, conversation.accountId, {
    customerId: conversation.customerId,
    ...(evidence?.customerWaId ? { waId: evidence.customerWaId } : {}),
    ...(evidence?.customerUserId ? { userId: evidence.customerUserId } : {}),
  });
  if (identities.length === 0) return { outcome: 'skipped', reason: 'no_identity' };
  const at = evidence?.occurredAt ?? deps.now().toISOString();
  const { contact } = await deps.contacts.resolve(businessId, identities, {
    ...(conversation.customerName ? { name: conversation.customerName, nameSource: 'profile' as const } : {}),
    at,
  });
  const evidenceText = evidence?.text ?? evidence?.choiceTitle;
  const result = await deps.contacts.recordConsent(businessId, contact.contactId, conversation.channel, conversation.customerId, {
    status,
    scope: 'marketing',
    at,
    source: 'customer_message',
    ...(event.evidenceMessageId ? { evidenceMessageId: event.evidenceMessageId } : {}),
    ...(evidenceText ? { evidenceText } : {}),
    accountId: conversation.accountId,
  });
  if (!result.ok) {
    if (result.refusal === 'invalid') return { outcome: 'invalid', issues: [result.message] };
    // Lost races or a contact merged away meanwhile: the record is tried again.
    throw new Error(`consent not recorded: ${result.refusal}`);
  }
  const changed = changedFields(contact, result.value);
  if (changed.length > 0) {
    await deps.publisher.publish([
      contactUpdatedEvent({ businessId, contactId: result.value.contactId, changed, version: result.value.version, at: deps.now().toISOString() }),
    ]);
  }
  return { outcome: 'recorded', businessId, contactId: result.value.contactId, status, changed: changed.length > 0 };
}
