/**
 * Asks the end-of-conversation sweep to look at a conversation once `dueAt` has passed. In the
 * table: `dynamoEndWatch` in bot-end-store.ts, beside the sweep's reads of the same items.
 */
export interface EndWatch {
  watch(conversationKey: string, dueAt: Date): Promise<void>;
}

/** When a conversation the bot holds ends if the customer writes nothing more after `customerMessageAt`. */
export function endDueAt(customerMessageAt: string, endHours: number): Date {
  return new Date(Date.parse(customerMessageAt) + endHours * 3_600_000);
}
