import type { SendContextItems, SendContextStore } from '#lambdas/outbound/send-context-store';

/** The conversation and consent the sender reads, in memory: whatever the test puts in `items`. */
export interface FakeSendContextStore extends SendContextStore {
  items: SendContextItems;
  reads: number;
}

export function fakeSendContextStore(items: SendContextItems = {}): FakeSendContextStore {
  const store: FakeSendContextStore = {
    items,
    reads: 0,
    async readSendContext(target) {
      store.reads++;
      return {
        ...(store.items.conversation ? { conversation: structuredClone(store.items.conversation) } : {}),
        ...(target.withConsent && store.items.consent ? { consent: structuredClone(store.items.consent) } : {}),
      };
    },
  };
  return store;
}
