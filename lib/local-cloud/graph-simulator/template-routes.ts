import type { WhatsAppNumber } from '#lib/local-cloud/graph-simulator/accounts';
import { unknownObjectError, type GraphErrorResponse } from '#lib/local-cloud/graph-simulator/graph-errors';
import { newFbtraceId } from '#lib/local-cloud/graph-simulator/sim-ids';
import type { GraphResult, SimulatorContext } from '#lib/local-cloud/graph-simulator/simulator-context';
import type { SimTemplate, SimTemplateInput } from '#lib/local-cloud/graph-simulator/template-store';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Meta's default page size for the template listing. */
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 1000;

const cursorOf = (index: number) => Buffer.from(`tpl:${index}`).toString('base64url');
function indexOfCursor(cursor: string | null): number | undefined {
  if (cursor === null) return 0;
  const match = /^tpl:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

/** The WABAs the simulator plays: those of its numbers and those it holds templates for. */
export function isSimWaba(ctx: SimulatorContext, id: string): boolean {
  return ctx.config.whatsappNumbers.some((n) => n.wabaId === id) || ctx.templates.hasCatalogue(id);
}

/**
 * `GET /{version}/{waba-id}/message_templates?fields=&limit=&after=`: the WABA's templates in
 * creation order, `limit` at a time, with only the fields asked for (and `id`). Like Meta, the
 * `paging.cursors` are opaque and `paging.next` is there only while more entries follow.
 */
export function listTemplatesRoute(ctx: SimulatorContext, wabaId: string, url: URL): GraphResult {
  if (!isSimWaba(ctx, wabaId) && !ctx.config.adoptUnknownAccounts) {
    const error = unknownObjectError('GET', wabaId);
    return { status: error.status, response: error.body };
  }
  const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? DEFAULT_LIMIT) || DEFAULT_LIMIT, 1), MAX_LIMIT);
  const start = indexOfCursor(url.searchParams.get('after'));
  if (start === undefined) return refused(templateError(100, 'Invalid parameter', 'the after cursor is not one this endpoint handed out', 'Invalid parameter'));
  const fields = url.searchParams
    .get('fields')
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const nameFilter = url.searchParams.get('name');
  const all = ctx.templates.list(wabaId).filter((t) => nameFilter === null || t.name === nameFilter);
  const page = all.slice(start, start + limit);
  const data = page.map((t) => pick(t, fields));
  if (page.length === 0) return { status: 200, response: { data, paging: { cursors: {} } } };
  const paging: Json = { cursors: { before: cursorOf(start), after: cursorOf(start + page.length) } };
  if (start + page.length < all.length) {
    const next = new URL(url.toString().replace(/^http:\/\/[^/]+/, ctx.baseUrl()));
    next.searchParams.set('after', cursorOf(start + page.length));
    paging.next = next.toString();
  }
  return { status: 200, response: { data, paging } };
}

function pick(template: SimTemplate, fields: string[] | undefined): Json {
  // Meta's default fields when none are asked for.
  const wanted = fields ?? ['name', 'components', 'language', 'status', 'category', 'id'];
  return Object.fromEntries(Object.entries(template).filter(([k]) => k === 'id' || wanted.includes(k)));
}

function refused(error: GraphErrorResponse): GraphResult {
  return { status: error.status, response: error.body };
}

function templateError(code: number, title: string, details: string, message = `(#${code}) ${title}`): GraphErrorResponse {
  return {
    status: 400,
    body: { error: { message, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details }, fbtrace_id: newFbtraceId() } },
  };
}

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const variablesOf = (text: unknown) => (typeof text === 'string' ? [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1]!))] : []);

/**
 * A template send checked like Meta checks it: the name in that language (132001), approved
 * (132001 while pending or rejected, 132015 paused, 132016 disabled), the right number of
 * parameters per component (132000), named parameters for a named template (132012), media of the
 * header's kind, and a body within 1,024 characters once filled (132005). Templates of a name the
 * WABA's catalogue does not hold are accepted as before unless the simulator is strict: the local
 * cloud cannot know a real business's templates.
 */
