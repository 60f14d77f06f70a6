import { describe, expect, it } from 'vitest';
import { DEFAULT_CLAUDE_SETTINGS } from '#lambdas/agent/assistant/claude-assistant';
import { modelProfile, parseModelId } from '#lambdas/agent/assistant/claude-model-profiles';
import { MODEL_RETIREMENTS } from '#lib/local-cloud/anthropic-simulator/model-rules';

describe('modelProfile', () => {
  it('reads model ids with and without a snapshot date', () => {
    expect(parseModelId('claude-haiku-4-5')).toEqual({ tier: 'haiku', version: 4.5 });
    expect(parseModelId('claude-haiku-4-5-20251001')).toEqual({ tier: 'haiku', version: 4.5 });
    expect(parseModelId('claude-sonnet-5')).toEqual({ tier: 'sonnet', version: 5 });
    expect(parseModelId('claude-sonnet-4-20250514')).toEqual({ tier: 'sonnet', version: 4 });
    expect(parseModelId('claude-test-model')).toBeUndefined();
  });

  it('sends Claude Haiku 4.5 the plain request: no thinking, no effort, older tokenizer', () => {
    for (const id of ['claude-haiku-4-5', 'claude-haiku-4-5-20251001']) {
      expect(modelProfile(id)).toEqual({ charsPerToken: 4, maxTokens: 400, requestOptions: {} });
    }
  });

  it('gives Claude Sonnet 5.5 between_tools thinking at low effort and room for the newer tokenizer', () => {
    const profile = modelProfile('claude-sonnet-5-5');
    expect(profile.requestOptions).toEqual({ thinking: { type: 'between_tools' }, output_config: { effort: 'low' } });
    expect(profile.maxTokens).toBe(1024);
    expect(profile.charsPerToken).toBeCloseTo(4 / 1.3);
  });

  it('leaves adaptive thinking at its default on the other Claude 5.x models, at low effort', () => {
    for (const id of ['claude-haiku-5-5', 'claude-sonnet-5', 'claude-opus-5-5']) {
      expect(modelProfile(id)).toMatchObject({ maxTokens: 2048, requestOptions: { output_config: { effort: 'low' } } });
      expect(modelProfile(id).requestOptions).not.toHaveProperty('thinking');
    }
  });

  it('counts Opus 4.7 and later with the newer tokenizer, and unknown ids as the older one', () => {
    expect(modelProfile('claude-opus-4-8')).toEqual({ charsPerToken: 4 / 1.3, maxTokens: 600, requestOptions: {} });
    expect(modelProfile('claude-test-model')).toEqual({ charsPerToken: 4, maxTokens: 400, requestOptions: {} });
  });

  it('defaults to a model with no retirement date', () => {
    expect(MODEL_RETIREMENTS).not.toHaveProperty(DEFAULT_CLAUDE_SETTINGS.model);
    expect(DEFAULT_CLAUDE_SETTINGS.model).toBe('claude-haiku-5-5');
  });
});
