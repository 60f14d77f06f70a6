import fc from 'fast-check';
import { conformanceFiles, readConformance } from '#test/helpers/conformance';

/** One corpus file: its raw text as published and its parsed JSON. */
export interface CorpusDocument {
  name: string;
  raw: string;
  json: unknown;
}

/** Meta never posts more than this; the webhook refuses bigger bodies with 413 (tested on its own). */
export const META_MAX_BODY_BYTES = 3 * 1024 * 1024;

export const CHANNEL_FOLDERS = ['whatsapp', 'instagram', 'messenger'] as const;

export function loadCorpus(): CorpusDocument[] {
  return CHANNEL_FOLDERS.flatMap((folder) =>
    conformanceFiles(folder).map((file) => {
      const raw = readConformance(folder, file);
      return { name: `${folder}/${file}`, raw, json: JSON.parse(raw) as unknown };
    }),
  );
}

/**
 * Total runs for a fuzz file, from FUZZ_RUNS (the whole suite's budget), split between its
 * properties by weight. The default keeps `npm test` fast; the full run sets FUZZ_RUNS=100000.
 */
export function runsFor(share: number): number {
  const total = Number(process.env.FUZZ_RUNS ?? 2000);
  return Math.max(1, Math.round((Number.isFinite(total) && total > 0 ? total : 2000) * share));
}

/** A test timeout that grows with the number of runs (the default 30 s is far too short for 100,000). */
export function timeoutFor(runs: number): number {
  return 30_000 + runs * 25;
}

type Container = Record<string, unknown> | unknown[];
interface Slot {
  parent: Container;
  key: string | number;
}

/** Every place in a document where a value sits, so a mutation can pick one at random. */
function slotsOf(root: Container): Slot[] {
  const slots: Slot[] = [];
  const stack: Container[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const keys: Array<string | number> = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    for (const key of keys) {
      slots.push({ parent: node, key });
      const child = (node as Record<string | number, unknown>)[key];
      if (child !== null && typeof child === 'object') stack.push(child as Container);
    }
  }
  return slots;
}

const STRANGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\udfff',
  '😀👩‍👩‍👧‍👦',
  '\u202eRTL',
  'é'.normalize('NFD'),
  '__proto__',
  'constructor',
  'toString',
  '1e400',
  '-0',
  'NaN',
  'null',
  '[object Object]',
  '%s%n',
  '../../etc/passwd',
  '<script>',
  '🏳️‍🌈'.repeat(50),
];

const STRANGE_NUMBERS = [0, -1, -0, 1.5, 1e21, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, 1_604_703_141, 1_604_703_141_000];

/** A JSON value chosen to break assumptions: wrong types, odd strings, odd numbers, nesting. */
function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom<unknown>(null, true, false, {}, [], ...STRANGE_STRINGS, ...STRANGE_NUMBERS),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.jsonValue({ maxDepth: 3 }),
  );
}

/** A string long enough to matter (up to ~300 KB: above the claim-check threshold, below the body limit). */
function hugeString(): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom('x', 'é', '😀', '\\', '"', '\u0000'), fc.integer({ min: 1_000, max: 150_000 })).map(([unit, n]) => unit.repeat(n));
}

function deeplyNested(): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 10, max: 200 }), fc.boolean(), hostileValue()).map(([depth, arrays, leaf]) => {
    let value: unknown = leaf;
    for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
    return value;
  });
}

type Mutation =
  | { op: 'delete' }
  | { op: 'rename'; to: string }
  | { op: 'replace'; value: unknown }
  | { op: 'flipType' }
  | { op: 'huge'; value: string }
  | { op: 'nest'; value: unknown }
  | { op: 'swapContainer' }
  | { op: 'duplicateInArray'; times: number };

function mutationArb(): fc.Arbitrary<Mutation> {
  // Cheap, type-level damage dominates; huge strings and deep nesting are rarer because each costs milliseconds.
  return fc.oneof(
    { arbitrary: fc.constant<Mutation>({ op: 'delete' }), weight: 4 },
    {
      arbitrary: fc.oneof(fc.constantFrom(...STRANGE_STRINGS), fc.string({ maxLength: 12 })).map((to): Mutation => ({ op: 'rename', to })),
      weight: 3,
    },
    { arbitrary: hostileValue().map((value): Mutation => ({ op: 'replace', value })), weight: 6 },
    { arbitrary: fc.constant<Mutation>({ op: 'flipType' }), weight: 6 },
    { arbitrary: hugeString().map((value): Mutation => ({ op: 'huge', value })), weight: 1 },
    { arbitrary: deeplyNested().map((value): Mutation => ({ op: 'nest', value })), weight: 2 },
    { arbitrary: fc.constant<Mutation>({ op: 'swapContainer' }), weight: 3 },
    { arbitrary: fc.integer({ min: 2, max: 60 }).map((times): Mutation => ({ op: 'duplicateInArray', times })), weight: 2 },
  );
}

function flipType(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? n : value.length;
  }
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (value === null) return 'null';
  if (Array.isArray(value)) return value[0] ?? null;
  return JSON.stringify(value);
}

function swapContainer(value: unknown): unknown {
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]));
  if (value !== null && typeof value === 'object') return Object.values(value);
  return [value];
}

