import { describe, expect, it } from 'vitest';
import { ManualClock } from '#lib/local-cloud/aws/clock';
import { InvocationRateLimiter } from '#lib/local-cloud/aws/eventbridge/invocation-rate-limiter';
import { readJsonPath } from '#lib/local-cloud/aws/eventbridge/json-path';
import { renderTargetInput, validateTargetInput } from '#lib/local-cloud/aws/eventbridge/target-input';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', tags: [{ k: 'a' }, { k: 'b' }], count: 3 },
};
const rule = { arn: 'arn:aws:events:us-east-1:123456789012:rule/r', name: 'r' };
const render = (spec: Parameters<typeof renderTargetInput>[0]) => renderTargetInput(spec, event, rule, '2015-11-11T21:29:55Z');

describe('JSON paths', () => {
  it('reads dot names with dashes, indices, bracketed names and wildcards', () => {
    expect(readJsonPath(event, '$.detail.instance-id')).toEqual({ found: true, value: 'i-0123456789' });
    expect(readJsonPath(event, '$.resources[0]').value).toBe(event.resources[0]);
    expect(readJsonPath(event, "$.detail['state']").value).toBe('RUNNING');
    expect(readJsonPath(event, '$.detail.tags[*].k')).toEqual({ found: true, value: ['a', 'b'] });
    expect(readJsonPath(event, '$.detail.nothing')).toEqual({ found: false, value: undefined });
    expect(readJsonPath(event, '$')).toEqual({ found: true, value: event });
  });
});

describe('target input', () => {
  it('sends the whole event without settings, a path selection with InputPath, constant text with Input', () => {
    expect(JSON.parse(render({}))).toEqual(event);
    expect(JSON.parse(render({ inputPath: '$.detail.tags' }))).toEqual([{ k: 'a' }, { k: 'b' }]);
    expect(render({ inputPath: '$.detail.missing' })).toBe('');
    expect(render({ input: '{"fixed":true}' })).toBe('{"fixed":true}');
  });

  it('fills a JSON template: values as JSON outside quotes, as text inside, objects stripped of inner quotes', () => {
    const out = render({
      inputTransformer: {
        inputPathsMap: { instance: '$.detail.instance-id', state: '$.detail.state', tags: '$.detail.tags', count: '$.detail.count' },
        inputTemplate: '{"instance": <instance>, "n": <count>, "status": "instance \\"<instance>\\" is <state>", "tags": "<tags>", "all": <tags>}',
      },
    });
    expect(JSON.parse(out)).toEqual({
      instance: 'i-0123456789',
      n: 3,
      status: 'instance "i-0123456789" is RUNNING',
      tags: '[{k:a},{k:b}]',
      all: [{ k: 'a' }, { k: 'b' }],
    });
  });

  it('knows the predefined variables', () => {
    const out = render({
      inputTransformer: {
        inputTemplate:
          '{"rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>, "at": "<aws.events.event.ingestion-time>", "event": <aws.events.event.json>, "meta": <aws.events.event>}',
      },
    });
    const parsed = JSON.parse(out);
    expect(parsed).toMatchObject({ rule: 'r', arn: rule.arn, at: '2015-11-11T21:29:55Z', event });
    expect(parsed.meta.detail).toBeUndefined();
    expect(parsed.meta.id).toBe('e-1');
  });

  it('fills a plain-text template, leaving unknown placeholders as written', () => {
    const out = render({ inputTransformer: { inputPathsMap: { state: '$.detail.state' }, inputTemplate: 'state <state>, <unknown>' } });
    expect(out).toBe('state "RUNNING", <unknown>');
  });

  it('refuses more than one input setting, bad JSON and bad paths as PutTargets does', () => {
    expect(() => validateTargetInput({ input: '{}', inputPath: '$.detail' }, 't')).toThrow(/only one of/);
    expect(() => validateTargetInput({ input: '{not json' }, 't')).toThrow(/not valid JSON/);
    expect(() => validateTargetInput({ inputPath: 'detail.x' }, 't')).toThrow(/JSON path/);
    expect(() => validateTargetInput({ inputTransformer: { inputTemplate: '<x>', inputPathsMap: { 'aws.x': '$.detail' } } }, 't')).toThrow(/not valid/);
    expect(() => validateTargetInput({ inputTransformer: { inputTemplate: '<x>', inputPathsMap: { x: '$.detail' } } }, 't')).not.toThrow();
  });
});

describe('invocation rate limiter', () => {
  it('lets N calls start in any one second and gives the rest later starts, in order', async () => {
    const clock = new ManualClock(0);
    const limiter = new InvocationRateLimiter(clock);
    const starts = [1, 2, 3, 4, 5].map(() => limiter.reserve('dest', 2));
    expect(starts).toEqual([0, 0, 1000, 1000, 2000]);

    await clock.advance(5_000);
    expect(limiter.reserve('dest', 2)).toBe(5000);
    expect(limiter.reserve('other', 2)).toBe(5000);
  });
});
