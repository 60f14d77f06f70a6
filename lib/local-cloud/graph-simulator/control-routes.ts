import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSimChannel } from '#lib/local-cloud/graph-simulator/accounts';
import { CustomerInputError, parseCustomerMessageInput, sendCustomerMessage } from '#lib/local-cloud/graph-simulator/customer-messages';
import { parseJson, sendBytes, sendJson } from '#lib/local-cloud/graph-simulator/http-util';
import { handleOnboardingControl } from '#lib/local-cloud/graph-simulator/onboarding-control';
import type { SimulatorContext } from '#lib/local-cloud/graph-simulator/simulator-context';
import { upsertTemplateControl } from '#lib/local-cloud/graph-simulator/template-routes';

/** Prefix of the simulator's own routes; everything else is a Graph API route. */
export const CONTROL_PREFIX = '/_sim/';

function controlError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { message } });
}

/**
 * The control API a test or the chat uses: read the outbox and the webhooks posted, reset,
 * play the customer, read a conversation, register media, wait until no status is pending.
 */
export async function handleControlRequest(
  ctx: SimulatorContext,
  reset: () => void,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: Buffer,
): Promise<void> {
  const segments = url.pathname
    .slice(CONTROL_PREFIX.length)
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const route = `${req.method} ${segments.join('/')}`;

  if (route === 'GET outbox') return sendJson(res, 200, ctx.outbox.all());
  if (route === 'GET webhooks') return sendJson(res, 200, ctx.webhooks.deliveries());
  if (route === 'POST reset') {
    reset();
    return sendJson(res, 200, { success: true });
  }
  if (route === 'GET idle') {
    await ctx.scheduler.whenIdle();
    return sendJson(res, 200, { success: true });
  }

  const parsed = parseJson(raw);
  if (!parsed.ok) return controlError(res, 400, 'the body is not JSON');

  const onboarding = handleOnboardingControl(ctx, req.method ?? 'GET', segments, parsed.value);
  if (onboarding) return sendJson(res, onboarding.status, onboarding.body);

  if (route === 'POST customer/messages') {
    try {
      const result = await sendCustomerMessage(ctx, parseCustomerMessageInput(parsed.value));
      return sendJson(res, 200, result);
    } catch (error) {
      if (error instanceof CustomerInputError) return controlError(res, 400, error.message);
      throw error;
    }
  }

  if (route === 'POST templates') {
    const result = await upsertTemplateControl(ctx, parsed.value);
    return sendJson(res, result.status, result.response);
  }

  if (route === 'POST media') {
    const body = parsed.value as { id?: unknown; mimeType?: unknown; base64?: unknown } | undefined;
    if (typeof body?.mimeType !== 'string' || typeof body.base64 !== 'string') {
      return controlError(res, 400, 'media must be { id?, mimeType, base64 }');
    }
    const media = ctx.media.register({
      ...(typeof body.id === 'string' ? { id: body.id } : {}),
      mimeType: body.mimeType,
      bytes: Buffer.from(body.base64, 'base64'),
    });
    return sendJson(res, 200, { id: media.id, sha256: media.sha256 });
  }

  const [first, second, third, fourth] = segments;
  if (req.method === 'GET' && first === 'cdn' && second !== undefined && segments.length === 2) {
    const media = ctx.media.get(second);
    return media ? sendBytes(res, media.mimeType, media.bytes) : controlError(res, 404, 'no such media');
  }
  if (req.method === 'GET' && first === 'conversations' && fourth === 'messages' && segments.length === 4) {
    if (!isSimChannel(second) || third === undefined) return controlError(res, 400, 'unknown channel');
    const after = url.searchParams.get('after');
    const afterMs = after === null ? undefined : Date.parse(after);
    if (afterMs !== undefined && Number.isNaN(afterMs)) return controlError(res, 400, 'after must be an ISO-8601 time');
    return sendJson(res, 200, ctx.outbox.messagesTo(second, third, afterMs));
  }
  return controlError(res, 404, `no simulator route ${req.method} ${url.pathname}`);
}
