import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signedS3Objects, type S3Objects } from '#lambdas/adapters/s3-signed-object';
import { messageContent } from '#lambdas/channels/meta-messaging/message-content';
import { MessageSchema } from '#lambdas/channels/meta-messaging/messaging-schemas';
import type { MessageEvent, MediaRef } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { downloadMessageMedia, MEDIA_FINAL_RECEIVE, type MediaDeps } from '#lambdas/media/download-message-media';
import { MediaFailure } from '#lambdas/media/media-errors';
import { startAwsEmulator, type AwsEmulator } from '#lib/local-cloud/aws/aws-emulator';
import { startGraphSimulator, type GraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { MEDIA_DOWNLOAD_PATH } from '#lib/local-cloud/graph-simulator/media-store';
import { readConformanceJson } from '#test/helpers/conformance';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { startRecordingHttpServer, type RecordingHttpServer } from '#test/helpers/recording-http-server';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';
import { createMediaRecordStore } from '#lambdas/media/media-record-store';

const BUCKET = 'media-bucket';
const TOKEN = 'local-test-token';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('a small test picture')]);

let table: TestTable & { newTable(): Promise<string> };
let aws: AwsEmulator;
let sim: GraphSimulator;
let s3: S3Objects;
let simNow = Date.now();
let deps: MediaDeps;
let tableName: string;
/** Runs before each request the consumer makes to the simulator; tests use it to age URLs or corrupt bytes. */
let beforeRequest: (url: URL) => void = () => undefined;
let corruptDownloads = false;
/** A host outside the allow-list: records whether anything reached it, with or without a token. */
let outsider: RecordingHttpServer;

const trackingFetch: typeof fetch = async (input, init) => {
  const url = new URL(String(input instanceof Request ? input.url : input));
  beforeRequest(url);
  const response = await fetch(input, init);
  if (!corruptDownloads || url.pathname !== MEDIA_DOWNLOAD_PATH || !response.ok) return response;
  const bytes = Buffer.from(await response.arrayBuffer());
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
  return new Response(bytes, { status: 200, headers: response.headers });
};

beforeAll(async () => {
  table = await startTestTable();
  aws = await startAwsEmulator();
  aws.s3.createBucket(BUCKET);
  s3 = signedS3Objects(() => ({ region: aws.region, endpoint: aws.endpoint, credentials: async () => aws.clientConfig().credentials }));
  sim = await startGraphSimulator({ port: 0, accessTokens: [TOKEN], clock: () => simNow });
  outsider = await startRecordingHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end('not for you'));
});
afterAll(async () => {
  await outsider?.close();
  await sim?.close();
  await aws?.close();
  await table?.stop();
});
beforeEach(async () => {
  sim.reset();
  for (const object of aws.s3.listObjects(BUCKET)) aws.s3.deleteObject(BUCKET, object.key);
  simNow = Date.now();
  beforeRequest = () => undefined;
  corruptDownloads = false;
  outsider.requests.length = 0;
  tableName = await table.newTable();
  deps = {
    mediaRecords: createMediaRecordStore(table.db, tableName),
    s3,
    bucket: BUCKET,
    accessTokenFor: async () => TOKEN,
    graph: { baseUrl: sim.url, version: GRAPH_API_VERSION },
    fetch: trackingFetch,
    sleep: async () => undefined,
  };
});

let serial = 0;
const WA_ACCOUNT = '100000000000001';

/** Stores a customer message with attachments the way the normalizer does, and returns its event detail. */
async function receive(channel: MessageEvent['channel'], type: string, media: MediaRef[]) {
  serial++;
  const providerMessageId = channel === 'whatsapp' ? `wamid.media-test-${serial}` : `m_media-test-${serial}`;
  const accountId = channel === 'whatsapp' ? WA_ACCOUNT : '17841400000000001';
  const conversationKey = `${channel === 'whatsapp' ? 'wa' : 'ig'}:${accountId}:15557654321`;
  const occurredAt = '2026-11-21T10:00:00.000Z';
  const event: MessageEvent = {
    kind: 'message',
    channel,
    conversationKey,
    accountId,
    businessAccountId: '200000000000001',
    occurredAt,
    eventId: `evt-${serial}`,
    direction: 'inbound',
    origin: 'customer',
    providerMessageId,
    customer: { id: '15557654321' },
    type: type as MessageEvent['type'],
    media,
  };
  await recordNormalizedEvent(event, { receivedAt: occurredAt }, { ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });
  return { v: 1, conversationKey, channel, accountId, providerMessageId, occurredAt, type, origin: 'customer', direction: 'inbound', eventId: event.eventId };
}

