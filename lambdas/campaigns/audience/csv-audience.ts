import { parse } from 'csv-parse/sync';
import { addSkipped, MAX_CAMPAIGN_RECIPIENTS, type AudienceChunk, type AudienceTemplate } from '#lambdas/campaigns/audience/audience-types';
import { consentVerdict } from '#lambdas/campaigns/audience/consent-rule';
import { waIdOfContact } from '#lambdas/campaigns/audience/contact-wa-id';
import { csvPhoneToE164, waIdOfE164 } from '#lambdas/campaigns/audience/csv-phone';
import { campaignParameters, checkCampaignVariables } from '#lambdas/campaigns/campaign-variables';
import type { ContactStore } from '#lambdas/contacts/contact-ports';
import { CsvAudienceError } from '#lambdas/campaigns/errors';

/** One valid row of an uploaded audience. PII: never logged. */
export interface CsvRow {
  /** The file's line number (1 is the header). */
  line: number;
  e164: string;
  waId: string;
  variables: Record<string, string>;
}

export interface BadLine {
  line: number;
  message: string;
}

export interface ParsedCsvAudience {
  rows: CsvRow[];
  /** The first bad lines (at most MAX_BAD_LINES_LISTED), in file order. */
  badLines: BadLine[];
  /** Every bad line, listed or not. */
  badLineCount: number;
  /** Header columns that are neither `phone`, `name` nor a template variable (ignored). */
  ignoredColumns: string[];
}

export const MAX_BAD_LINES_LISTED = 100;
/** One record's text at most (a guard against a file with no line breaks where they should be). */
const MAX_RECORD_CHARS = 64_000;
const MAX_COLUMNS = 60;

/**
 * Reads an uploaded audience: UTF-8 text, a header row, comma- or semicolon-separated (whichever the
 * header uses), quoted fields as RFC 4180 writes them. The `phone` column is required; one column
 * per template variable, named as campaign-variables.ts names them (`1`, `first_name`,
 * `header.1`, `button.0`); a `name` column and any other column are ignored.
 *
 * Every cell is data: nothing is evaluated, a cell starting with `=`, `+`, `-` or `@` is text like
 * any other (a phone that is not a number is a bad line; a variable is sent as written).
 * Each row's number is normalised to E.164 and its variables checked against the approved template
 * (Meta's parameter rules); a bad row is reported with its line number and the reason, never
 * its content.
 */
export function parseCsvAudience(csv: string, options: { template: AudienceTemplate; defaultCountry?: string; maxRows?: number }): ParsedCsvAudience {
  const maxRows = options.maxRows ?? MAX_CAMPAIGN_RECIPIENTS;
  const text = csv.replace(/^\uFEFF/, '');
  const headerLine = text.slice(0, text.search(/\r?\n|$/));
  if (headerLine.trim().length === 0) throw new CsvAudienceError('csv: the first line must be the header (phone and the template variables)');
  const delimiter = count(headerLine, ';') > count(headerLine, ',') ? ';' : ',';

  const allBadLines: BadLine[] = [];
  const bad = (line: number, message: string) => void allBadLines.push({ line, message });

  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      delimiter,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: MAX_RECORD_CHARS,
      on_skip: (err) => {
        bad(typeof err?.lines === 'number' ? err.lines : 0, csvErrorMessage(err?.code));
        return undefined;
      },
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    throw new CsvAudienceError(`csv: the file cannot be read as CSV (${csvErrorMessage((err as { code?: string }).code)})`);
  }
  const [header, ...rowsRead] = records;
  if (header?.info.lines !== 1) throw new CsvAudienceError('csv: the first line must be the header (phone and the template variables)');
  const columns = header.record.map((c) => c.trim());
  if (columns.length > MAX_COLUMNS) throw new CsvAudienceError(`csv: at most ${MAX_COLUMNS} columns`);
  const duplicate = columns.find((c, i) => columns.indexOf(c) !== i);
  if (duplicate !== undefined) throw new CsvAudienceError(`csv: the column ${JSON.stringify(duplicate.slice(0, 40))} appears twice`);
  const phoneAt = columns.findIndex((c) => c.toLowerCase() === 'phone');
  if (phoneAt < 0) throw new CsvAudienceError('csv: a phone column is required (the header names it "phone")');
  const parameters = campaignParameters(options.template.template).map((p) => p.name);
  const missing = parameters.filter((p) => !columns.includes(p));
  if (missing.length > 0)
    throw new CsvAudienceError(
      `csv: the template's variables need the column${missing.length > 1 ? 's' : ''} ${missing.map((m) => JSON.stringify(m)).join(', ')}`,
    );
  const variableAt = parameters.map((p) => [p, columns.indexOf(p)] as const);
  const ignoredColumns = columns.filter((c, i) => i !== phoneAt && c.toLowerCase() !== 'name' && !parameters.includes(c)).map((c) => c.slice(0, 64));
  if (rowsRead.length + allBadLines.length > maxRows)
    throw new CsvAudienceError(
      `csv: at most ${maxRows.toLocaleString('en')} rows per campaign (this file has ${(rowsRead.length + allBadLines.length).toLocaleString('en')})`,
    );
  if (rowsRead.length + allBadLines.length === 0) throw new CsvAudienceError('csv: the file has a header but no rows');

  const rows: CsvRow[] = [];
  for (const { record, info } of rowsRead) {
    const line = info.lines;
    const e164 = csvPhoneToE164(record[phoneAt] ?? '', options.defaultCountry);
    if (!e164) {
      bad(line, 'phone: not a possible phone number (write it with its country code, or give defaultCountry)');
      continue;
    }
    const variables = Object.fromEntries(variableAt.map(([name, at]) => [name, (record[at] ?? '').trim()]));
    const checked = checkCampaignVariables(options.template.template, variables, options.template.headerMediaLink);
    if (!checked.ok) {
      bad(line, checked.parameter !== undefined ? `${checked.parameter}: ${checked.message}` : checked.message);
      continue;
    }
    rows.push({ line, e164, waId: waIdOfE164(e164), variables });
  }
  const badLines = allBadLines.sort((a, b) => a.line - b.line).slice(0, MAX_BAD_LINES_LISTED);
  return { rows, badLines, badLineCount: allBadLines.length, ignoredColumns };
}

