import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isValidMetaSignature, signMetaBody } from '#lambdas/ingress/verify-signature';
import { readConformance, readConformanceJson } from '#test/helpers/conformance';

describe('X-Hub-Signature-256 verification', () => {
  it('accepts the signed WhatsApp body published by pywa, byte for byte', () => {
    const triple = readConformanceJson('verification', 'pywa-signature-triple.json');
    const body = Buffer.from(readConformance('verification', 'pywa-signed-whatsapp-text.body.json'));
    expect(body.toString()).toBe(triple.request_body);
    expect(isValidMetaSignature(body, triple.x_hub_signature_256_header, triple.app_secret)).toBe(true);
  });

  it("accepts the WhatsApp Node.js SDK's known signature", () => {
    const triple = readConformanceJson('verification', 'whatsapp-nodejs-sdk-signature-triple.json');
    expect(isValidMetaSignature(Buffer.from(triple.request_body), triple.x_hub_signature_256_header, triple.app_secret)).toBe(true);
  });

  it('refuses the legacy SHA-1 header form even when its HMAC is right', () => {
    const triple = readConformanceJson('verification', 'messenger4j-sha1-signature-triple.json');
    const body = Buffer.from(triple.request_body);
    expect(isValidMetaSignature(body, triple.x_hub_signature_header, triple.app_secret)).toBe(false);
  });

  it('refuses a body changed by one byte, a wrong secret, and malformed headers', () => {
    const triple = readConformanceJson('verification', 'pywa-signature-triple.json');
    const body = Buffer.from(triple.request_body);
    const tampered = Buffer.from(triple.request_body.replace('Hey there', 'Hey therf'));
    expect(isValidMetaSignature(tampered, triple.x_hub_signature_256_header, triple.app_secret)).toBe(false);
    expect(isValidMetaSignature(body, triple.x_hub_signature_256_header, 'other-secret')).toBe(false);
    for (const header of [undefined, '', 'sha256=', 'sha256=zz', 'sha256=invalid_signature_here', triple.x_hub_signature_256_header.slice(0, -2)]) {
      expect(isValidMetaSignature(body, header, triple.app_secret)).toBe(false);
    }
  });

  it('checks the exact bytes: re-serialised JSON with escaped non-ASCII would not verify', () => {
    const secret = 's3cret';
    const raw = Buffer.from('{"text":"\\u00e1rbol \\ud83d\\ude00"}');
    const header = signMetaBody(raw, secret);
    expect(isValidMetaSignature(raw, header, secret)).toBe(true);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(isValidMetaSignature(reserialised, header, secret)).toBe(false);
    expect(header).toBe(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  });

  it('accepts an upper-case hex digest and surrounding whitespace', () => {
    const raw = Buffer.from('{"object":"page"}');
    const header = signMetaBody(raw, 'k');
    expect(isValidMetaSignature(raw, ` sha256=${header.slice(7).toUpperCase()} `, 'k')).toBe(true);
  });
});
