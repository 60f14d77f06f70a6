import { describe, expect, it } from 'vitest';
import { conversationView, messageView } from '#lambdas/workspace/conversation-detail-view';

describe('messageView', () => {
  it('shows attachments without their stored keys, Meta ids or URLs', () => {
    const view = messageView({
      messageId: 'wamid.1',
      channel: 'whatsapp',
      direction: 'inbound',
      type: 'image',
      occurredAt: '2026-11-21T10:00:00.000Z',
      media: [{ id: 'meta-media-id', url: 'https://lookaside.fbsbx.com/secret', mimeType: 'image/jpeg', caption: 'mi pedido' }],
      mediaObjects: [{ key: 'media/100/2026/11/21/abc-0', size: 1234, contentType: 'image/jpeg', sha256: 'x' }],
      mediaS3Key: 'media/100/2026/11/21/abc-0',
      mediaStatus: 'stored',
    });
    expect(view.media).toEqual([{ index: 0, messageId: 'wamid.1', contentType: 'image/jpeg', caption: 'mi pedido', size: 1234, stored: true }]);
    expect(JSON.stringify(view)).not.toMatch(/media\/100|meta-media-id|lookaside/);
  });

  it("a failed message carries Meta's error in words; choices as sent", () => {
    const view = messageView({
      messageId: 'out_1',
      direction: 'outbound',
      type: 'interactive',
      text: '¿Cómo calificas la atención?',
      status: 'failed',
      errorCode: 131047,
      replyOptions: [{ id: 'csat_5', title: 'Excelente' }],
    });
    expect(view.error).toMatch(/24 hours/);
    expect(view.choices).toEqual([{ id: 'csat_5', title: 'Excelente' }]);
    expect(messageView({ messageId: 'o', status: 'failed', errorCode: 999, errorTitle: 'Something odd' }).error).toBe('Something odd');
    expect(messageView({ messageId: 'o', status: 'read' }).error).toBeUndefined();
  });
});

describe('conversationView', () => {
  it('routing attributes, tags as a sorted list, the handoff context', () => {
    const view = conversationView({
      conversationKey: 'wa:100:5511',
      channel: 'whatsapp',
      state: 'human',
      queueId: 'vip',
      routingPriority: 90,
      tags: new Set(['vip', 'complaint']),
      slaFirstResponseDueAt: '2026-11-21T10:05:00.000Z',
      slaState: 'ok',
      handoffContext: {
        reason: 'customer_request',
        language: 'es',
        lastCustomerTexts: ['hola'],
        botAnswers: [],
        captured: { order_id: 'A1', bad: 3 },
        tags: ['vip'],
      },
      pendingReplyId: 'internal',
    });
    expect(view).toMatchObject({ queueId: 'vip', routingPriority: 90, tags: ['complaint', 'vip'], slaState: 'ok' });
    expect(view.handoffContext).toEqual({
      reason: 'customer_request',
      language: 'es',
      lastCustomerTexts: ['hola'],
      botAnswers: [],
      captured: { order_id: 'A1' },
      tags: ['vip'],
    });
    expect(view).not.toHaveProperty('pendingReplyId');
  });
});