/** Rows looked up in the contact store per call (the store's batch size). */
const LOOKUP_BATCH = 100;
/** Look-up calls in flight at once: a 100,000-row file is 1,000 batches. */
const LOOKUP_PARALLELISM = 8;

/**
 * The valid rows of an uploaded audience as list entries: each row's number is matched to the
 * business's contact (by WhatsApp id or phone), so consent is checked the same way as for a
 * contacts audience. A number no contact holds has no recorded opt-in: left off a marketing
 * campaign (`no_consent`), kept for utility and authentication. The same customer twice (the same
 * number, or two numbers of one contact) is a `duplicate`; the first row wins.
 *
 * Look-ups run several batches at a time; the rows are then decided in file order, so the
 * first row of a customer is always the one kept.
 */
export async function* csvAudience(
  rows: readonly CsvRow[],
  input: { businessId: string; category: AudienceTemplate['category']; contacts: Pick<ContactStore, 'findManyByIdentity'> },
): AsyncGenerator<AudienceChunk> {
  const seenWaIds = new Set<string>();
  const seenContacts = new Set<string>();
  const lookUp = async (batch: readonly CsvRow[]) =>
    Promise.all([
      input.contacts.findManyByIdentity(input.businessId, 'whatsapp', [...new Set(batch.map((r) => r.waId))]),
      input.contacts.findManyByIdentity(input.businessId, 'phone', [...new Set(batch.map((r) => r.e164))]),
    ]);
  for (let start = 0; start < rows.length; start += LOOKUP_BATCH * LOOKUP_PARALLELISM) {
    const batches: Array<readonly CsvRow[]> = [];
    for (let i = start; i < Math.min(rows.length, start + LOOKUP_BATCH * LOOKUP_PARALLELISM); i += LOOKUP_BATCH) batches.push(rows.slice(i, i + LOOKUP_BATCH));
    const found = await Promise.all(batches.map(lookUp));
    for (const [b, batch] of batches.entries()) {
      const [byWaId, byPhone] = found[b]!;
      const chunk: AudienceChunk = { recipients: [], skipped: {}, contactsRead: batch.length };
      for (const row of batch) {
        const contact = byWaId.get(row.waId) ?? byPhone.get(row.e164);
        // The contact's own WhatsApp id when it has one: the send then lands in the conversation it already has.
        const waId = (contact && waIdOfContact(contact)) ?? row.waId;
        if (seenWaIds.has(waId) || seenWaIds.has(row.waId) || (contact && seenContacts.has(contact.contactId))) {
          addSkipped(chunk.skipped, 'duplicate');
          continue;
        }
        seenWaIds.add(waId);
        seenWaIds.add(row.waId);
        if (contact) seenContacts.add(contact.contactId);
        const consent = consentVerdict(contact, input.category);
        if (!consent.send) {
          addSkipped(chunk.skipped, consent.reason);
          continue;
        }
        chunk.recipients.push({ waId, ...(contact ? { contactId: contact.contactId } : {}), variables: row.variables });
      }
      yield chunk;
    }
  }
}

function count(text: string, char: string): number {
  let n = 0;
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (c === char && !quoted) n++;
  }
  return n;
}

function csvErrorMessage(code: string | undefined): string {
  switch (code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return 'the line has a different number of fields than the header';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is not closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside a field that is not quoted (double it, or quote the whole field)';
    case 'CSV_MAX_RECORD_SIZE':
      return `a line longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters`;
    default:
      return 'the line cannot be read as CSV';
  }
}
