/**
 * The form of an approved template as `GET /agent/conversation/templates` describes it
 * (lambdas/workspace/approved-templates.ts `ProposedTemplate`): one field per variable of its
 * header, body and buttons, the parameters the send route takes, and the body's preview.
 */
import type { TemplateOption } from './api-shapes.ts';

export interface TemplateField {
  /** Unique in the form: `header:<variable>`, `body:<variable>`, `button:<index>`. */
  id: string;
  part: 'header' | 'body' | 'button';
  /** The variable's name (`1`, `first_name`) or the button's index. */
  key: string;
}

/** What the send route's `parameters` takes: a list for a body-only positional template, else the full variables. */
export type TemplateParameters =
  | string[]
  | { header?: string[] | Record<string, string>; body?: string[] | Record<string, string>; buttons?: Record<string, string> };

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 100).slice(0, 50) : [];

/** The fields to fill, header first, then body, then buttons. */
export function templateFields(template: TemplateOption): TemplateField[] {
  return [
    ...list(template.headerVariables).map((key) => ({ id: `header:${key}`, part: 'header' as const, key })),
    ...list(template.bodyVariables).map((key) => ({ id: `body:${key}`, part: 'body' as const, key })),
    ...list(template.buttonVariables).map((key) => ({ id: `button:${key}`, part: 'button' as const, key })),
  ];
}

/** A template whose header needs an image, video, document or location cannot be sent from the form. */
export function sendableFromForm(template: TemplateOption): boolean {
  return !template.headerMedia;
}

/** The values of the form as the send route takes them (positional variables in their number's order). */
export function templateParameters(template: TemplateOption, values: Readonly<Record<string, string | undefined>>): TemplateParameters {
  const named = template.parameterFormat === 'NAMED';
  const fieldValue = (id: string) => (values[id] ?? '').trim();
  const partValues = (part: 'header' | 'body', keys: string[]) => {
    if (named) return Object.fromEntries(keys.map((k) => [k, fieldValue(`${part}:${k}`)]));
    return [...keys].sort((a, b) => Number(a) - Number(b)).map((k) => fieldValue(`${part}:${k}`));
  };
  const header = list(template.headerVariables);
  const body = list(template.bodyVariables);
  const buttons = list(template.buttonVariables);
  if (!named && header.length === 0 && buttons.length === 0) return partValues('body', body) as string[];
  return {
    ...(header.length ? { header: partValues('header', header) } : {}),
    ...(body.length ? { body: partValues('body', body) } : {}),
    ...(buttons.length ? { buttons: Object.fromEntries(buttons.map((k) => [k, fieldValue(`button:${k}`)])) } : {}),
  };
}

/** The body with its variables filled; an empty one shows as written (`{{1}}`, `{{first_name}}`). */
export function templatePreview(template: TemplateOption, values: Readonly<Record<string, string | undefined>>): string | undefined {
  if (typeof template.bodyText !== 'string') return undefined;
  return template.bodyText.replace(/\{\{\s*([A-Za-z0-9_]{1,100})\s*\}\}/g, (whole, name: string) => values[`body:${name}`]?.trim() || whole);
}