function apply(root: unknown, slotIndex: number, mutation: Mutation): unknown {
  if (root === null || typeof root !== 'object') return root;
  const slots = slotsOf(root as Container);
  if (slots.length === 0) return mutation.op === 'replace' ? mutation.value : root;
  const { parent, key } = slots[slotIndex % slots.length]!;
  const holder = parent as Record<string | number, unknown>;
  const current = holder[key];
  switch (mutation.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete holder[key];
      break;
    case 'rename':
      if (!Array.isArray(parent)) {
        delete holder[key];
        holder[mutation.to] = current;
      }
      break;
    case 'replace':
      holder[key] = mutation.value;
      break;
    case 'flipType':
      holder[key] = flipType(current);
      break;
    case 'huge':
      holder[key] = mutation.value;
      break;
    case 'nest':
      holder[key] = mutation.value;
      break;
    case 'swapContainer':
      holder[key] = swapContainer(current);
      break;
    case 'duplicateInArray':
      if (Array.isArray(current) && current.length > 0) {
        holder[key] = Array.from({ length: mutation.times }, (_, i) => current[i % current.length]);
      } else {
        holder[key] = Array.from({ length: mutation.times }, () => current);
      }
      break;
  }
  return root;
}

/** Stands for a mutated body too large for Meta to send; never passes the size filter. */
const OVERSIZED = 'x'.repeat(META_MAX_BODY_BYTES + 1);

/**
 * Whether the compact JSON text of `value` has more than `limit` characters, counted without
 * building it and stopping as soon as it does (walked with a stack of its own: mutations nest deep).
 */
function jsonTextLongerThan(value: unknown, limit: number): boolean {
  let length = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v === 'string') length += v.length + 2;
    else if (v === null || typeof v !== 'object') length += String(v).length;
    else if (Array.isArray(v)) {
      length += 1 + v.length;
      for (const item of v) pending.push(item);
    } else {
      const entries = Object.entries(v);
      length += 1 + entries.length;
      for (const [key, item] of entries) {
        length += key.length + 3;
        pending.push(item);
      }
    }
    if (length > limit) return true;
  }
  return false;
}

/** A corpus document with one to five structural mutations applied, serialised again. */
export function mutatedCorpusBody(corpus: CorpusDocument[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...corpus), fc.array(fc.tuple(fc.nat(), mutationArb()), { minLength: 1, maxLength: 5 }), fc.boolean())
    .map(([doc, mutations, pretty]) => {
      let json = structuredClone(doc.json);
      for (const [slot, mutation] of mutations) json = apply(json, slot, mutation);
      // Duplications share subtrees, so the text can be exponentially larger than the object: a
      // body that could not be a webhook is dropped before it is built (below, by the filter).
      if (jsonTextLongerThan(json, META_MAX_BODY_BYTES)) return OVERSIZED;
      const text = JSON.stringify(json, null, pretty ? 2 : undefined) ?? 'null';
      // Indenting deep nesting grows quadratically; Meta's bodies are compact and capped at 3 MB.
      return Buffer.byteLength(text) <= META_MAX_BODY_BYTES ? text : (JSON.stringify(json) ?? 'null');
    })
    .filter((text) => Buffer.byteLength(text) <= META_MAX_BODY_BYTES);
}

/** A corpus document's raw text cut short, or with bytes spliced in: not JSON any more, usually. */
export function damagedCorpusText(corpus: CorpusDocument[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...corpus), fc.nat(), fc.string({ unit: 'binary', maxLength: 8 }), fc.boolean()).map(([doc, at, splice, truncate]) => {
    const cut = at % (doc.raw.length + 1);
    return truncate ? doc.raw.slice(0, cut) : doc.raw.slice(0, cut) + splice + doc.raw.slice(cut);
  });
}

/** Random JSON, sometimes shaped like a Meta body (known `object`, an `entry` of anything). */
export function randomJsonBody(): fc.Arbitrary<string> {
  const metaShaped = fc
    .record(
      {
        object: fc.oneof(fc.constantFrom('whatsapp_business_account', 'instagram', 'page'), hostileValue()),
        entry: fc.oneof(fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 4 }), hostileValue()),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v));
  return fc.oneof(fc.json({ maxDepth: 5 }), metaShaped, fc.string({ unit: 'binary', maxLength: 200 }));
}

/**
 * A Meta-shaped body with nesting far deeper than any real payload, built as text (building it as
 * objects would overflow the generator's own JSON.stringify).
 */
export function deeplyNestedBody(): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom('whatsapp_business_account', 'instagram', 'page'),
      fc.oneof({ arbitrary: fc.integer({ min: 65, max: 5_000 }), weight: 4 }, { arbitrary: fc.integer({ min: 5_000, max: 200_000 }), weight: 1 }),
      fc.constantFrom('messaging', 'changes', 'id', 'value'),
      fc.boolean(),
    )
    .map(([object, depth, key, arrays]) => {
      const [open, close] = arrays ? ['[', ']'] : ['{"a":', '}'];
      return `{"object":"${object}","entry":[{"id":"1","time":1,"${key}":${open.repeat(depth)}1${close.repeat(depth)}}]}`;
    });
}

/** Every kind of body the fuzzers post. */
export function anyBody(corpus: CorpusDocument[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: mutatedCorpusBody(corpus), weight: 6 },
    { arbitrary: damagedCorpusText(corpus), weight: 2 },
    { arbitrary: randomJsonBody(), weight: 2 },
    { arbitrary: deeplyNestedBody(), weight: 1 },
    { arbitrary: fc.constantFrom(...corpus.map((d) => d.raw)), weight: 1 },
  );
}

export { hostileValue, apply as applyMutation, mutationArb };
