import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ASSISTANT_ENV } from '#lambdas/agent/assistant/assistant-env';
import { ENV } from '#lambdas/shared/event-contract';
import { OmnichannelStack } from '#lib/omnichannel-stack';

function agentEnvironment(props: { anthropicModel?: string }): Record<string, unknown> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new OmnichannelStack(app, 'Omnichannel-dev', { stage: 'dev', ...props });
  const fn = Template.fromStack(stack).toJSON().Resources.AgentFunction as { Properties: { Environment: { Variables: Record<string, unknown> } } };
  return fn.Properties.Environment.Variables;
}

describe('agent settings', () => {
  it('passes the Claude model to the agent when given, and where each business keeps its tool settings', () => {
    const env = agentEnvironment({ anthropicModel: 'claude-haiku-test' });
    expect(env[ASSISTANT_ENV.model]).toBe('claude-haiku-test');
    expect(env[ENV.anthropicSecretId]).toBeDefined();
    expect(env[ASSISTANT_ENV.businessToolsSecretPrefix]).toBe('Omnichannel-dev/business-tools');
  });

  it('leaves the model out otherwise (the agent then uses its default), and has no stack-wide order API', () => {
    const env = agentEnvironment({});
    expect(env).not.toHaveProperty(ASSISTANT_ENV.model);
    expect(env).not.toHaveProperty('ORDER_API_URL');
  });
});
