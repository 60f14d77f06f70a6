/**
 * Meta gives a file's SHA-256 in hex in the media URL answer and in base64 in the webhook; either
 * is accepted. A digest in neither form cannot be checked, so it does not fail the file.
 */
export function digestMatches(expected: string, actual: Buffer): 'match' | 'mismatch' | 'unreadable' {
  const text = expected.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return text.toLowerCase() === actual.toString('hex') ? 'match' : 'mismatch';
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return bytes.equals(actual) ? 'match' : 'mismatch';
  return 'unreadable';
}
