import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';
import { JsonPathError, parseJsonPath, readJsonPath } from '#lib/local-cloud/aws/eventbridge/json-path';

/**
 * What a target receives instead of the whole event (Target `Input`, `InputPath`,
 * `InputTransformer`), as EventBridge documents it ("Amazon EventBridge input transformation",
 * user guide): at most one of the three; without any, the target gets the event itself.
 */
export interface TargetInputSpec {
  /** Constant JSON text sent as is. */
  input?: string;
  /** A JSON path into the event; the target gets the JSON of what it selects. */
  inputPath?: string;
  inputTransformer?: InputTransformerSpec;
}

export interface InputTransformerSpec {
  /** Variable name → JSON path into the event (up to 100). */
  inputPathsMap?: Record<string, string>;
  /** Text with `<variable>` placeholders. */
  inputTemplate: string;
}

export interface RuleIdentity {
  arn: string;
  name: string;
}

const VARIABLE_NAME = /^[A-Za-z0-9_-]+$/;

function invalid(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}

/** PutTargets' checks on a target's input settings. */
export function validateTargetInput(spec: TargetInputSpec, targetId: string): void {
  const given = [spec.input, spec.inputPath, spec.inputTransformer].filter((v) => v !== undefined).length;
  if (given > 1) throw invalid(`Target ${targetId}: only one of Input, InputPath, or InputTransformer can be provided.`);
  if (spec.input !== undefined) {
    try {
      JSON.parse(spec.input);
    } catch {
      throw invalid(`Target ${targetId}: Input is not valid JSON text.`);
    }
  }
  try {
    if (spec.inputPath !== undefined) parseJsonPath(spec.inputPath);
    const transformer = spec.inputTransformer;
    if (transformer) {
      if (typeof transformer.inputTemplate !== 'string' || transformer.inputTemplate.length === 0 || transformer.inputTemplate.length > 8192) {
        throw invalid(`Target ${targetId}: InputTemplate must be 1 to 8192 characters.`);
      }
      const entries = Object.entries(transformer.inputPathsMap ?? {});
      if (entries.length > 100) throw invalid(`Target ${targetId}: InputPathsMap has more than 100 entries.`);
      for (const [name, path] of entries) {
        if (!VARIABLE_NAME.test(name) || name.startsWith('aws.')) throw invalid(`Target ${targetId}: InputPathsMap key ${name} is not valid.`);
        parseJsonPath(path);
      }
    }
  } catch (err) {
    if (err instanceof JsonPathError) throw invalid(`Target ${targetId}: ${err.message}.`);
    throw err;
  }
}

/**
 * The text the target receives for `event`. Without input settings it is the event's JSON.
 * An InputPath that selects nothing gives an empty body.
 */
export function renderTargetInput(spec: TargetInputSpec, event: Record<string, unknown>, rule: RuleIdentity, ingestionTime: string): string {
  if (spec.input !== undefined) return spec.input;
  if (spec.inputPath !== undefined) {
    const { found, value } = readJsonPath(event, spec.inputPath);
    return found ? JSON.stringify(value) : '';
  }
  if (spec.inputTransformer) return renderTemplate(spec.inputTransformer, event, rule, ingestionTime);
  return JSON.stringify(event);
}

/**
 * Fills the template's placeholders. Outside a JSON string a value goes in as JSON (a string gets
 * its quotes); inside a JSON string it goes in as text, unescaped, as EventBridge does, and an object
 * or array loses its inner quotes. A variable whose path matched nothing is left out: empty inside a
 * string, `null` outside. Placeholders that name no variable stay as written.
 */
function renderTemplate(transformer: InputTransformerSpec, event: Record<string, unknown>, rule: RuleIdentity, ingestionTime: string): string {
  const variables = new Map<string, { found: boolean; value: unknown; raw?: boolean }>();
  for (const [name, path] of Object.entries(transformer.inputPathsMap ?? {})) variables.set(name, readJsonPath(event, path));
  const { detail: _detail, ...withoutDetail } = event;
  variables.set('aws.events.rule-arn', { found: true, value: rule.arn });
  variables.set('aws.events.rule-name', { found: true, value: rule.name });
  variables.set('aws.events.event.ingestion-time', { found: true, value: ingestionTime });
  // Documented as usable only as a JSON field's value: their content goes in unescaped.
  variables.set('aws.events.event', { found: true, value: withoutDetail, raw: true });
  variables.set('aws.events.event.json', { found: true, value: event, raw: true });

  const template = transformer.inputTemplate;
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template.charAt(i);
    if (inString && c === '\\') {
      out += c + template.charAt(i + 1);
      i++;
      continue;
    }
    if (c === '"') {
      inString = !inString;
      out += c;
      continue;
    }
    if (c === '<') {
      const end = template.indexOf('>', i + 1);
      const name = end > i ? template.slice(i + 1, end) : '';
      const variable = variables.get(name);
      if (variable) {
        out += inString ? asText(variable) : asJson(variable);
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

function asJson(v: { found: boolean; value: unknown }): string {
  return v.found ? JSON.stringify(v.value) : 'null';
}

function asText(v: { found: boolean; value: unknown; raw?: boolean }): string {
  if (!v.found) return '';
  if (typeof v.value === 'string') return v.value;
  if (v.value !== null && typeof v.value === 'object' && !v.raw) return JSON.stringify(v.value).replace(/"/g, '');
  return JSON.stringify(v.value);
}
