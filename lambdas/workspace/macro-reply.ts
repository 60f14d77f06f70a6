import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import type { RoutingConfigReader } from '#lambdas/routing/routing-ports';
import { fillMacro, macroText } from '#lambdas/workspace/fill-macro';

/** The words of a macro for one conversation, with the tags it adds. */
export interface MacroReply {
  text: string;
  language: string;
  addTags: string[];
}

/**
 * The macro's text in the conversation's language (else es → en → pt), its variables filled from
 * the customer's profile name, the agent's routing name and what the bot captured.
 */
export async function macroReply(
  input: {
    businessId: string;
    macroId: string;
    agentId: string;
    conversation: { language?: string; customerName?: string; handoffContext?: unknown };
  },
  config: RoutingConfigReader,
): Promise<MacroReply> {
  const macro = await config.getMacro(input.businessId, input.macroId);
  if (!macro) throw new HumanAgentRequestError(404, 'macro_not_found', 'No macro with that id in your business');
  const { language, text } = macroText(macro, input.conversation.language);
  const agent = (await config.loadConfig(input.businessId)).agents.find((a) => a.agentId === input.agentId);
  const filled = fillMacro(text, {
    ...(input.conversation.customerName ? { customerName: input.conversation.customerName } : {}),
    agentName: agent?.name ?? input.agentId,
    captured: capturedOf(input.conversation.handoffContext),
  });
  if (filled.length === 0) throw new HumanAgentRequestError(409, 'macro_empty', 'The macro has no words left once its variables are filled');
  return { text: filled.slice(0, 4096), language, addTags: macro.addTags ?? [] };
}

function capturedOf(context: unknown): Record<string, string> {
  const captured = context && typeof context === 'object' ? (context as { captured?: unknown }).captured : undefined;
  if (!captured || typeof captured !== 'object' || Array.isArray(captured)) return {};
  return Object.fromEntries(Object.entries(captured as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
