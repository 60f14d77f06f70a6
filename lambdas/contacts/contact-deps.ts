import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import type { ContactEventSources } from '#lambdas/contacts/contact-event-sources';
import type { ContactStore, CrmLookup } from '#lambdas/contacts/contact-ports';

/** What the contacts use cases need; the handler wires the real ones, tests in-memory ones. */
export interface ContactDeps {
  contacts: ContactStore;
  sources: ContactEventSources;
  /** The business owning a channel account (the registry, cached); undefined: not registered. */
  businessOfAccount(accountId: string): Promise<string | undefined>;
  publisher: EventPublisher;
  /** A CRM look-up on a new contact or conversation; absent: none configured for the deployment. */
  crmLookup?: CrmLookup;
  /** How long a look-up may take (default 1,000 ms): routing waits for nothing, but a first answer reads its result. */
  lookupTimeoutMs?: number;
  /** Told when a look-up failed or timed out (the contact is kept without it). */
  onLookupFailed?: (reason: 'timeout' | 'error', error?: unknown) => void;
  now: () => Date;
}
