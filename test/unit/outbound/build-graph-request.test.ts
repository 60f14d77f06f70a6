import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGraphRequest, type GraphConfig } from '#lambdas/outbound/build-graph-request';
import type { OutboundMessage } from '#lambdas/outbound/outbound-message';
import { loadSendBodyValidator, type SendBodyValidator } from '#lib/local-cloud/graph-simulator/send-body-validator';
import { GRAPH_API_OPENAPI_SPEC_FILE, GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';

/** Meta's official spec as shared with the project, read the way OpenAPI tools read it. */
const SPEC = fileURLToPath(new URL(`../../../../shared/meta-openapi/${GRAPH_API_OPENAPI_SPEC_FILE}`, import.meta.url));
const CONFIG: GraphConfig = { baseUrl: 'https://graph.facebook.com/', version: GRAPH_API_VERSION };

let validator: SendBodyValidator;
beforeAll(async () => {
  validator = await loadSendBodyValidator(SPEC);
});

function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    sk: 'MSG#out_1',
    messageId: 'out_1',
    conversationKey: 'wa:100:5511999',
    channel: 'whatsapp',
    accountId: '100',
    recipientId: '5511999',
    direction: 'outbound',
    type: 'text',
    text: 'Thanks for your message!',
    status: 'pending',
    ...overrides,
  };
}

/** A menu like the agent's: a greeting and three choices. */
const menu = {
  text: 'Hello! How can we help?',
  options: [
    { id: 'menu:order', title: 'Order status' },
    { id: 'menu:hours', title: 'Opening hours' },
    { id: 'menu:human', title: 'Talk to a person' },
  ],
};
const options = [1, 2, 3, 4, 5].map((n) => ({ id: `opt:${n}`, title: `Option number ${n} with a long title`, description: 'd' }));

describe('buildGraphRequest for WhatsApp', () => {
  it("sends text to the phone number id, and the body passes Meta's Message schema", () => {
    const request = buildGraphRequest(message(), CONFIG);
    expect(request.url).toBe(`https://graph.facebook.com/${GRAPH_API_VERSION}/100/messages`);
    expect(request.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '5511999',
      // Our id, returned by Meta in every status webhook of this message.
      biz_opaque_callback_data: 'out_1',
      type: 'text',
      text: { body: 'Thanks for your message!', preview_url: false },
    });
    expect(validator.validate(request.body)).toBeUndefined();
  });

  it('sends up to three choices as reply buttons', () => {
    const request = buildGraphRequest(message({ type: 'interactive', text: menu.text, replyOptions: menu.options }), CONFIG);
    expect(request.body).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: menu.text },
        action: { buttons: menu.options!.map((o) => ({ type: 'reply', reply: { id: o.id, title: o.title } })) },
      },
    });
    expect(validator.validate(request.body)).toBeUndefined();
  });

  it("sends more choices as a list, cutting titles to Meta's limits", () => {
    const request = buildGraphRequest(message({ type: 'interactive', replyOptions: options, optionsLabel: 'Opciones' }), CONFIG);
    const interactive = (request.body as { interactive: { type: string; action: { button: string; sections: Array<{ rows: Array<{ title: string }> }> } } })
      .interactive;
    expect(interactive.type).toBe('list');
    expect(interactive.action.button).toBe('Opciones');
    expect(interactive.action.sections[0]!.rows).toHaveLength(5);
    expect([...interactive.action.sections[0]!.rows[0]!.title].length).toBeLessThanOrEqual(24);
    expect(validator.validate(request.body)).toBeUndefined();
  });

  it('cuts an over-long text instead of having Meta refuse it', () => {
    const request = buildGraphRequest(message({ text: 'x'.repeat(5000) }), CONFIG);
    expect((request.body as { text: { body: string } }).text.body).toHaveLength(4096);
    expect(validator.validate(request.body)).toBeUndefined();
  });

  it('would be refused by the schema without recipient_type (the check can fail)', () => {
    const { recipient_type: _, ...body } = buildGraphRequest(message(), CONFIG).body as Record<string, unknown>;
    expect(validator.validate(body)).toBeDefined();
  });
});

