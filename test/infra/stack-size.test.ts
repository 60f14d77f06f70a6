import { describe, expect, it } from 'vitest';
import { synthesizeStack } from '#test/infra/synthesize';

/** CloudFormation refuses a stack of more than 500 resources; every deployable stage keeps room to grow. */
const MAX_MAIN_STACK_RESOURCES = 450;

describe('the size of what CloudFormation deploys', () => {
  it.each(['dev', 'prod'] as const)('keeps the %s main stack well under 500 resources, alarms and dashboard in their nested stack', (stage) => {
    const synth = synthesizeStack({ stage });
    const main = Object.values(synth.mainJson.Resources);
    expect(main.length).toBeLessThanOrEqual(MAX_MAIN_STACK_RESOURCES);
    expect(main.filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length).toBeLessThan(5);
    expect(main.some((r) => r.Type === 'AWS::CloudFormation::Stack')).toBe(true);
    // Folded back together, every alarm is still there.
    expect(Object.values(synth.json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length).toBeGreaterThan(50);
  });
});
