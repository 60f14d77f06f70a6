import type { AwsServiceError } from '#lib/local-cloud/aws/aws-error';

/**
 * Readers for JSON-protocol request fields. Each service words its validation errors differently, so
 * the caller supplies how a missing or malformed field is reported.
 */
export interface FieldErrors {
  missing(name: string): AwsServiceError;
  invalid(name: string, detail: string): AwsServiceError;
}

export type JsonInput = Record<string, unknown>;

export function requiredString(input: JsonInput, name: string, errors: FieldErrors): string {
  const v = input[name];
  if (v === undefined || v === null || v === '') throw errors.missing(name);
  if (typeof v !== 'string') throw errors.invalid(name, 'must be a string');
  return v;
}

export function optionalString(input: JsonInput, name: string, errors: FieldErrors): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw errors.invalid(name, 'must be a string');
  return v;
}

export function optionalInt(input: JsonInput, name: string, errors: FieldErrors): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw errors.invalid(name, 'must be an integer');
  return n;
}

export function optionalStringList(input: JsonInput, name: string, errors: FieldErrors): string[] | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw errors.invalid(name, 'must be a list of strings');
  return v as string[];
}

export function optionalObject(input: JsonInput, name: string, errors: FieldErrors): JsonInput | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw errors.invalid(name, 'must be an object');
  return v as JsonInput;
}

export function optionalList(input: JsonInput, name: string, errors: FieldErrors): JsonInput[] | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) {
    throw errors.invalid(name, 'must be a list of objects');
  }
  return v as JsonInput[];
}