describe('buildGraphRequest for Instagram and Messenger', () => {
  it('sends Instagram text to the account id', () => {
    expect(buildGraphRequest(message({ channel: 'instagram', accountId: '1784', recipientId: 'IGSID' }), CONFIG)).toEqual({
      url: `https://graph.facebook.com/${GRAPH_API_VERSION}/1784/messages`,
      body: { recipient: { id: 'IGSID' }, message: { text: 'Thanks for your message!' } },
    });
  });

  it('sends Messenger replies as RESPONSE messages with quick replies for choices', () => {
    const request = buildGraphRequest(
      message({ channel: 'messenger', accountId: 'PAGE', recipientId: 'PSID', type: 'interactive', text: menu.text, replyOptions: menu.options }),
      CONFIG,
    );
    expect(request).toEqual({
      url: `https://graph.facebook.com/${GRAPH_API_VERSION}/PAGE/messages`,
      body: {
        recipient: { id: 'PSID' },
        messaging_type: 'RESPONSE',
        message: { text: menu.text, quick_replies: menu.options!.map((o) => ({ content_type: 'text', title: o.title, payload: o.id })) },
      },
    });
  });

  it('keeps quick reply titles within 20 characters', () => {
    const request = buildGraphRequest(message({ channel: 'instagram', type: 'interactive', replyOptions: options }), CONFIG);
    const replies = (request.body as { message: { quick_replies: Array<{ title: string }> } }).message.quick_replies;
    expect(replies).toHaveLength(5);
    for (const r of replies) expect([...r.title].length).toBeLessThanOrEqual(20);
  });
});

describe("buildGraphRequest picks the host by the account's API", () => {
  const instagram = () => message({ channel: 'instagram', accountId: '17842000000001', recipientId: 'IGSID' });

  it("sends an Instagram Login account's reply to graph.instagram.com, same version and body", () => {
    const config: GraphConfig = { ...CONFIG, instagramBaseUrl: 'https://graph.instagram.com/' };
    const viaLogin = buildGraphRequest(instagram(), config, { instagramApi: 'instagram_login' });
    const viaPage = buildGraphRequest(instagram(), config, { instagramApi: 'messenger_platform' });
    expect(viaLogin.url).toBe(`https://graph.instagram.com/${GRAPH_API_VERSION}/17842000000001/messages`);
    expect(viaPage.url).toBe(`https://graph.facebook.com/${GRAPH_API_VERSION}/17842000000001/messages`);
    expect(viaLogin.body).toEqual(viaPage.body);
  });

  it("uses Meta's graph.instagram.com when no Instagram host is configured, and the Page-linked host when the API is not known", () => {
    expect(buildGraphRequest(instagram(), CONFIG, { instagramApi: 'instagram_login' }).url).toBe(
      `https://graph.instagram.com/${GRAPH_API_VERSION}/17842000000001/messages`,
    );
    expect(buildGraphRequest(instagram(), CONFIG).url).toBe(`https://graph.facebook.com/${GRAPH_API_VERSION}/17842000000001/messages`);
  });

  it('never sends WhatsApp or Messenger to the Instagram host, whatever it is told', () => {
    const config: GraphConfig = { ...CONFIG, instagramBaseUrl: 'https://graph.instagram.com' };
    expect(buildGraphRequest(message(), config, { instagramApi: 'instagram_login' }).url).toBe(`https://graph.facebook.com/${GRAPH_API_VERSION}/100/messages`);
    const page = message({ channel: 'messenger', accountId: 'PAGE', recipientId: 'PSID' });
    expect(buildGraphRequest(page, config, { instagramApi: 'instagram_login' }).url).toBe(`https://graph.facebook.com/${GRAPH_API_VERSION}/PAGE/messages`);
  });
});
