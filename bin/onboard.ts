#!/usr/bin/env node
// `npm run onboard -- whatsapp|instagram|instagram-login|status …`: finish a business's Embedded Signup
// (WhatsApp), Facebook Login for Business (Instagram through its Page) or Business Login for Instagram
// (Instagram Login, no Page) through the onboarding API, and print each step.
import { parseArgs } from 'node:util';
import { ONBOARDING_ROUTES, type OnboardingReport } from '#lambdas/onboarding/onboarding-contract';
import { LOCAL_DEFAULTS } from '#lib/local-cloud/start-local-cloud';
import { LOCAL_BUSINESS_ID, OPERATOR_TOKEN_ENV, operatorToken } from '#lib/operations/operator-token';

const USAGE = `usage:
  npm run onboard -- whatsapp --business <id> --waba <id> --phone-number <id> --code <code>
                       [--coexistence] [--pin <6 digits>] [--test-to <WhatsApp number>]
  npm run onboard -- whatsapp --business <id> --waba <id> --phone-number <id> --resume [--pin …]
  npm run onboard -- instagram --business <id> --page <id> [--instagram <id>] --code <code> [--redirect-uri <uri>]
  npm run onboard -- instagram --business <id> --page <id> --resume
  npm run onboard -- instagram-login --business <id> --code <code> --redirect-uri <uri>
  npm run onboard -- instagram-login --business <id> --instagram <id> --resume
  npm run onboard -- status (--waba <id> --phone-number <id> | --page <id> | --instagram <id>)
  locally only: --prospect instead of the ids and code makes the Graph simulator play a business
  that has just finished the signup (with --two-step-pin <pin> for a number that has one).
  target: the local cloud at http://127.0.0.1:$PORT (default ${LOCAL_DEFAULTS.port}), with a token of the platform
  role its identity provider issues; or --url <API URL> for AWS, with $${OPERATOR_TOKEN_ENV} set to your access
  token from the stack's Cognito user pool (scope omnichannel/onboarding).`;

function usage(problem: string): never {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        business: { type: 'string' },
        waba: { type: 'string' },
        'phone-number': { type: 'string' },
        page: { type: 'string' },
        instagram: { type: 'string' },
        code: { type: 'string' },
        coexistence: { type: 'boolean', default: false },
        pin: { type: 'string' },
        'test-to': { type: 'string' },
        'redirect-uri': { type: 'string' },
        resume: { type: 'boolean', default: false },
        prospect: { type: 'boolean', default: false },
        'two-step-pin': { type: 'string' },
        url: { type: 'string' },
      },
    });
  } catch (err) {
    usage((err as Error).message);
  }
})();

const local = values.url === undefined;
const apiUrl = (values.url ?? `http://127.0.0.1:${process.env.PORT || LOCAL_DEFAULTS.port}`).replace(/\/+$/, '');
const simulatorUrl = `http://127.0.0.1:${process.env.GRAPH_SIM_PORT || LOCAL_DEFAULTS.graphSimPort}`;

