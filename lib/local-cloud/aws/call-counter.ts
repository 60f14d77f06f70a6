/**
 * Counts every API call the emulator serves, keyed `<service>.<Operation>` (e.g. `sqs.SendMessageBatch`),
 * so a benchmark can turn a local run into a request bill.
 */
export class CallCounter {
  private counts = new Map<string, number>();

  record(service: string, operation: string, n = 1): void {
    const key = `${service}.${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  get(service: string, operation: string): number {
    return this.counts.get(`${service}.${operation}`) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  reset(): void {
    this.counts.clear();
  }
}
