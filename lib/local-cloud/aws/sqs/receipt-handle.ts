import { randomBytes } from 'node:crypto';

/** What a receipt handle identifies: one particular receive of one message in one queue. */
export interface ReceiptHandleParts {
  queueArn: string;
  messageId: string;
  receiveSeq: number;
}

/** Opaque to callers, like the real thing; a random part keeps two receives' handles distinct. */
export function encodeReceiptHandle(parts: ReceiptHandleParts): string {
  const payload = JSON.stringify([parts.queueArn, parts.messageId, parts.receiveSeq, randomBytes(6).toString('hex')]);
  return Buffer.from(payload, 'utf8').toString('base64');
}

export function decodeReceiptHandle(handle: string): ReceiptHandleParts | undefined {
  if (typeof handle !== 'string' || handle.length === 0 || handle.length > 4096) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(handle, 'base64').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 4) return undefined;
    const [queueArn, messageId, receiveSeq] = parsed as [unknown, unknown, unknown];
    if (typeof queueArn !== 'string' || typeof messageId !== 'string' || typeof receiveSeq !== 'number') return undefined;
    return { queueArn, messageId, receiveSeq };
  } catch {
    return undefined;
  }
}
