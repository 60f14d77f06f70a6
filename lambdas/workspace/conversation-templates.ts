import type { AccountReader } from '#lambdas/accounts/cached-account-reader';
import type { ConversationRecord } from '#lambdas/human-agent/conversation-views';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import { requestTemplateSend, templateSendSchema, type TemplateSendDeps } from '#lambdas/templates/request-template-send';
import type { TemplateVariables } from '#lambdas/templates/template-variables';
import type { ApprovedTemplateSource, ProposedTemplate } from '#lambdas/workspace/approved-templates';
import { humanReplyWindow, type ReplyWindow } from '#lambdas/conversation/reply-window';
import { TemplateRequestError } from '#lambdas/templates/errors';

/** The window of the conversation and the approved templates its WhatsApp number may send. */
export async function templatesForConversation(
  conversation: ConversationRecord,
  deps: { accounts: AccountReader; templates: ApprovedTemplateSource; now: Date },
): Promise<ReplyWindow & { templates: ProposedTemplate[] }> {
  const window = humanReplyWindow(conversation, deps.now);
  // Templates exist on WhatsApp only; Instagram and Messenger have no way back after their window.
  if (conversation.channel !== 'whatsapp') return { ...window, templates: [] };
  const account = await deps.accounts.account(conversation.accountId);
  const wabaId = account?.wabaId ?? conversation.businessAccountId;
  return { ...window, templates: wabaId ? await deps.templates.approvedTemplates(wabaId) : [] };
}

/**
 * An approved template to the conversation's customer through the templates API's send path
 * (checked against the stored template and the customer's consent, then sent by the outbound
 * sender). `parameters` is a list for a body of positional variables, or the full variables.
 */
export async function sendConversationTemplate(
  conversation: ConversationRecord,
  input: { templateName: string; language: string; parameters?: string[] | TemplateVariables; requestId: string },
  deps: TemplateSendDeps,
): Promise<{ messageId: string; repeated: boolean }> {
  if (conversation.channel !== 'whatsapp') {
    throw new HumanAgentRequestError(409, 'templates_whatsapp_only', 'Templates can be sent on WhatsApp only');
  }
  const variables: TemplateVariables | undefined = Array.isArray(input.parameters)
    ? input.parameters.length > 0
      ? { body: input.parameters }
      : undefined
    : input.parameters;
  const request = templateSendSchema.safeParse({
    accountId: conversation.accountId,
    conversationKey: conversation.conversationKey,
    name: input.templateName,
    language: input.language,
    ...(variables ? { variables } : {}),
    requestId: input.requestId,
  });
  if (!request.success)
    throw new HumanAgentRequestError(400, 'invalid_request', request.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  try {
    const accepted = await requestTemplateSend(request.data, deps);
    return { messageId: accepted.messageId, repeated: accepted.repeated };
  } catch (err) {
    // Variables that do not fit the template are the caller's to fix: a 400 like any bad request.
    if (err instanceof TemplateRequestError) throw new HumanAgentRequestError(err.status === 422 ? 400 : err.status, err.code, err.message);
    throw err;
  }
}
