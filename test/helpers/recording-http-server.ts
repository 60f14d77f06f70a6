import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  /** The Authorization header, when the request carried one. */
  authorization?: string;
}

export interface RecordingHttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request received, in order; tests may empty it. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on a free local port that records every request and answers with `answer`. */
export async function startRecordingHttpServer(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<RecordingHttpServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
    });
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