export function validateTemplateSend(ctx: SimulatorContext, number: WhatsAppNumber, message: Json): GraphErrorResponse | undefined {
  const sent = isObject(message.template) ? message.template : {};
  const name = String(sent.name ?? '');
  const language = isObject(sent.language) ? String(sent.language.code ?? '') : '';
  const known = ctx.templates.hasName(number.wabaId, name);
  if (!known && !ctx.config.strictTemplates) return undefined;
  const template = ctx.templates.find(number.wabaId, name, language);
  if (!template) return templateError(132001, 'Template name does not exist in the translation', `template name (${name}) does not exist in ${language}`);
  if (template.status === 'PAUSED') return templateError(132015, 'Template is Paused', `template ${name} is paused because of low quality`);
  if (template.status === 'DISABLED') return templateError(132016, 'Template is Disabled', `template ${name} is disabled because of low quality`);
  if (template.status !== 'APPROVED')
    return templateError(132001, 'Template name does not exist in the translation', `template name (${name}) does not exist in ${language}`);

  const components = Array.isArray(sent.components) ? sent.components.filter(isObject) : [];
  const given = (type: string) => components.find((c) => String(c.type).toLowerCase() === type);
  const defined = (type: string) => template.components.find((c) => String(c.type).toUpperCase() === type);
  const named = template.parameter_format === 'NAMED';

  const header = defined('HEADER');
  const format = String(header?.format ?? 'TEXT').toUpperCase();
  const headerParams = (isObject(given('header')) && Array.isArray(given('header')!.parameters) ? (given('header')!.parameters as unknown[]) : []).filter(
    isObject,
  );
  if (header && format !== 'TEXT') {
    const kind = format.toLowerCase();
    const param = headerParams[0];
    if (!param || param.type !== kind || !isObject(param[kind])) {
      return templateError(
        132012,
        'Parameter format does not match format in the created template',
        `header: Format mismatch, expected ${format}, received ${String(param?.type ?? 'nothing').toUpperCase()}`,
      );
    }
  } else {
    const problem = textParameterProblem('header', variablesOf(header?.text), headerParams, named);
    if (problem) return problem;
  }

  const body = defined('BODY');
  const bodyParams = (Array.isArray(given('body')?.parameters) ? (given('body')!.parameters as unknown[]) : []).filter(isObject);
  const bodyProblem = textParameterProblem('body', variablesOf(body?.text), bodyParams, named);
  if (bodyProblem) return bodyProblem;
  const filled = bodyParams.reduce<string>(
    (text, p, i) => text.replace(named ? `{{${String(p.parameter_name)}}}` : `{{${i + 1}}}`, String(p.text ?? '')),
    String(body?.text ?? ''),
  );
  if (filled.length > 1024) return templateError(132005, 'Translated text too long', 'body: the text with its parameters exceeds 1024 characters');

  const buttons = (defined('BUTTONS')?.buttons as Json[] | undefined) ?? [];
  for (const [index, button] of buttons.entries()) {
    const type = String(button.type).toUpperCase();
    const needsValue = (type === 'URL' && variablesOf(button.url).length > 0) || type === 'COPY_CODE';
    const value = components.find((c) => String(c.type).toLowerCase() === 'button' && String(c.index) === String(index));
    if (needsValue && !value) {
      return templateError(
        131008,
        'Required parameter is missing',
        `buttons: Button at index ${index} of type ${type === 'URL' ? 'Url' : 'Copy_code'} requires a parameter`,
      );
    }
  }
  return undefined;
}

function textParameterProblem(component: string, expected: string[], params: Json[], named: boolean): GraphErrorResponse | undefined {
  if (params.length !== expected.length) {
    return templateError(
      132000,
      'Number of parameters does not match the expected number of params',
      `${component}: number of localizable_params (${params.length}) does not match the expected number of params (${expected.length})`,
    );
  }
  if (named) {
    const names = params.map((p) => p.parameter_name);
    if (names.some((n) => typeof n !== 'string' || !expected.includes(n))) {
      return templateError(
        132012,
        'Parameter format does not match format in the created template',
        `${component}: named parameters expected (${expected.join(', ')})`,
      );
    }
  } else if (params.some((p) => p.parameter_name !== undefined)) {
    return templateError(132012, 'Parameter format does not match format in the created template', `${component}: positional parameters expected`);
  }
  return undefined;
}

/**
 * `POST /_sim/templates` `{ wabaId?, name, language, status?, category?, components?, … }`: adds
 * or changes a template; when its status changed (or it is new) the simulator posts the signed
 * `message_template_status_update` webhook Meta would send.
 */
export async function upsertTemplateControl(ctx: SimulatorContext, body: unknown): Promise<{ status: number; response: unknown }> {
  if (!isObject(body) || typeof body.name !== 'string' || typeof body.language !== 'string') {
    return { status: 400, response: { error: { message: 'a template needs { name, language }' } } };
  }
  const wabaId = typeof body.wabaId === 'string' ? body.wabaId : ctx.config.whatsappNumbers[0]?.wabaId;
  if (!wabaId) return { status: 400, response: { error: { message: 'no WABA to add the template to' } } };
  const { wabaId: _ignored, reason, ...fields } = body;
  const { template, previousStatus } = ctx.templates.upsert(wabaId, fields as SimTemplateInput);
  let webhook: unknown;
  if (previousStatus !== template.status) {
    const delivery = await ctx.webhooks.post(
      'template',
      'whatsapp',
      templateStatusWebhook(wabaId, template, typeof reason === 'string' ? reason : undefined, ctx.clock()),
    );
    webhook = { status: delivery.status, attempts: delivery.attempts };
  }
  return { status: 200, response: { template, ...(webhook ? { webhook } : {}) } };
}

/** Meta's `message_template_status_update` webhook body. */
export function templateStatusWebhook(wabaId: string, t: SimTemplate, reason: string | undefined, nowMs: number): Json {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: wabaId,
        time: Math.floor(nowMs / 1000),
        changes: [
          {
            field: 'message_template_status_update',
            value: {
              event: t.status,
              message_template_id: Number(t.id),
              message_template_name: t.name,
              message_template_language: t.language,
              reason: reason ?? (t.status === 'REJECTED' ? (t.rejected_reason ?? 'INVALID_FORMAT') : 'NONE'),
              message_template_category: t.category,
            },
          },
        ],
      },
    ],
  };
}
