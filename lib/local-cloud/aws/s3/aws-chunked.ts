import { AwsServiceError } from '#lib/local-cloud/aws/aws-error';

/**
 * The SDK uploads stream bodies with `Content-Encoding: aws-chunked`: hex-sized chunks (optionally
 * signed), a zero-size chunk, then trailing headers such as `x-amz-checksum-crc32`. Returns the
 * payload and the trailers.
 */
export function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let pos = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', pos);
    if (lineEnd < 0) throw malformed();
    const header = raw.subarray(pos, lineEnd).toString('latin1');
    const size = Number.parseInt(header.split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0) throw malformed();
    pos = lineEnd + 2;
    if (size === 0) break;
    if (pos + size > raw.length) throw malformed();
    parts.push(raw.subarray(pos, pos + size));
    pos += size;
    if (raw.subarray(pos, pos + 2).toString('latin1') !== '\r\n') throw malformed();
    pos += 2;
  }
  // Trailers: `name:value` lines up to an empty line (or the end).
  while (pos < raw.length) {
    const lineEnd = raw.indexOf('\r\n', pos);
    const line = raw.subarray(pos, lineEnd < 0 ? raw.length : lineEnd).toString('latin1');
    pos = lineEnd < 0 ? raw.length : lineEnd + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

function malformed(): AwsServiceError {
  return new AwsServiceError('IncompleteBody', 'The request body terminated unexpectedly', { statusCode: 400 });
}
