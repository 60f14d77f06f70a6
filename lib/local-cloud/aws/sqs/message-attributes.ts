import { createHash } from 'node:crypto';
import { sqsErrors } from '#lib/local-cloud/aws/sqs/sqs-errors';

/** A message attribute as stored; binary values are kept as bytes and base64-encoded on the wire. */
export interface MessageAttribute {
  dataType: string;
  stringValue?: string;
  binaryValue?: Buffer;
}

export type MessageAttributes = Record<string, MessageAttribute>;

/** The shape the JSON protocol uses for a message attribute (binary values are base64 strings). */
export interface WireMessageAttribute {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

const MAX_ATTRIBUTES = 10;
const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE_PATTERN = /^(String|Number|Binary)(\.[^\s]{1,250})?$/;
const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Checks user message attributes as SQS does and turns them into their stored form. */
export function parseMessageAttributes(input: unknown, kind: 'user' | 'system' = 'user'): MessageAttributes {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw sqsErrors.invalidParameterValue('MessageAttributes must be a map of names to attribute values.');
  }
  const entries = Object.entries(input as Record<string, WireMessageAttribute>);
  if (kind === 'user' && entries.length > MAX_ATTRIBUTES) {
    throw sqsErrors.invalidParameterValue(`Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  }
  const out: MessageAttributes = {};
  for (const [name, value] of entries) {
    if (kind === 'system') {
      if (name !== 'AWSTraceHeader') {
        throw sqsErrors.invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
      }
    } else {
      validateAttributeName(name);
    }
    out[name] = parseAttributeValue(name, value, kind);
  }
  return out;
}

function validateAttributeName(name: string): void {
  const lower = name.toLowerCase();
  if (
    !NAME_PATTERN.test(name) ||
    name.startsWith('.') ||
    name.endsWith('.') ||
    name.includes('..') ||
    lower.startsWith('aws.') ||
    lower.startsWith('amazon.')
  ) {
    throw sqsErrors.invalidParameterValue(`Message (user) attribute name '${name}' is invalid.`);
  }
}

function parseAttributeValue(name: string, value: WireMessageAttribute | undefined, kind: string): MessageAttribute {
  const dataType = value?.DataType;
  if (typeof dataType !== 'string' || !DATA_TYPE_PATTERN.test(dataType)) {
    throw sqsErrors.invalidParameterValue(`The message (${kind}) attribute '${name}' has an invalid message attribute type.`);
  }
  if (value?.StringListValues?.length || value?.BinaryListValues?.length) {
    throw sqsErrors.invalidParameterValue(`Message (${kind}) attribute '${name}': list values are not supported.`);
  }
  const base = dataType.split('.')[0];
  if (base === 'Binary') {
    if (typeof value?.BinaryValue !== 'string' || value.BinaryValue.length === 0) {
      throw sqsErrors.invalidParameterValue(`Message (${kind}) attribute '${name}' must contain a non-empty value of type 'Binary'.`);
    }
    return { dataType, binaryValue: Buffer.from(value.BinaryValue, 'base64') };
  }
  if (typeof value?.StringValue !== 'string' || value.StringValue.length === 0) {
    throw sqsErrors.invalidParameterValue(`Message (${kind}) attribute '${name}' must contain a non-empty value of type '${base}'.`);
  }
  if (base === 'Number' && !isSqsNumber(value.StringValue)) {
    throw sqsErrors.invalidParameterValue(`Value ${value.StringValue} for message (${kind}) attribute '${name}' is not a valid Number.`);
  }
  return { dataType, stringValue: value.StringValue };
}

/** SQS numbers: at most 38 significant digits, magnitude between 10^-128 and 10^126. */
function isSqsNumber(text: string): boolean {
  if (!NUMBER_PATTERN.test(text)) return false;
  const digits = text
    .replace(/[eE].*$/, '')
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '');
  if (digits.length > 38) return false;
  const n = Number(text);
  return n === 0 || (Math.abs(n) >= 1e-128 && Math.abs(n) <= 1e126);
}

export function toWireAttributes(attrs: MessageAttributes): Record<string, WireMessageAttribute> {
  const out: Record<string, WireMessageAttribute> = {};
  for (const [name, a] of Object.entries(attrs)) {
    out[name] =
      a.binaryValue !== undefined
        ? { DataType: a.dataType, BinaryValue: a.binaryValue.toString('base64') }
        : { DataType: a.dataType, StringValue: a.stringValue ?? '' };
  }
  return out;
}

/** Bytes the attributes add to a message's size: names, types and values all count. */
export function attributesSize(attrs: MessageAttributes): number {
  let size = 0;
  for (const [name, a] of Object.entries(attrs)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.dataType);
    size += a.binaryValue !== undefined ? a.binaryValue.length : Buffer.byteLength(a.stringValue ?? '');
  }
  return size;
}

/**
 * The MD5 SQS returns for message attributes: attributes sorted by name, each encoded as
 * length-prefixed name, length-prefixed type, a transport byte (1 string, 2 binary) and the
 * length-prefixed value. Returns undefined when there are none, as SQS omits the field.
 */
export function md5OfMessageAttributes(attrs: MessageAttributes): string | undefined {
  const names = Object.keys(attrs).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const a = attrs[name] as MessageAttribute;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(a.dataType, 'utf8')));
    if (a.binaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(a.binaryValue));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(a.stringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** Returns which of the attributes a receive asked for: by name, `All`, `.*`, or a `prefix.*`. */
export function selectAttributes(attrs: MessageAttributes, requested: readonly string[] | undefined): MessageAttributes {
  if (!requested || requested.length === 0) return {};
  const out: MessageAttributes = {};
  for (const [name, value] of Object.entries(attrs)) {
    const wanted = requested.some((r) => r === 'All' || r === '.*' || r === name || (r.endsWith('.*') && name.startsWith(r.slice(0, -1))));
    if (wanted) out[name] = value;
  }
  return out;
}
