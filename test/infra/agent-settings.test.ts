import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ASSISTANT_ENV } from '#lambdas/agent/assistant/assistant-env';
import { ENV } from '#lambdas/shared/event-contract';
import { OmnichannelStack } from '#lib/omnichannel-stack';

function agentEnvironment(props: { anthropicModel?: string; orderApiUrl?: string }): Record<string, unknown> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new OmnichannelStack(app, 'Omnichannel-dev', { stage: 'dev', ...props });
  const fn = Template.fromStack(stack).toJSON().Resources.AgentFunction as { Properties: { Environment: { Variables: Record<string, unknown> } } };
  return fn.Properties.Environment.Variables;
}

describe('agent settings', () => {
  it('passes the Claude model and the order API URL to the agent when given', () => {
    const env = agentEnvironment({ anthropicModel: 'claude-haiku-test', orderApiUrl: 'https://shop.example/api' });
    expect(env[ASSISTANT_ENV.model]).toBe('claude-haiku-test');
    expect(env[ASSISTANT_ENV.orderApiUrl]).toBe('https://shop.example/api');
    expect(env[ENV.anthropicSecretId]).toBeDefined();
  });

  it('leaves them out otherwise (the agent then uses its default model and no look-up)', () => {
    const env = agentEnvironment({});
    expect(env).not.toHaveProperty(ASSISTANT_ENV.model);
    expect(env).not.toHaveProperty(ASSISTANT_ENV.orderApiUrl);
  });
});
