#!/usr/bin/env node
// `npm start`: the whole pipeline on this machine, no AWS account and no Meta app needed.
import { mkdirSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_DEFAULTS, startLocalCloud } from '#lib/local-cloud/start-local-cloud';
import { synthesizeLocalAssembly } from '#lib/local-cloud/synthesize-local-assembly';
import { ensureConsoleBuilt } from '#lib/local-cloud/console-assets';
import type { LocalIdentity } from '#lib/local-cloud/identity/local-identity';
import { LOCAL_WHATSAPP_PHONE_NUMBER_ID } from '#lib/local-cloud/graph-simulator/accounts';
import { OPERATOR_ROLES } from '#lambdas/identity/operator-identity';
import { LOCAL_BUSINESS_ID } from '#lib/operations/operator-token';

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${name} is not a port: ${raw}`);
  return port;
}

async function main(): Promise<void> {
  const root = process.cwd();
  const workDir = join(root, '.local');
  mkdirSync(workDir, { recursive: true });
  console.log('Synthesizing the CDK app and bundling the Lambdas…');
  const assembly = synthesizeLocalAssembly(join(workDir, 'cdk.out'));

  // The agent console is served from its build; a missing or stale build is made first.
  try {
    ensureConsoleBuilt({ log: (line) => console.log(line) });
  } catch (err) {
    console.error(`The agent console could not be built; the rest of the local cloud starts without it.\n${(err as Error).message}`);
  }

  const logFile = join(workDir, 'lambda.log');
  const logs = createWriteStream(logFile, { flags: 'a' });
  const anthropicApiKey = process.env.ANTHROPIC_API_KEY;
  const cloud = await startLocalCloud({
    assembly,
    port: portFromEnv('PORT', LOCAL_DEFAULTS.port),
    graphSimPort: portFromEnv('GRAPH_SIM_PORT', LOCAL_DEFAULTS.graphSimPort),
    crmSimPort: portFromEnv('CRM_SIM_PORT', LOCAL_DEFAULTS.crmSimPort),
    dynamoDbPort: portFromEnv('DYNAMODB_LOCAL_PORT', LOCAL_DEFAULTS.dynamoDbPort),
    awsPort: portFromEnv('AWS_EMULATOR_PORT', LOCAL_DEFAULTS.awsPort),
    appSecret: process.env.META_APP_SECRET || LOCAL_DEFAULTS.appSecret,
    verifyToken: process.env.META_VERIFY_TOKEN || LOCAL_DEFAULTS.verifyToken,
    ...(anthropicApiKey ? { anthropicApiKey } : {}),
    logSink: (fn, line) => logs.write(`${fn} ${line}\n`),
  });

  console.log(`
Local cloud ready (stack ${assembly.stackName}, stage local)
  Webhook (Meta → us):   ${cloud.webhookUrl}
    verify token:        ${cloud.verifyToken}   app secret: ${cloud.appSecret === LOCAL_DEFAULTS.appSecret ? `${LOCAL_DEFAULTS.appSecret} (default)` : '(from META_APP_SECRET)'}
  Graph API simulator:   ${cloud.graphUrl}   (outbox: ${cloud.graphUrl}/_sim/outbox)
  CRM simulator:         ${cloud.crmUrl}/hubspot, /salesforce, /zendesk, /webhook/…   (outbox: ${cloud.crmUrl}/_crm/outbox)
  DynamoDB Local:        ${cloud.dynamoDbEndpoint}   table: ${cloud.tableName}
  AWS emulation:         ${cloud.awsEndpoint}   (SQS, EventBridge, Secrets Manager, S3)
  Operator APIs:         ${cloud.apiUrl}/agent/…, /templates/…, /onboarding/…, /admin/…   (Authorization: Bearer <access token>; docs/operators.md)
${operatorSignIn(cloud.apiUrl, cloud.identity)}
${cloud.webSocketUrl ? `  Agent pushes:          ${cloud.webSocketUrl}?token=<access token>   (WebSocket; docs/agent-push.md)\n` : ''}  Agent console:         ${cloud.consoleUrl}   (sign in as a demo agent, supervisor or admin; no password locally: docs/console.md)
  Sample order API:      ${cloud.orderApiUrl}   (each customer sees only their own orders: lambdas/agent/README.md)
  Lambda logs:           ${logFile}
  Generative answers:    ${anthropicApiKey ? 'on (ANTHROPIC_API_KEY is set)' : 'off — set ANTHROPIC_API_KEY to turn them on; flows and FAQ still answer'}

Talk to the bot as a customer, in another terminal:
  npm run chat -- --channel whatsapp      (or instagram, messenger)

Ctrl-C stops everything.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await cloud.stop();
    logs.end();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** How to get an operator's access token locally: the local identity provider stands in for Cognito. */
function operatorSignIn(apiUrl: string, identity: LocalIdentity | undefined): string {
  if (!identity) return '    (the template has no operator user pool: the operator routes take no token)';
  const body = JSON.stringify({ businessId: LOCAL_BUSINESS_ID, subject: 'ana', roles: ['agent'] });
  return `    tokens:              POST ${identity.tokenUrl}   (issuer ${identity.issuer})
      roles: ${OPERATOR_ROLES.join(', ')}; optional "scopes" (default all) and "expiresIn" (seconds, default 3600)
      TOKEN=$(curl -s -X POST ${identity.tokenUrl} -H 'content-type: application/json' \\
        -d '${body}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
      curl -H "Authorization: Bearer $TOKEN" '${apiUrl}/agent/conversations?accountId=${LOCAL_WHATSAPP_PHONE_NUMBER_ID}'`;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