async function messageItem(detail: { conversationKey: string; providerMessageId: string }) {
  const out = await table.db.send(
    new GetCommand({ TableName: tableName, Key: { pk: `CONV#${detail.conversationKey}`, sk: `MSG#${detail.providerMessageId}` }, ConsistentRead: true }),
  );
  return out.Item ?? {};
}

const mediaUrlLookups = () => sim.outbox().filter((e) => e.method === 'GET' && !e.path.startsWith('/_sim'));
const stored = () => aws.s3.listObjects(BUCKET);

function whatsappImage(bytes: Buffer = PNG) {
  const media = sim.registerMedia({ mimeType: 'image/png', bytes });
  // The webhook carries the digest in base64, as Meta's does.
  return { media, ref: { id: media.id, mimeType: 'image/png', sha256: Buffer.from(media.sha256, 'hex').toString('base64') } };
}

describe('downloading WhatsApp media through the Graph API simulator into S3', () => {
  it('stores the file under a key without PII and records it on the message once', async () => {
    const { ref } = whatsappImage();
    const detail = await receive('whatsapp', 'image', [ref]);

    const outcome = await downloadMessageMedia(detail, deps);
    expect(outcome).toEqual({ outcome: 'stored', objects: 1, bytes: PNG.length });

    const item = await messageItem(detail);
    expect(item.mediaS3Key).toMatch(new RegExp(`^media/${WA_ACCOUNT}/2026/11/21/[0-9a-f]{40}-0$`));
    expect(item).toMatchObject({ mediaSize: PNG.length, mediaContentType: 'image/png' });
    expect(item.mediaStoredAt).toEqual(expect.any(String));
    expect(item.mediaError).toBeUndefined();
    const object = aws.s3.getObject(BUCKET, item.mediaS3Key as string);
    expect(object.body.equals(PNG)).toBe(true);
    expect(object.contentType).toBe('image/png');
    // The URL was asked for with the token and the business number.
    expect(mediaUrlLookups()).toHaveLength(1);
    expect(mediaUrlLookups()[0]?.path).toBe(`/${GRAPH_API_VERSION}/${ref.id}`);

    // A redelivery neither downloads nor writes again.
    expect(await downloadMessageMedia(detail, deps)).toEqual({ outcome: 'already_stored' });
    expect(mediaUrlLookups()).toHaveLength(1);
    expect(stored()).toHaveLength(1);
  });

  it('asks for a new URL when the first one expired before the download', async () => {
    const { ref } = whatsappImage();
    const detail = await receive('whatsapp', 'image', [ref]);
    let aged = false;
    beforeRequest = (url) => {
      // The consumer is slow: six minutes pass between getting the URL and using it, once.
      if (url.pathname === MEDIA_DOWNLOAD_PATH && !aged) {
        aged = true;
        simNow += 6 * 60 * 1000;
      }
    };
    expect(await downloadMessageMedia(detail, deps)).toMatchObject({ outcome: 'stored' });
    expect(mediaUrlLookups()).toHaveLength(2);
  });

  it('gives up on a media id Meta does not know and records why', async () => {
    const detail = await receive('whatsapp', 'image', [{ id: '999999999999999', mimeType: 'image/png' }]);
    expect(await downloadMessageMedia(detail, deps)).toEqual({ outcome: 'failed', reason: 'media_not_found', httpStatus: 400 });
    const item = await messageItem(detail);
    expect(item).toMatchObject({ mediaError: 'media_not_found', mediaErrorStatus: 400 });
    expect(item.mediaS3Key).toBeUndefined();
    expect(stored()).toHaveLength(0);
  });

  it('refuses a file above the cap for its type without downloading it', async () => {
    const { ref } = whatsappImage(Buffer.alloc(5 * 1024 * 1024 + 1, 7));
    const detail = await receive('whatsapp', 'image', [ref]);
    const downloads: string[] = [];
    beforeRequest = (url) => void (url.pathname === MEDIA_DOWNLOAD_PATH && downloads.push(url.pathname));
    expect(await downloadMessageMedia(detail, deps)).toEqual({ outcome: 'failed', reason: 'too_large' });
    expect(downloads).toEqual([]);
    expect((await messageItem(detail)).mediaError).toBe('too_large');
  });

  it('records a digest that never matches after the retries, and stores nothing', async () => {
    const { ref } = whatsappImage();
    const detail = await receive('whatsapp', 'image', [ref]);
    corruptDownloads = true;
    expect(await downloadMessageMedia(detail, deps)).toEqual({ outcome: 'failed', reason: 'digest_mismatch' });
    expect(mediaUrlLookups()).toHaveLength(3);
    expect((await messageItem(detail)).mediaError).toBe('digest_mismatch');
    expect(stored()).toHaveLength(0);
  });

  it('retries a refused token, and records the failure on the last receive before the queue parks it', async () => {
    const { ref } = whatsappImage();
    const detail = await receive('whatsapp', 'image', [ref]);
    const wrongToken = { ...deps, accessTokenFor: async () => 'revoked-token' };

    const early = await downloadMessageMedia(detail, wrongToken, { receiveCount: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(early).toBeInstanceOf(MediaFailure);
    expect((early as MediaFailure).kind).toBe('retryable');
    expect((await messageItem(detail)).mediaError).toBeUndefined();

    const last = await downloadMessageMedia(detail, wrongToken, { receiveCount: MEDIA_FINAL_RECEIVE }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(last).toBeInstanceOf(MediaFailure);
    expect(await messageItem(detail)).toMatchObject({ mediaError: 'retries_exhausted', mediaErrorStatus: 401 });

    // Once the token is fixed, a redrive stores the file and clears the failure.
    expect(await downloadMessageMedia(detail, deps, { receiveCount: 1 })).toMatchObject({ outcome: 'stored' });
    const item = await messageItem(detail);
    expect(item.mediaError).toBeUndefined();
    expect(item.mediaS3Key).toEqual(expect.any(String));
  });
});

describe('downloading Instagram and Messenger attachments from their CDN URL', () => {
  it('stores every attachment without sending the token', async () => {
    const first = sim.registerMedia({ mimeType: 'image/png', bytes: PNG });
    const second = sim.registerMedia({ mimeType: 'video/mp4', bytes: Buffer.from('not really a video') });
    const detail = await receive('instagram', 'image', [
      { url: `${sim.url}/_sim/cdn/${first.id}`, attachmentType: 'image' },
      { url: `${sim.url}/_sim/cdn/${second.id}`, attachmentType: 'video' },
    ]);
    const tokensSent: string[] = [];
    const spyingFetch: typeof fetch = async (input, init) => {
      const auth = (init?.headers as Record<string, string> | undefined)?.authorization;
      if (auth) tokensSent.push(auth);
      return trackingFetch(input, init);
    };
    expect(await downloadMessageMedia(detail, { ...deps, fetch: spyingFetch })).toEqual({
      outcome: 'stored',
      objects: 2,
      bytes: PNG.length + 'not really a video'.length,
    });
    expect(tokensSent).toEqual([]);
    const item = await messageItem(detail);
    expect(item.mediaObjects).toHaveLength(2);
    expect(item.mediaObjects[1]).toMatchObject({
      contentType: 'video/mp4',
      sha256: createHash('sha256').update('not really a video').digest('hex'),
    });
    expect(aws.s3.getObject(BUCKET, item.mediaObjects[1].key).body.toString()).toBe('not really a video');
  });

  it('records a CDN URL that no longer serves the file', async () => {
    const detail = await receive('messenger', 'file', [{ url: `${sim.url}/_sim/cdn/does-not-exist` }]);
    expect(await downloadMessageMedia(detail, deps)).toEqual({ outcome: 'failed', reason: 'download_refused', httpStatus: 404 });
  });
});

describe('events the media consumer leaves alone', () => {
  it('skips text, messages without a media reference and unknown messages; refuses a broken detail', async () => {
    const text = await receive('whatsapp', 'text', []);
    expect(await downloadMessageMedia(text, deps)).toEqual({ outcome: 'skipped', reason: 'not_media' });
    const noRef = await receive('whatsapp', 'image', [{ mimeType: 'image/png' }]);
    expect(await downloadMessageMedia(noRef, deps)).toEqual({ outcome: 'skipped', reason: 'no_media_reference' });
    expect(await downloadMessageMedia({ ...noRef, providerMessageId: 'wamid.unknown' }, deps)).toEqual({ outcome: 'skipped', reason: 'message_missing' });
    expect(await downloadMessageMedia({ v: 1, conversationKey: 'x' }, deps)).toMatchObject({ outcome: 'invalid' });
    expect(mediaUrlLookups()).toHaveLength(0);
  });
});

describe('media sources the consumer refuses', () => {
  it('never follows a WhatsApp media URL that comes without an id, so no token leaves', async () => {
    const detail = await receive('whatsapp', 'image', [{ url: `${outsider.url}/steal`, mimeType: 'image/png' }]);
    const tokensAsked: string[] = [];
    const watched = {
      ...deps,
      accessTokenFor: async (account: string) => {
        tokensAsked.push(account);
        return TOKEN;
      },
    };

    expect(await downloadMessageMedia(detail, watched)).toEqual({ outcome: 'refused', reason: 'whatsapp_media_without_id' });
    expect(outsider.requests).toEqual([]);
    expect(outsider.requests.filter((r) => r.authorization !== undefined)).toEqual([]);
    expect(tokensAsked).toEqual([]);
    expect(mediaUrlLookups()).toHaveLength(0);
    const item = await messageItem(detail);
    expect(item).toMatchObject({ mediaStatus: 'refused', mediaError: 'whatsapp_media_without_id' });
    expect(item.mediaS3Key).toBeUndefined();
    expect(stored()).toHaveLength(0);
    // Final: a redelivery is refused the same way, still without a request.
    expect(await downloadMessageMedia(detail, watched, { receiveCount: MEDIA_FINAL_RECEIVE })).toEqual({
      outcome: 'refused',
      reason: 'whatsapp_media_without_id',
    });
    expect(outsider.requests).toEqual([]);
  });

  it('refuses a WhatsApp media id that would change the Graph API path', async () => {
    const detail = await receive('whatsapp', 'document', [{ id: '..', mimeType: 'application/pdf' }]);
    expect(await downloadMessageMedia(detail, deps)).toEqual({ outcome: 'refused', reason: 'media_id_unreadable' });
    expect(mediaUrlLookups()).toHaveLength(0);
  });

  it('does not download a media URL the Graph API answers with on a host off the list', async () => {
    // A Graph API stand-in whose media URL points at the outsider.
    const graph = await startRecordingHttpServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: `${outsider.url}/file`, mime_type: 'image/png', id: '1234' })),
    );
    try {
      const detail = await receive('whatsapp', 'image', [{ id: '1234', mimeType: 'image/png' }]);
      expect(await downloadMessageMedia(detail, { ...deps, graph: { baseUrl: graph.url, version: GRAPH_API_VERSION } })).toEqual({
        outcome: 'refused',
        reason: 'url_not_https',
      });
      expect(graph.requests).toEqual([{ method: 'GET', path: `/${GRAPH_API_VERSION}/1234?phone_number_id=100000000000001`, authorization: `Bearer ${TOKEN}` }]);
      expect(outsider.requests).toEqual([]);
      expect(await messageItem(detail)).toMatchObject({ mediaStatus: 'refused', mediaError: 'url_not_https' });
    } finally {
      await graph.close();
    }
  });

  it.each([
    ['another host over http', () => `${outsider.url}/file`, 'url_not_https'],
    ['a host off the list', () => 'https://evil.example/fbcdn.net/x.png', 'url_host_not_allowed'],
    ['a Meta host name hidden in userinfo', () => `https://lookaside.fbsbx.com@${new URL(outsider.url).host}/x.png`, 'url_has_credentials'],
    ['a link-local address', () => 'https://169.254.169.254/latest/meta-data/', 'url_ip_literal'],
  ])('refuses an Instagram attachment URL on %s before any request', async (_name, url, reason) => {
    const detail = await receive('instagram', 'image', [{ url: url(), attachmentType: 'image' }]);
    expect(await downloadMessageMedia(detail, deps)).toEqual({ outcome: 'refused', reason });
    expect(outsider.requests).toEqual([]);
    expect(await messageItem(detail)).toMatchObject({ mediaStatus: 'refused', mediaError: reason });
    expect(stored()).toHaveLength(0);
  });

  it('downloads only the image of a Messenger message that also holds a shared link and a location', async () => {
    // messenger4j's image + fallback + location payload, its placeholder URLs pointed at hosts we watch.
    const body = readConformanceJson('messenger', 'messenger4j-attachments-image-fallback-location.json');
    const message = body.entry[0].messaging[0].message;
    const picture = sim.registerMedia({ mimeType: 'image/png', bytes: PNG });
    message.attachments[0].payload.url = `${sim.url}/_sim/cdn/${picture.id}`;
    message.attachments[1].URL = `${sim.url}/_sim/cdn/${sim.registerMedia({ mimeType: 'text/html', bytes: Buffer.from('<p>a page</p>') }).id}`;
    message.attachments[2].payload.url = `${outsider.url}/map`;
    const content = messageContent(MessageSchema.parse(message));
    expect(content.type).toBe('image');
    expect(content.media).toHaveLength(2);

    const detail = await receive('messenger', content.type, content.media ?? []);
    const requested: string[] = [];
    const watched: typeof fetch = async (input, init) => {
      requested.push(new URL(String(input instanceof Request ? input.url : input)).pathname);
      return trackingFetch(input, init);
    };
    expect(await downloadMessageMedia(detail, { ...deps, fetch: watched })).toEqual({ outcome: 'stored', objects: 1, bytes: PNG.length });
    expect(requested).toEqual([`/_sim/cdn/${picture.id}`]);
    expect(outsider.requests).toEqual([]);
    expect(stored()).toHaveLength(1);
  });

  it('records a message whose attachments are links only as refused, without a request', async () => {
    const detail = await receive('instagram', 'image', [
      { url: `${outsider.url}/post`, attachmentType: 'share', caption: 'A post' },
      { url: `${outsider.url}/story`, attachmentType: 'story_mention' },
    ]);
    expect(await downloadMessageMedia(detail, deps)).toEqual({ outcome: 'refused', reason: 'not_a_file' });
    expect(outsider.requests).toEqual([]);
    expect(await messageItem(detail)).toMatchObject({ mediaStatus: 'refused', mediaError: 'not_a_file' });
  });

  it('does not guess which of several untyped references is a file', async () => {
    const picture = sim.registerMedia({ mimeType: 'image/png', bytes: PNG });
    const detail = await receive('messenger', 'image', [{ url: `${sim.url}/_sim/cdn/${picture.id}` }, { url: `${outsider.url}/link` }]);
    expect(await downloadMessageMedia(detail, deps)).toEqual({ outcome: 'refused', reason: 'not_a_file' });
    expect(outsider.requests).toEqual([]);
    expect(stored()).toHaveLength(0);
  });

  it('stores a file of a type a browser could run as application/octet-stream', async () => {
    const page = sim.registerMedia({ mimeType: 'text/html', bytes: Buffer.from('<script>alert(1)</script>') });
    const detail = await receive('messenger', 'file', [{ url: `${sim.url}/_sim/cdn/${page.id}`, mimeType: 'text/html' }]);
    expect(await downloadMessageMedia(detail, deps)).toMatchObject({ outcome: 'stored', objects: 1 });
    const item = await messageItem(detail);
    expect(item).toMatchObject({ mediaStatus: 'stored', mediaContentType: 'application/octet-stream' });
    expect(aws.s3.getObject(BUCKET, item.mediaS3Key as string).contentType).toBe('application/octet-stream');
  });
});
