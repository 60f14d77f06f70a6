import { readFileSync } from 'node:fs';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT_HEALTH_METRIC,
  agentAssistantMetric,
  agentReplyMetric,
  CHANNEL_METRIC,
  METRIC,
  METRIC_CHANNELS,
  METRIC_NAMESPACE,
  METRIC_SERVICE,
} from '#lambdas/shared/metric-names';
import { INSTAGRAM_TOKEN_METRIC, INSTAGRAM_TOKEN_REFRESH_SERVICE } from '#lambdas/instagram-login/instagram-token-metrics';
import { GRAPH_FAILURE_LOG_MESSAGES } from '#lib/constructs/operations-dashboard';
import { METRICS_NAMESPACE, PROJECT_ROOT, SupportFunction } from '#lib/constructs/support-function';
import { createStack } from '#lib/omnichannel-stack';
import { environmentOf, flattenedTemplate, FUNCTION_IDS, synthesizeStack, type CfnResource, type SynthesizedStack } from '#test/infra/synthesize';

/** Handler file → the Powertools service name (metric dimension) its function runs with. */
const HANDLER_SERVICE = {
  webhook: { functionId: 'WebhookFunction', service: METRIC_SERVICE.webhook },
  normalizer: { functionId: 'NormalizerFunction', service: METRIC_SERVICE.normalizer },
  agent: { functionId: 'AgentFunction', service: METRIC_SERVICE.agent },
  'outbound-send': { functionId: 'OutboundSendFunction', service: METRIC_SERVICE.outboundSend },
  'status-tracking': { functionId: 'StatusTrackingFunction', service: METRIC_SERVICE.statusTracking },
  'reply-watch': { functionId: 'ReplyWatchFunction', service: METRIC_SERVICE.replyWatch },
  routing: { functionId: 'RoutingFunction', service: METRIC_SERVICE.routing },
} as const;

/** Modules that emit under a service of their own whichever function runs them (the routing counts). */
const SHARED_EMITTERS = {
  'lambdas/routing/wiring/routing-metrics.ts': METRIC_SERVICE.routing,
  'lambdas/pricing/spend-wiring.ts': METRIC_SERVICE.spend,
} as const;

/** Modules a handler hands its per-record work, metrics and logs to (the outbound sender's, shared with the campaign sender). */
const HANDLER_MODULES: Record<string, readonly string[]> = { 'outbound-send': ['lambdas/outbound/outbound-send-record.ts'] };

const handlerSource = (file: string): string =>
  [`lambdas/handlers/${file}.ts`, ...(HANDLER_MODULES[file] ?? [])].map((path) => readFileSync(`${PROJECT_ROOT}${path}`, 'utf8')).join('\n');

/**
 * `service/name` of every metric a handler emits through the shared names: read from the handler
 * sources, so a metric the dashboard charts but no handler emits fails here.
 */
