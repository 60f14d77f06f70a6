import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { invalidParameterError, parameterValueInvalidError, type GraphErrorResponse } from '#lib/local-cloud/graph-simulator/graph-errors';
import { DEFAULT_SPEC_PATH } from '#lib/local-cloud/graph-simulator/send-body-schema';
import { cachedSendBodySchema } from '#lib/local-cloud/graph-simulator/send-body-schema-cache';
import { findInteractiveProblem } from '#lib/local-cloud/graph-simulator/interactive-rules';

/** Validates a WhatsApp send body and answers, when it is refused, the error Meta would send. */
export interface SendBodyValidator {
  validate(body: unknown): GraphErrorResponse | undefined;
}

/** Compile once per process and spec. */
const compiled = new Map<string, Promise<ValidateFunction>>();

export function loadSendBodyValidator(specPath: string = DEFAULT_SPEC_PATH): Promise<SendBodyValidator> {
  let validateFn = compiled.get(specPath);
  if (!validateFn) {
    validateFn = compileSendBodySchema(specPath);
    compiled.set(specPath, validateFn);
    validateFn.catch(() => compiled.delete(specPath));
  }
  return validateFn.then((fn) => ({
    validate: (body) => {
      if (!fn(body)) return toGraphError(fn.errors ?? [], body);
      const problem = findInteractiveProblem(body);
      return problem ? parameterValueInvalidError(problem) : undefined;
    },
  }));
}

async function compileSendBodySchema(specPath: string): Promise<ValidateFunction> {
  const schema = await cachedSendBodySchema(specPath);
  // allErrors lets us choose the most telling error instead of whichever ajv meets first.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** Keywords that only say "a sub-schema failed"; the failing sub-schema has its own error. */
const WRAPPER_KEYWORDS = new Set(['oneOf', 'anyOf', 'allOf', 'if', 'not']);
const VALUE_KEYWORDS = new Set(['maxLength', 'minLength', 'maxItems', 'minItems', 'maximum', 'minimum', 'pattern', 'format', 'uniqueItems']);

/** `/interactive/action/buttons/0` → `interactive['action']['buttons'][0]`, Meta's notation. */
export function graphParamName(instancePath: string, child?: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) segments.push(child);
  const [first, ...rest] = segments;
  if (first === undefined) return 'message';
  return first + rest.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `['${s}']`)).join('');
}

function depth(error: ErrorObject): number {
  return error.instancePath === '' ? 0 : error.instancePath.split('/').length - 1;
}

/**
 * The error a person would want to read first: not a wrapper, preferably not one of several
 * alternatives of a `oneOf` (those contradict each other), then the deepest in the body.
 */
export function pickTellingError(errors: ErrorObject[]): ErrorObject | undefined {
  const concrete = errors.filter((e) => !WRAPPER_KEYWORDS.has(e.keyword));
  if (concrete.length === 0) return errors[0];
  const outsideAlternatives = concrete.filter((e) => !e.schemaPath.includes('/oneOf/'));
  const pool = outsideAlternatives.length > 0 ? outsideAlternatives : concrete;
  return pool.reduce((best, e) => (depth(e) > depth(best) ? e : best));
}

function describeAlternatives(errors: ErrorObject[], chosen: ErrorObject): string | undefined {
  const oneOfAt = chosen.schemaPath.lastIndexOf('/oneOf/');
  if (oneOfAt < 0) return undefined;
  const prefix = chosen.schemaPath.slice(0, oneOfAt + '/oneOf/'.length);
  const missing = errors
    .filter((e) => e.keyword === 'required' && e.instancePath === chosen.instancePath && e.schemaPath.startsWith(prefix))
    .map((e) => String((e.params as { missingProperty?: string }).missingProperty));
  return missing.length > 1 ? [...new Set(missing)].join(', ') : undefined;
}

function valueAt(body: unknown, instancePath: string): unknown {
  let node = body;
  for (const segment of instancePath.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

export function toGraphError(errors: ErrorObject[], body: unknown): GraphErrorResponse {
  const error = pickTellingError(errors);
  if (!error) return invalidParameterError('Invalid parameter', true);
  const param = graphParamName(error.instancePath);
  const params = error.params as Record<string, unknown>;

  switch (error.keyword) {
    case 'required': {
      const alternatives = describeAlternatives(errors, error);
      if (alternatives) return invalidParameterError(`Param ${param} must include one of: ${alternatives}.`, true);
      return invalidParameterError(`The parameter ${graphParamName(error.instancePath, String(params.missingProperty))} is required.`, true);
    }
    case 'additionalProperties':
      return invalidParameterError(`Unexpected key "${String(params.additionalProperty)}" on param "${param}".`, true);
    case 'type':
      return invalidParameterError(`Param ${param} must be ${describeType(params.type)}.`, true);
    case 'enum':
    case 'const': {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [params.allowedValue];
      return invalidParameterError(
        `Param ${param} must be one of {${allowed.map(String).join(', ')}} - got ${JSON.stringify(valueAt(body, error.instancePath))}.`,
        true,
      );
    }
    case 'oneOf':
      return parameterValueInvalidError(`Param ${param} must take exactly one of its allowed forms.`);
    default:
      if (VALUE_KEYWORDS.has(error.keyword)) return parameterValueInvalidError(`Param ${param} ${error.message ?? 'is not valid'}.`);
      return invalidParameterError(`Param ${param} ${error.message ?? 'is not valid'}.`, true);
  }
}

function describeType(type: unknown): string {
  const names = Array.isArray(type) ? type.map(String) : [String(type)];
  return names.map((t) => (t === 'object' ? 'a JSON object' : t === 'array' ? 'an array' : `a ${t}`)).join(' or ');
}
