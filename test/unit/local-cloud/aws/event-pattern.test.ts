import { describe, expect, it } from 'vitest';
import { matchesEventPattern, parseEventPattern, type EventPattern } from '#lib/local-cloud/aws/eventbridge/event-pattern';

const event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'message.received',
  source: 'io.omnichannel.normalizer',
  account: '000000000000',
  time: '2025-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:dynamodb:us-east-1:000000000000:table/conversations'],
  detail: {
    channel: 'whatsapp',
    conversationKey: 'wa:1234:5511999',
    attempt: 3,
    price: 10.5,
    urgent: false,
    note: null,
    tags: ['vip', 'returning'],
    customer: { language: 'pt-BR', profile: { name: 'Ana' } },
    items: [
      { sku: 'A-1', qty: 1 },
      { sku: 'B-2', qty: 5 },
    ],
    emptyList: [],
  },
};

function matches(pattern: EventPattern): boolean {
  return matchesEventPattern(parseEventPattern(pattern), event);
}

describe('event pattern matching', () => {
  it('matches exact strings against the envelope and nested detail fields', () => {
    expect(matches({ source: ['io.omnichannel.normalizer'], 'detail-type': ['message.received', 'message.echoed'] })).toBe(true);
    expect(matches({ source: ['io.omnichannel.agent'] })).toBe(false);
    expect(matches({ detail: { customer: { profile: { name: ['Ana'] } } } })).toBe(true);
    expect(matches({ detail: { customer: { profile: { name: ['ana'] } } } })).toBe(false);
  });

  it('requires every field of the pattern to match', () => {
    expect(matches({ source: ['io.omnichannel.normalizer'], detail: { channel: ['instagram'] } })).toBe(false);
  });

  it('matches numbers, booleans and null exactly, without confusing them with strings', () => {
    expect(matches({ detail: { attempt: [3] } })).toBe(true);
    expect(matches({ detail: { attempt: ['3'] } })).toBe(false);
    expect(matches({ detail: { urgent: [false] } })).toBe(true);
    expect(matches({ detail: { urgent: [true] } })).toBe(false);
    expect(matches({ detail: { note: [null] } })).toBe(true);
    expect(matches({ detail: { channel: [null] } })).toBe(false);
  });

  it('matches an array field when any element matches', () => {
    expect(matches({ detail: { tags: ['vip'] } })).toBe(true);
    expect(matches({ detail: { tags: ['new'] } })).toBe(false);
    expect(matches({ resources: [{ prefix: 'arn:aws:dynamodb:' }] })).toBe(true);
  });

  it('matches arrays of objects element by element', () => {
    expect(matches({ detail: { items: { sku: ['B-2'], qty: [5] } } })).toBe(true);
    // sku of one element and qty of the other: no single element matches both.
    expect(matches({ detail: { items: { sku: ['A-1'], qty: [5] } } })).toBe(false);
  });

  it('prefix, with and without equals-ignore-case', () => {
    expect(matches({ detail: { conversationKey: [{ prefix: 'wa:' }] } })).toBe(true);
    expect(matches({ detail: { conversationKey: [{ prefix: 'ig:' }] } })).toBe(false);
    expect(matches({ detail: { conversationKey: [{ prefix: { 'equals-ignore-case': 'WA:' } }] } })).toBe(true);
    expect(matches({ detail: { conversationKey: [{ prefix: 'WA:' }] } })).toBe(false);
  });

  it('suffix, with and without equals-ignore-case', () => {
    expect(matches({ 'detail-type': [{ suffix: '.received' }] })).toBe(true);
    expect(matches({ 'detail-type': [{ suffix: '.sent' }] })).toBe(false);
    expect(matches({ 'detail-type': [{ suffix: { 'equals-ignore-case': '.RECEIVED' } }] })).toBe(true);
  });

  it('equals-ignore-case', () => {
    expect(matches({ detail: { channel: [{ 'equals-ignore-case': 'WhatsApp' }] } })).toBe(true);
    expect(matches({ detail: { channel: [{ 'equals-ignore-case': 'Messenger' }] } })).toBe(false);
  });

  it('wildcard, with escaped stars', () => {
    expect(matches({ detail: { conversationKey: [{ wildcard: 'wa:*:55*' }] } })).toBe(true);
    expect(matches({ detail: { conversationKey: [{ wildcard: 'ig:*' }] } })).toBe(false);
    expect(matchesEventPattern(parseEventPattern({ a: [{ wildcard: 'x\\*y' }] }), { a: 'x*y' })).toBe(true);
    expect(matchesEventPattern(parseEventPattern({ a: [{ wildcard: 'x\\*y' }] }), { a: 'xzzy' })).toBe(false);
  });

  it('anything-but with a value, a list, a prefix, a suffix, equals-ignore-case and wildcard', () => {
    expect(matches({ detail: { channel: [{ 'anything-but': 'instagram' }] } })).toBe(true);
    expect(matches({ detail: { channel: [{ 'anything-but': 'whatsapp' }] } })).toBe(false);
    expect(matches({ detail: { attempt: [{ 'anything-but': [1, 2] }] } })).toBe(true);
    expect(matches({ detail: { attempt: [{ 'anything-but': [3, 4] }] } })).toBe(false);
    expect(matches({ detail: { conversationKey: [{ 'anything-but': { prefix: 'ig:' } }] } })).toBe(true);
    expect(matches({ detail: { conversationKey: [{ 'anything-but': { prefix: 'wa:' } }] } })).toBe(false);
    expect(matches({ detail: { conversationKey: [{ 'anything-but': { suffix: '5511999' } }] } })).toBe(false);
    expect(matches({ detail: { channel: [{ 'anything-but': { 'equals-ignore-case': ['WHATSAPP'] } }] } })).toBe(false);
    expect(matches({ detail: { channel: [{ 'anything-but': { wildcard: 'insta*' } }] } })).toBe(true);
    expect(matches({ detail: { channel: [{ 'anything-but': { wildcard: 'whats*' } }] } })).toBe(false);
  });

  it('anything-but does not match a missing field', () => {
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false);
  });

  it('numeric ranges, open and closed', () => {
    expect(matches({ detail: { price: [{ numeric: ['>', 10, '<=', 10.5] }] } })).toBe(true);
    expect(matches({ detail: { price: [{ numeric: ['>', 10, '<', 10.5] }] } })).toBe(false);
    expect(matches({ detail: { attempt: [{ numeric: ['=', 3] }] } })).toBe(true);
    expect(matches({ detail: { attempt: [{ numeric: ['>=', 4] }] } })).toBe(false);
    expect(matches({ detail: { channel: [{ numeric: ['>', 0] }] } })).toBe(false);
  });

  it('exists looks at leaf values only', () => {
    expect(matches({ detail: { channel: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { missing: [{ exists: true }] } })).toBe(false);
    expect(matches({ detail: { missing: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { channel: [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: { customer: [{ exists: true }] } })).toBe(false);
    expect(matches({ detail: { emptyList: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { absentParent: { child: [{ exists: false }] } } })).toBe(true);
  });

  it('$or needs one branch to match, alongside the other fields', () => {
    const pattern = { source: ['io.omnichannel.normalizer'], $or: [{ detail: { channel: ['instagram'] } }, { detail: { attempt: [{ numeric: ['>', 2] }] } }] };
    expect(matches(pattern)).toBe(true);
    expect(matches({ ...pattern, $or: [{ detail: { channel: ['instagram'] } }, { detail: { attempt: [{ numeric: ['>', 5] }] } }] })).toBe(false);
    expect(matches({ ...pattern, source: ['other'] })).toBe(false);
  });

  it('rejects malformed patterns the way PutRule does', () => {
    for (const bad of [
      {},
      { source: 'not-an-array' },
      { source: [] },
      { detail: { n: [{ numeric: ['>', 'x'] }] } },
      { detail: { n: [{ numeric: ['>', 5, '<', 1] }] } },
      { detail: { n: [{ exists: 'yes' }] } },
      { detail: { n: [{ unknownOperator: 1 }] } },
      { detail: { n: [{ prefix: 'a', suffix: 'b' }] } },
      { detail: { n: [{ wildcard: 'a**b' }] } },
      { $or: [{ a: ['x'] }] },
    ]) {
      expect(() => parseEventPattern(bad as EventPattern), JSON.stringify(bad)).toThrow(/Event pattern is not valid/);
    }
    expect(() => parseEventPattern('{not json')).toThrow(/Event pattern is not valid/);
  });
});