function emittedMetrics(): Set<string> {
  const emitted = new Set<string>();
  for (const [file, { service }] of Object.entries(HANDLER_SERVICE)) {
    const source = handlerSource(file);
    for (const [, key] of source.matchAll(/\bMETRIC\.(\w+)/g)) {
      const name = (METRIC as Record<string, string>)[key as string];
      if (name) emitted.add(`${service}/${name}`);
    }
    for (const [, key] of source.matchAll(/\bCHANNEL_METRIC\.(\w+)\(/g)) {
      for (const channel of METRIC_CHANNELS) emitted.add(`${service}/${CHANNEL_METRIC[key as keyof typeof CHANNEL_METRIC](channel)}`);
    }
    if (/\bACCOUNT_HEALTH_METRIC\[/.test(source)) for (const name of Object.values(ACCOUNT_HEALTH_METRIC)) emitted.add(`${service}/${name}`);
    if (/\bagentReplyMetric\(result\.kind\)/.test(source)) emitted.add(`${service}/${agentReplyMetric('fallback')}`);
    if (/\bagentAssistantMetric\(result\.assistant\)/.test(source)) {
      for (const use of ['answered', 'handoff', 'failed'] as const) emitted.add(`${service}/${agentAssistantMetric(use)}`);
    }
  }
  // The Instagram token refresh names its metrics in its own module (lambdas/instagram-login/instagram-token-metrics.ts).
  for (const [, key] of handlerSource('instagram-token-refresh').matchAll(/\bINSTAGRAM_TOKEN_METRIC\.(\w+)/g)) {
    const name = (INSTAGRAM_TOKEN_METRIC as Record<string, string>)[key as string];
    if (name) emitted.add(`${INSTAGRAM_TOKEN_REFRESH_SERVICE}/${name}`);
  }
  for (const [file, service] of Object.entries(SHARED_EMITTERS)) {
    for (const [, key] of readFileSync(`${PROJECT_ROOT}${file}`, 'utf8').matchAll(/\bMETRIC\.(\w+)/g)) {
      const name = (METRIC as Record<string, string>)[key as string];
      if (name) emitted.add(`${service}/${name}`);
    }
  }
  return emitted;
}

/** The dashboard body with CloudFormation references replaced by placeholders, parsed. */
function dashboardBody(resource: CfnResource): { widgets: Array<{ type: string; properties: Record<string, unknown> }> } {
  const body = resource.Properties?.['DashboardBody'] as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : `REF(${JSON.stringify(part).replace(/"/g, "'")})`)).join('');
  return JSON.parse(text) as { widgets: Array<{ type: string; properties: Record<string, unknown> }> };
}

/** `service/name` of every pipeline metric the dashboard and the alarms read. */
function chartedMetrics(synth: SynthesizedStack): Set<string> {
  const charted = new Set<string>();
  const dashboard = Object.values(synth.json.Resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard') as CfnResource;
  for (const widget of dashboardBody(dashboard).widgets) {
    for (const row of (widget.properties['metrics'] ?? []) as unknown[][]) {
      if (row[0] === METRIC_NAMESPACE && row[2] === 'service') charted.add(`${String(row[3])}/${String(row[1])}`);
    }
  }
  for (const alarm of Object.values(synth.json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')) {
    const p = alarm.Properties ?? {};
    const stats = [
      ...(p['MetricName'] ? [{ Namespace: p['Namespace'], MetricName: p['MetricName'], Dimensions: p['Dimensions'] }] : []),
      ...((p['Metrics'] ?? []) as Array<{ MetricStat?: { Metric: Record<string, unknown> } }>).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : [])),
    ];
    for (const m of stats) {
      if (m['Namespace'] !== METRIC_NAMESPACE) continue;
      const service = (m['Dimensions'] as Array<{ Name: string; Value: string }>).find((d) => d.Name === 'service')?.Value;
      charted.add(`${service}/${String(m['MetricName'])}`);
    }
  }
  return charted;
}

