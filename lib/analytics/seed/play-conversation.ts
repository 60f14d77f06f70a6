import { createHash } from 'node:crypto';
import { messageSk, messageTimeSk } from '#lambdas/conversation/table-keys';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { ACCOUNT_OF, conversationKeyOf, type LocalCloudClient } from '#lib/analytics/seed/local-cloud-client';
import { TEXTS, type ConversationPlan, type SeedLanguage } from '#lib/analytics/seed/seed-plan';

export interface PlayedConversation {
  plan: ConversationPlan;
  conversationKey: string;
  /** Live time (epoch ms, whole second) just before the first live customer message. */
  liveStartMs: number;
  /** Live times (whole seconds) before the CSAT answer and the customer's return, when played. */
  csatAtMs?: number;
  comeBackAtMs?: number;
  /** Meta failures the seed reported through the webhook. */
  failures: number;
  businessMessages: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const TEMPLATE_LANGUAGE: Record<SeedLanguage, string> = { es: 'es', pt: 'pt_BR', en: 'en_US' };

/** Plays one planned conversation through the running local cloud, waiting for each answer. */
export async function playConversation(client: LocalCloudClient, plan: ConversationPlan, random: () => number): Promise<PlayedConversation> {
  const { channel, customerId, language } = plan;
  const key = conversationKeyOf(channel, customerId);
  const say = (list: readonly string[]) => ({ text: list[Math.floor(random() * list.length)]! });
  const name = `Seed customer ${plan.index}`;
  let sent = 0;
  const customer = async (content: { text: string } | { reply: { id: string } }, expectReply = true) => {
    await client.customerSays(channel, customerId, content, name);
    if (expectReply) sent = (await client.untilSent(channel, customerId, sent + 1)).length;
  };
  const person = async (body: Record<string, unknown>, path: 'reply' | 'close') => {
    await client.humanAgent(path, { conversationKey: key, ...body });
    sent = (await client.untilSent(channel, customerId, sent + 1)).length;
  };
  const played: PlayedConversation = { plan, conversationKey: key, liveStartMs: 0, failures: 0, businessMessages: 0 };

  if (plan.importedHistory) {
    const daysAgo = 60 + Math.floor(random() * 140);
    const at = (minutes: number) => new Date(Date.now() - daysAgo * 86_400_000 + minutes * 60_000);
    const id = (n: number) => `wamid.HIST${createHash('sha256').update(`${key}|${n}`).digest('hex').slice(0, 24)}`;
    await client.postHistory(customerId, [
      { id: id(1), fromCustomer: true, at: at(0), text: say(TEXTS.faq[language]).text },
      { id: id(2), fromCustomer: false, at: at(7), text: 'Answered from the business app' },
      { id: id(3), fromCustomer: true, at: at(9), text: say(TEXTS.thanks[language]).text },
    ]);
  }

  played.liveStartMs = wholeSecond(Date.now());
  switch (plan.story) {
    case 'faq':
      await customer(say(TEXTS.greeting[language]));
      await customer(say(TEXTS.faq[language]));
      break;
    case 'direct_faq':
      await customer(say(TEXTS.faq[language]));
      break;
    case 'menu_tap':
      await customer(say(TEXTS.greeting[language]));
      await customer({ reply: { id: random() < 0.6 ? 'order_status' : 'returns' } });
      break;
    case 'handoff':
      await customer(say(TEXTS.handoff[language]));
      break;
    case 'menu_handoff':
      await customer(say(TEXTS.greeting[language]));
      await customer({ reply: { id: 'talk_to_person' } });
      break;
    case 'fallback_handoff':
      await customer(say(TEXTS.unknown[language]));
      await customer(say(TEXTS.handoff[language]));
      break;
  }

  if (plan.story.endsWith('handoff')) {
    // While a person owns the conversation the bot stays silent.
    await customer(say(TEXTS.problem[language]), false);
    // A customer who left the queue gets no reply; one who stopped answering gets only the first.
    const outcome = plan.routing?.outcome;
    if (outcome !== 'abandoned') await person({ text: TEXTS.person[language][0], requestId: `seed-${plan.index}-1` }, 'reply');
    if (outcome !== 'abandoned' && outcome !== 'no_response') await person({ text: TEXTS.person[language][1], requestId: `seed-${plan.index}-2` }, 'reply');
    await person({}, 'close');
    if (plan.csatScore !== undefined) {
      await sleep(1100);
      played.csatAtMs = wholeSecond(Date.now());
      await customer({ reply: { id: `csat:${plan.csatScore}` } });
    }
    if (plan.comesBack) {
      await sleep(1100);
      played.comeBackAtMs = wholeSecond(Date.now());
      await customer(say(TEXTS.comeBack[language]));
    }
  }

  if (plan.replyFails) {
    const [first] = await client.businessMessagesTo(channel, customerId);
    if (first) {
      await client.postFailedStatus(customerId, first.id, { code: 131026, title: 'Message undeliverable' });
      played.failures++;
    }
  }

  if (plan.template) {
    const at = new Date().toISOString();
    if (plan.template.category === 'marketing') {
      // The opt-in an opt-in form would record; marketing templates are refused without one.
      await client.putItem({
        pk: `ACCT#${ACCOUNT_OF[channel]}`,
        sk: `CONSENT#${customerId}`,
        entity: 'Consent',
        customerId,
        marketingOptInAt: at,
        source: 'seed',
      });
    }
    const outboundId = `out_c_${createHash('sha256').update(`${key}|${plan.template.name}`).digest('hex').slice(0, 32)}`;
    await client.putItem({
      pk: `CONV#${key}`,
      sk: messageSk(outboundId),
      lsi1sk: messageTimeSk(at, outboundId),
      entity: 'Message',
      messageId: outboundId,
      conversationKey: key,
      channel,
      accountId: ACCOUNT_OF[channel],
      customerId,
      recipientId: customerId,
      direction: 'outbound',
      origin: 'campaign',
      type: 'template',
      template: { name: plan.template.name, language: TEMPLATE_LANGUAGE[language], category: plan.template.category },
      replyKind: 'campaign',
      replyToMessageIds: [],
      status: 'pending',
      occurredAt: at,
      createdAt: at,
      expiresAt: Math.floor(Date.now() / 1000) + 400 * 86_400,
    });
    // Campaigns have no event source of their own yet; the outbound sender listens to the agent's.
    await client.publish(EVENT_SOURCE.agent, DETAIL_TYPE.replyRequested, {
      v: 1,
      conversationKey: key,
      outboundId,
      channel,
      accountId: ACCOUNT_OF[channel],
    });
    const all = await client.untilSent(channel, customerId, sent + 1);
    sent = all.length;
    if (plan.template.fails) {
      await client.postFailedStatus(customerId, all.at(-1)!.id, plan.template.fails);
      played.failures++;
    }
  }
  played.businessMessages = sent;
  return played;
}
