#!/usr/bin/env node
// `npm run rate-card -- --file <card.json | rates.csv> [--effective-date YYYY-MM-DD --source-url <url>] [--dry-run]`:
// replaces the WhatsApp rate card shipped with the code (lambdas/pricing/whatsapp-rate-card.json)
// after validating it, and prints what changed. A CSV carries rates only: its date and source come
// from the options. Redeploy (or restart `npm start`) for the Lambdas to price with it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseRateCard, rateCardChanges, rateCardFromCsv, type RateCard } from '#lambdas/pricing/rate-card';
import { InvalidRateCardError } from '#lambdas/pricing/errors';

const CARD_FILE = fileURLToPath(new URL('../lambdas/pricing/whatsapp-rate-card.json', import.meta.url));
const MAX_FILE_BYTES = 1_000_000;

function usage(problem: string): never {
  console.error(`${problem}
usage: npm run rate-card -- --file <card.json> [--dry-run]
       npm run rate-card -- --file <rates.csv> --effective-date <YYYY-MM-DD> --source-url <url> [--snapshot] [--dry-run]
         CSV header: market,name,countries,marketing,utility,authentication,authentication_international,service[,source]
         (market: ISO country code or OTHER; countries: space-separated codes billed at that market's rates)`);
  process.exit(2);
}

function newCard(values: Record<string, string | boolean | undefined>): RateCard {
  const file = values.file;
  if (typeof file !== 'string') usage('--file is required');
  const text = readFileSync(file, 'utf8');
  if (text.length > MAX_FILE_BYTES) usage(`${file}: larger than ${MAX_FILE_BYTES} bytes`);
  if (file.toLowerCase().endsWith('.csv')) {
    if (typeof values['effective-date'] !== 'string' || typeof values['source-url'] !== 'string') usage('a CSV needs --effective-date and --source-url');
    return rateCardFromCsv(text, { effectiveDate: values['effective-date'], sourceUrl: values['source-url'], snapshot: values.snapshot === true });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    usage(`${file}: not JSON (name a CSV file .csv)`);
  }
  return parseRateCard(json);
}

function main(): void {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        file: { type: 'string' },
        'effective-date': { type: 'string' },
        'source-url': { type: 'string' },
        snapshot: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
      },
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  let card: RateCard;
  try {
    card = newCard(values);
  } catch (err) {
    if (err instanceof InvalidRateCardError) {
      console.error('The rate card was not replaced:');
      for (const issue of err.issues) console.error(`  ${issue}`);
      process.exit(1);
    }
    throw err;
  }
  const current = parseRateCard(JSON.parse(readFileSync(CARD_FILE, 'utf8')));
  const changes = rateCardChanges(current, card);
  if (changes.length === 0) {
    console.log('No change: the new card prices every market as the current one does.');
    return;
  }
  console.log(`${changes.length} change(s):`);
  for (const line of changes) console.log(`  ${line}`);
  if (values['dry-run']) {
    console.log('Dry run: nothing written.');
    return;
  }
  writeFileSync(CARD_FILE, `${JSON.stringify(card, null, 2)}\n`);
  console.log(`Written ${CARD_FILE} (effective ${card.effectiveDate}). Redeploy for the Lambdas to use it.`);
}

main();
