import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';

/**
 * Processes one batch from a FIFO queue: records of different message groups (conversations) run
 * concurrently, records of the same group one after another in queue order. When a record fails,
 * it and every later record of its group are reported as batch item failures, so SQS hands them
 * back in order; other groups are unaffected. (Powertools' FIFO processor keeps the same rule but
 * runs the whole batch sequentially, which multiplies latency by the batch size.)
 */
export async function processFifoBatch(
  records: SQSRecord[],
  handle: (record: SQSRecord) => Promise<void>,
  onFailure: (record: SQSRecord, error: unknown) => void = () => {},
  /** Given the failed record and the later records of its group, before they are reported (e.g. to shorten their visibility). */
  onGroupFailed: (groupRecords: SQSRecord[], error: unknown) => Promise<void> = async () => {},
): Promise<SQSBatchResponse> {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const group = record.attributes.MessageGroupId ?? `record:${record.messageId}`;
    const list = groups.get(group);
    if (list) list.push(record);
    else groups.set(group, [record]);
  }
  const failed = new Set<string>();
  await Promise.all(
    [...groups.values()].map(async (groupRecords) => {
      for (let i = 0; i < groupRecords.length; i++) {
        const record = groupRecords[i]!;
        try {
          await handle(record);
        } catch (err) {
          onFailure(record, err);
          const rest = groupRecords.slice(i);
          for (const r of rest) failed.add(r.messageId);
          await onGroupFailed(rest, err);
          return;
        }
      }
    }),
  );
  return { batchItemFailures: records.filter((r) => failed.has(r.messageId)).map((r) => ({ itemIdentifier: r.messageId })) };
}
