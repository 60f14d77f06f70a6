import { createHash } from 'node:crypto';

/** Bytes kept per contact or WhatsApp id met: 96 bits of SHA-256, so 200,000 of them collide with odds of about 1 in 10^19. */
export const MET_KEY_BYTES = 12;

/**
 * Who a contacts walk has met already: the contacts it looked at (a contact is in the index once
 * per name and phone, and only its first sighting counts) and the WhatsApp ids it gave a place or
 * a skip reason to (a second contact with the same number is a `duplicate`).
 *
 * A walk split over several build steps starts each step from what the earlier steps met (their
 * `digest()`s, kept on the list's partition) and adds what this step meets; only this step's
 * additions make its own digest, so each step stores a bounded item and a step run again (a copy,
 * or one that died before it committed) starts from exactly the same place.
 *
 * Keys are hashes: the digests carry no phone number or contact id, and a key costs 12 bytes.
 */
export class AudienceMet {
  private readonly before = new Set<string>();
  private readonly now = new Set<string>();
  private readonly order: string[] = [];

  constructor(earlier: Iterable<Uint8Array> = []) {
    for (const digest of earlier) {
      for (let i = 0; i + MET_KEY_BYTES <= digest.length; i += MET_KEY_BYTES)
        this.before.add(Buffer.from(digest.buffer, digest.byteOffset + i, MET_KEY_BYTES).toString('latin1'));
    }
  }

  /** True the first time the walk meets this contact (and remembers it); false after. */
  firstContact(contactId: string): boolean {
    return this.first(`c\u0000${contactId}`);
  }

  /** True the first time a contact of the audience holds this WhatsApp id (and remembers it); false after. */
  firstWaId(waId: string): boolean {
    return this.first(`w\u0000${waId}`);
  }

  /** A point to come back to (`undo`): what this step had met so far. */
  mark(): number {
    return this.order.length;
  }

  /** Forgets what was met since `mark` (a page the step leaves to the next one). */
  undo(mark: number): void {
    for (const key of this.order.splice(mark)) this.now.delete(key);
  }

  /** What this step met, for the steps after it. */
  digest(): Uint8Array {
    return Buffer.from(this.order.join(''), 'latin1');
  }

  /** Keys met before this step and in it. */
  get size(): number {
    return this.before.size + this.now.size;
  }

  private first(raw: string): boolean {
    const key = createHash('sha256').update(raw).digest().subarray(0, MET_KEY_BYTES).toString('latin1');
    if (this.before.has(key) || this.now.has(key)) return false;
    this.now.add(key);
    this.order.push(key);
    return true;
  }
}
