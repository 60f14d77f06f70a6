#!/usr/bin/env node
// `npm run templates -- sync|list --waba <id>` and
// `npm run templates -- send --account <phone number id> --to <wa_id> --name <name> --language <code> [--var body.1=Ana …]`:
// WhatsApp templates through the templates API of the local cloud (or of a deployment with --url and --token).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { TEMPLATES_API_ROUTES } from '#lambdas/templates/templates-api-contract';
import type { TemplateVariables } from '#lambdas/templates/template-variables';
import { LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID, LOCAL_WHATSAPP_PHONE_NUMBER_ID } from '#lib/local-cloud/graph-simulator/accounts';
import { LOCAL_DEFAULTS } from '#lib/local-cloud/start-local-cloud';
import { LOCAL_BUSINESS_ID, OPERATOR_TOKEN_ENV, operatorToken } from '#lib/operations/operator-token';

function usage(problem: string): never {
  console.error(`${problem}
usage: npm run templates -- sync --waba <waba id>
       npm run templates -- list --waba <waba id>
       npm run templates -- send --account <phone number id> --to <wa_id> --name <name> --language <code> [--var <where>=<value> …] [--request-id <id>]
         --var body.1=Ana  body.first_name=Ana  header.1=A-1  header.media=<https link or media id>  button.0=<url suffix or code>
       the API is http://127.0.0.1:$PORT (default ${LOCAL_DEFAULTS.port}), acting as an admin of --business (default ${LOCAL_BUSINESS_ID})
       with a token from the local identity provider; or --url with --token (or $${OPERATOR_TOKEN_ENV}), an access token
       from the stack's Cognito user pool`);
  process.exit(2);
}

/** `--var` values into the API's variables: numbered entries make a list, named ones a map. */
export function variablesFrom(entries: readonly string[]): TemplateVariables {
  const parts: Record<'header' | 'body', Record<string, string>> = { header: {}, body: {} };
  const out: TemplateVariables = {};
  for (const entry of entries) {
    const match = /^(header|body|button)\.([A-Za-z0-9_]+)=(.*)$/s.exec(entry);
    if (!match) usage(`--var ${entry}: expected header.<n|name>=, body.<n|name>=, header.media= or button.<index>=`);
    const [, where, key, value] = match as unknown as [string, 'header' | 'body' | 'button', string, string];
    if (where === 'button') out.buttons = { ...out.buttons, [key]: value };
    else if (where === 'header' && key === 'media') out.headerMedia = /^https?:\/\//.test(value) ? { link: value } : { id: value };
    else parts[where][key] = value;
  }
  for (const where of ['header', 'body'] as const) {
    const keys = Object.keys(parts[where]);
    if (keys.length === 0) continue;
    out[where] = keys.every((k) => /^\d+$/.test(k)) ? keys.sort((a, b) => Number(a) - Number(b)).map((k) => parts[where][k]!) : parts[where];
  }
  return out;
}

async function call(base: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    console.error(
      `${response.status} ${String(json.error ?? '')}: ${String(json.message ?? '')}${json.component ? ` (component ${String(json.component)}${json.parameter ? `, parameter ${String(json.parameter)}` : ''})` : ''}`,
    );
    process.exit(1);
  }
  return json;
}

function readArgs() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        waba: { type: 'string', default: LOCAL_WHATSAPP_BUSINESS_ACCOUNT_ID },
        account: { type: 'string', default: LOCAL_WHATSAPP_PHONE_NUMBER_ID },
        to: { type: 'string' },
        name: { type: 'string' },
        language: { type: 'string' },
        var: { type: 'string', multiple: true, default: [] },
        'request-id': { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        business: { type: 'string', default: LOCAL_BUSINESS_ID },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
}

async function main(): Promise<void> {
  const parsed = readArgs();
  const { values, positionals } = parsed;
  const base = (values.url ?? `http://127.0.0.1:${process.env.PORT || LOCAL_DEFAULTS.port}`).replace(/\/+$/, '');
  if (values.url && !values.token && !process.env[OPERATOR_TOKEN_ENV]) usage(`--url needs --token or $${OPERATOR_TOKEN_ENV}`);
  const token = values.token ?? (await operatorToken({ apiUrl: base, businessId: values.business!, subject: 'templates-cli', roles: ['admin'] }));
  const command = positionals[0];

  if (command === 'sync') {
    const result = (await call(base, token, 'POST', TEMPLATES_API_ROUTES.sync.path, { wabaId: values.waba })) as Record<string, unknown>;
    console.log(
      `synced WABA ${values.waba}: ${String(result.listed)} templates in ${String(result.pages)} pages, ${String(result.markedDeleted)} marked deleted`,
    );
    return;
  }
  if (command === 'list') {
    const { templates } = (await call(base, token, 'GET', `${TEMPLATES_API_ROUTES.list.path}?wabaId=${encodeURIComponent(values.waba!)}`)) as {
      templates: Array<Record<string, unknown>>;
    };
    console.table(
      templates.map((t) => ({
        name: t.name,
        language: t.language,
        status: t.status,
        category: t.pendingCategory ? `${String(t.category)} → ${String(t.pendingCategory)}` : t.category,
        quality: t.qualityScore ?? '',
        format: t.parameterFormat ?? '',
        header: t.headerFormat ?? '',
        bodyParams: t.bodyParameterCount ?? '',
        buttons: t.buttonTypes ?? '',
        needsSync: t.needsSync === true ? 'yes' : '',
      })),
    );
    return;
  }
  if (command === 'send') {
    if (!values.to || !values.name || !values.language) usage('send needs --to, --name and --language');
    const result = await call(base, token, 'POST', TEMPLATES_API_ROUTES.send.path, {
      accountId: values.account,
      customerId: values.to,
      name: values.name,
      language: values.language,
      variables: variablesFrom(values.var ?? []),
      requestId: values['request-id'] ?? randomUUID(),
    });
    console.log(JSON.stringify(result));
    return;
  }
  usage(command ? `unknown command: ${command}` : 'no command');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