/** Calls the API with an operator's access token (the platform team's, locally from the local identity provider). */
async function call(method: 'GET' | 'POST', path: string, body?: unknown, query: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const url = new URL(`${apiUrl}${path}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (!local && !process.env[OPERATOR_TOKEN_ENV]) usage(`$${OPERATOR_TOKEN_ENV} (an access token from the stack's Cognito user pool) is needed with --url`);
  const token = await operatorToken({ apiUrl, businessId: values.business || LOCAL_BUSINESS_ID, subject: 'onboarding-cli', roles: ['platform'] });
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` };
  const response = await fetch(url, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: shown as it came.
  }
  return { status: response.status, json };
}

/** Locally: a business that has just finished the signup, played by the Graph simulator. */
async function prospect(channel: 'whatsapp' | 'instagram' | 'instagram-login'): Promise<Record<string, string>> {
  if (!local) usage('--prospect works against the local cloud only');
  const body = channel === 'whatsapp' ? { coexistence: values.coexistence, ...(values['two-step-pin'] ? { twoStepPin: values['two-step-pin'] } : {}) } : {};
  const response = await fetch(`${simulatorUrl}/_sim/onboarding/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`the Graph simulator at ${simulatorUrl} refused a prospect (HTTP ${response.status}); is npm start running?`);
  const created = (await response.json()) as Record<string, string>;
  console.log(
    `simulated business: ${Object.entries(created)
      .filter(([k]) => k !== 'code')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  return created;
}

function printReport(report: OnboardingReport, order: readonly string[]): void {
  console.log(`${report.channel} account ${report.accountId || '(not known yet)'} of ${report.ownerId}: ${report.status}`);
  for (const step of order) {
    const record = report.steps[step as keyof OnboardingReport['steps']];
    const mark = record?.status === 'done' ? '✓' : record?.status === 'skipped' ? '–' : record?.status === 'failed' ? '✗' : '·';
    console.log(`  ${mark} ${step.padEnd(20)} ${record?.status ?? 'not run'}${record?.note ? `  ${record.note}` : ''}`);
  }
  if (report.health)
    console.log(
      `  health: ${Object.entries(report.health)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`)
        .join(' ')}`,
    );
  if (report.bot && !report.bot.configured) console.log(`  bot: not configured. ${report.bot.note ?? ''}`);
  if (report.failure) {
    const f = report.failure;
    console.log(
      `\nstopped at ${f.step}${f.code !== undefined ? ` — Meta error ${f.code}${f.subcode !== undefined ? `/${f.subcode}` : ''}` : ''}: ${f.message}`,
    );
    console.log(`what to do: ${f.advice}`);
  }
}

async function main(): Promise<number> {
  const [command] = positionals;
  const need = (name: keyof typeof values, value = values[name]) => (typeof value === 'string' && value !== '' ? value : usage(`--${name} is needed`));
  if (command === 'whatsapp') {
    const sim = values.prospect ? await prospect('whatsapp') : {};
    const code = values.code ?? sim.code;
    if (!code && !values.resume) usage('--code (from Embedded Signup) is needed, or --resume to continue a started onboarding');
    const body = {
      businessId: need('business'),
      wabaId: sim.wabaId ?? need('waba'),
      phoneNumberId: sim.phoneNumberId ?? need('phone-number'),
      ...(code && !values.resume ? { code } : {}),
      ...(values.coexistence ? { coexistence: true } : {}),
      ...(values.pin ? { pin: values.pin } : {}),
      ...(values['test-to'] ? { testRecipient: values['test-to'] } : {}),
    };
    return finish(await call('POST', ONBOARDING_ROUTES.whatsapp.path, body), WHATSAPP_ORDER);
  }
  if (command === 'instagram') {
    const sim = values.prospect ? await prospect('instagram') : {};
    const code = values.code ?? sim.code;
    if (!code && !values.resume) usage('--code (from the login dialog) is needed, or --resume');
    const body = {
      businessId: need('business'),
      pageId: sim.pageId ?? need('page'),
      ...(values.instagram ? { instagramAccountId: values.instagram } : {}),
      ...(code && !values.resume ? { code } : {}),
      ...(values['redirect-uri'] ? { redirectUri: values['redirect-uri'] } : {}),
    };
    return finish(await call('POST', ONBOARDING_ROUTES.instagram.path, body), INSTAGRAM_ORDER);
  }
  if (command === 'instagram-login') {
    const sim = values.prospect ? await prospect('instagram-login') : {};
    const code = values.code ?? sim.code;
    if (!code && !values.resume) usage('--code (sent to the redirect URI by the login) is needed, or --instagram <id> --resume');
    const body = {
      businessId: need('business'),
      ...(code && !values.resume ? { code, redirectUri: values['redirect-uri'] ?? (values.prospect ? LOCAL_REDIRECT_URI : need('redirect-uri')) } : {}),
      ...(values.resume ? { instagramAccountId: need('instagram') } : values.instagram ? { instagramAccountId: values.instagram } : {}),
    };
    return finish(await call('POST', ONBOARDING_ROUTES.instagramLogin.path, body), INSTAGRAM_ORDER);
  }
  if (command === 'status') {
    const query: Record<string, string> = values.page
      ? { pageId: values.page }
      : values.instagram
        ? { instagramAccountId: values.instagram }
        : { wabaId: need('waba'), phoneNumberId: need('phone-number') };
    return finish(await call('GET', ONBOARDING_ROUTES.progress.path, undefined, query), values.page || values.instagram ? INSTAGRAM_ORDER : WHATSAPP_ORDER);
  }
  usage(command ? `unknown command ${command}` : 'a command is needed');
}

const WHATSAPP_ORDER = ['exchange_token', 'subscribe_webhooks', 'register_number', 'health_check', 'test_message', 'activate_account'] as const;
const INSTAGRAM_ORDER = ['exchange_token', 'subscribe_webhooks', 'health_check', 'activate_account'] as const;
/** The redirect URI a simulated login used (the simulator checks only what a prospect was created with). */
const LOCAL_REDIRECT_URI = 'https://localhost/instagram-login';

function finish(response: { status: number; json: unknown }, order: readonly string[]): number {
  const report = response.json as OnboardingReport;
  if ((response.status === 200 || response.status === 422) && report && typeof report === 'object' && 'steps' in report) {
    printReport(report, order);
    return report.status === 'active' && !report.failure ? 0 : 1;
  }
  console.error(`the onboarding API answered HTTP ${response.status}: ${typeof response.json === 'string' ? response.json : JSON.stringify(response.json)}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
