import { BaseAnthropic } from '@anthropic-ai/sdk/client';
import { Messages } from '@anthropic-ai/sdk/resources/messages';

/**
 * The Anthropic SDK client with only the Messages API, which is all the agent calls. The SDK's
 * default `Anthropic` class also wires Models, Files, Skills, Organization and the whole Beta
 * surface, about 300 KB of the agent's bundle that would be loaded on every cold start.
 * Same constructor options, retries, timeouts and errors as `Anthropic` (both extend BaseAnthropic).
 */
export class AnthropicMessagesClient extends BaseAnthropic {
  messages: Messages = new Messages(this);
}