describe('alarms and dashboard', () => {
  let synth: SynthesizedStack;
  let alarms: Array<[string, CfnResource]>;
  beforeAll(() => {
    synth = synthesizeStack({ stage: 'prod' });
    alarms = Object.entries(synth.json.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
  });

  it('every alarm notifies the topic on alarm and on recovery, says what to do, and treats missing data on purpose', () => {
    expect(alarms.length).toBeGreaterThan(10);
    for (const [id, alarm] of alarms) {
      const p = alarm.Properties ?? {};
      expect(p['AlarmActions'], id).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(p['OKActions'], id).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(p['TreatMissingData'], id).toBe('notBreaching');
      const description = JSON.stringify(p['AlarmDescription']);
      expect(description.length, id).toBeGreaterThan(80);
      // CloudWatch's limit, with the stack name (a literal here) inside.
      expect((p['AlarmDescription'] as string).length, id).toBeLessThanOrEqual(1024);
    }
  });

  it('every dead-letter queue alarm tells the on-call the exact inspect and redrive commands', () => {
    const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    expect(synth.stack.redrivableQueues.map((q) => kebab(q.name))).toEqual(expect.arrayContaining(['ingress', 'agent', 'outbound-send', 'status-tracking']));
    for (const { name } of synth.stack.redrivableQueues) {
      const short = kebab(name);
      const description = synth.json.Resources[`${name}DeadLetterQueueAlarm`]?.Properties?.['AlarmDescription'] as string;
      expect(description).toContain(`npm run redrive -- --stack Omnichannel-prod --inspect ${short}`);
      expect(description).toContain(`npm run redrive -- --stack Omnichannel-prod --redrive ${short}`);
    }
  });

  it('watch errors and throttles of every function', () => {
    // Every function of the pipeline (CDK's own helper functions, if any, are not ours to watch).
    const functionIds = synth.stack.node
      .findAll()
      .filter((c): c is SupportFunction => c instanceof SupportFunction)
      .map((fn) => synth.stack.resolve((fn.function.node.defaultChild as CfnElement).logicalId) as string);
    expect(functionIds).toEqual(expect.arrayContaining([...FUNCTION_IDS]));
    for (const functionId of functionIds) {
      for (const [suffix, metric] of [
        ['ErrorsAlarm', 'Errors'],
        ['ThrottlesAlarm', 'Throttles'],
      ]) {
        const alarm = synth.json.Resources[`${functionId}${suffix}`];
        expect(alarm?.Properties, `${functionId}${suffix}`).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
          Statistic: 'Sum',
        });
      }
    }
  });

  it('alarm on signature failures, outbound failure rate, token errors and account health with sensible thresholds', () => {
    const props = (id: string) => synth.json.Resources[id]?.Properties ?? {};
    expect(props('WebhookSignatureFailuresAlarm')).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      MetricName: METRIC.webhookSignatureRejected,
      Dimensions: [{ Name: 'service', Value: 'webhook' }],
      Threshold: 20,
    });
    expect(props('GraphTokenInvalidAlarm')).toMatchObject({ MetricName: METRIC.graphTokenInvalid, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    const rate = props('OutboundFailureRateAlarm');
    expect(rate['Threshold']).toBe(10);
    const expression = (rate['Metrics'] as Array<{ Expression?: string }>).find((m) => m.Expression)?.Expression;
    expect(expression).toContain('>= 10');
    for (const id of ['AccountQualityAlarm', 'AccountRestrictionAlarm']) expect(props(id)['Threshold']).toBe(0);
    // One breached SLA pages: customers already wait longer than the business promised.
    expect(props('SlaBreachesAlarm')).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      MetricName: METRIC.slaBreaches,
      Dimensions: [{ Name: 'service', Value: 'routing' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('chart and alarm only on metrics the handlers emit, under the service name each function runs with', () => {
    expect(METRICS_NAMESPACE).toBe(METRIC_NAMESPACE);
    for (const { functionId, service } of Object.values(HANDLER_SERVICE)) {
      expect(environmentOf(synth.json, functionId)['POWERTOOLS_SERVICE_NAME'], functionId).toBe(service);
    }
    const charted = chartedMetrics(synth);
    expect(charted.size).toBeGreaterThan(20);
    const emitted = emittedMetrics();
    expect([...charted].filter((m) => !emitted.has(m))).toEqual([]);
  });

  it('handlers name those metrics through the shared constants, never as literals', () => {
    const shared = new Set<string>([...Object.values(METRIC), ...Object.values(ACCOUNT_HEALTH_METRIC)]);
    for (const file of Object.keys(HANDLER_SERVICE)) {
      for (const [, literal] of handlerSource(file).matchAll(/addMetric\(\s*'([^']+)'/g)) {
        expect(shared.has(literal as string), `${file}: '${literal}'`).toBe(false);
      }
    }
  });

  it('the dashboard has the widgets the on-call needs', () => {
    const dashboard = synth.json.Resources['OperationsDashboard'] as CfnResource;
    expect(dashboard.Properties?.['DashboardName']).toBe('Omnichannel-prod-operations');
    const titles = dashboardBody(dashboard).widgets.map((w) => String(w.properties['title']));
    for (const wanted of [
      'Alarms',
      'Inbound customer messages per channel',
      'Outbound replies sent per channel',
      'Outbound replies failed per channel',
      'End-to-end latency',
      'Agent: replies, handoffs, fallbacks',
      'Graph API failures by code',
      'Oldest message age per queue',
      'Dead-letter queue depth',
      'WhatsApp account health',
      'Function errors',
      'Function throttles',
      'Routing: conversations queued, offered, assigned',
      'SLA warnings and breaches',
      'Agents online vs busy',
      'Backlog of the largest queue, and the oldest waiting',
      'Backlog per queue',
    ]) {
      expect(
        titles.some((t) => t.startsWith(wanted)),
        wanted,
      ).toBe(true);
    }
    const body = JSON.stringify(dashboardBody(dashboard));
    // Every dead-letter queue's depth and every queue's age are on it.
    for (const id of [
      'IngressDeadLetterQueue',
      'AgentDeadLetterQueue',
      'OutboundSendDeadLetterQueue',
      'StatusTrackingDeadLetterQueue',
      'IngressQueue',
      'OutboundSendQueue',
    ]) {
      expect(body).toContain(`'Fn::GetAtt':['${id}','QueueName']`);
    }
  });

  it('count Graph failures by code from log lines the outbound sender really writes', () => {
    const source = handlerSource('outbound-send');
    for (const message of Object.values(GRAPH_FAILURE_LOG_MESSAGES)) expect(source).toContain(`'${message}'`);
    expect(source).toMatch(/errorCode: result\.errorCode/);
    expect(source).toMatch(/code: err\.code/);
    const dashboard = synth.json.Resources['OperationsDashboard'] as CfnResource;
    const query = dashboardBody(dashboard).widgets.find((w) => w.type === 'log');
    expect(String(query?.properties['query'])).toContain("SOURCE 'REF({'Ref':'OutboundSendFunctionLogGroup'})'");
  });
});

describe('the alarm topic', () => {
  it('is the one given at deploy time: no topic or key is created, every alarm notifies it', () => {
    const given = 'arn:aws:sns:eu-west-1:123456789012:oncall';
    const synth = synthesizeStack({ stage: 'dev', stackProps: { alarmTopicArn: given } });
    synth.template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(synth.json.Resources['AlarmTopicKey']).toBeUndefined();
    for (const alarm of Object.values(synth.json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties?.['AlarmActions']).toEqual([given]);
    }
    expect(synth.json.Outputs?.['AlarmTopicArn']?.Value).toBe(given);
  });

  it('is read from CDK context, with an e-mail subscription on a created topic', () => {
    const app = new App({ context: { alarmEmail: 'oncall@example.com', 'aws:cdk:bundling-stacks': [] } });
    const template = flattenedTemplate(createStack(app, 'dev'));
    const subscription = Object.values(template.Resources).find((r) => r.Type === 'AWS::SNS::Subscription');
    expect(subscription?.Properties).toMatchObject({ Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: { Ref: 'AlarmTopic' } });

    const withTopic = new App({ context: { alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:pager', 'aws:cdk:bundling-stacks': [] } });
    const given = Template.fromJSON(flattenedTemplate(createStack(withTopic, 'dev')) as unknown as Record<string, unknown>);
    given.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('refuses a value that is not a topic ARN, rather than alarming into nowhere', () => {
    expect(() => synthesizeStack({ stage: 'dev', stackProps: { alarmTopicArn: 'oncall' } })).toThrow(/not an SNS topic ARN/);
    expect(() => synthesizeStack({ stage: 'dev', stackProps: { alarmEmail: 'oncall' } })).toThrow(/not an e-mail address/);
  });
});
