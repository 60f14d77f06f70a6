import { describe, expect, it } from 'vitest';
import { mediaUrlPolicy } from '#lambdas/media/media-url-policy';

const production = mediaUrlPolicy('https://graph.facebook.com');
const local = mediaUrlPolicy('http://127.0.0.1:4010');

describe('media URL policy', () => {
  it.each([
    ['https://scontent.xx.fbcdn.net/v/arst', false],
    ['https://scontent-iad3-1.xx.fbcdn.net/m1/v/t6/An-H7T8?ccb=10-5&oh=00_Af', false],
    ['https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17997515821557846&signature=Abyo', true],
    ['https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1228169767822607&ext=16772107977&hash=ATs5', true],
    ['https://LOOKASIDE.FBSBX.COM/whatsapp_business/attachments/?mid=1', true],
    ['https://cdn.fbsbx.com/v/t59.2708-21/file.pdf', false],
    ['https://scontent-lhr8-1.cdninstagram.com/v/t51.2885-15/image.jpg', false],
    ['https://graph.facebook.com/v23.0/1234', true],
  ])('allows %s (token: %s)', (url, tokenAllowed) => {
    expect(production.check(url)).toMatchObject({ allowed: true, tokenAllowed });
  });

  it.each([
    ['https://evil.com/fbcdn.net', 'url_host_not_allowed'],
    ['https://evil.com/?u=https://scontent.xx.fbcdn.net/x', 'url_host_not_allowed'],
    ['https://fbcdn.net.evil.com/x', 'url_host_not_allowed'],
    ['https://lookaside.fbsbx.com.evil.com/x', 'url_host_not_allowed'],
    ['https://evilfbcdn.net/x', 'url_host_not_allowed'],
    ['https://fbcdn.net/x', 'url_host_not_allowed'],
    ['https://scontent.xx.fbcdn.net./x', 'url_host_not_allowed'],
    ['https://graph.facebook.com.evil.com/x', 'url_host_not_allowed'],
    ['https://www.example.com/test.jpeg', 'url_host_not_allowed'],
    ['https://lookaside.fbsbx.com@evil.com/x', 'url_has_credentials'],
    ['https://user:pass@scontent.xx.fbcdn.net/x', 'url_has_credentials'],
    ['https://lookaside.fbsbx.com:@evil.com/x', 'url_has_credentials'],
    ['http://scontent.xx.fbcdn.net/v/arst', 'url_not_https'],
    ['http://image.url', 'url_not_https'],
    ['file:///etc/passwd', 'url_not_https'],
    ['ftp://lookaside.fbsbx.com/x', 'url_not_https'],
    ['data:text/html,<script>alert(1)</script>', 'url_not_https'],
    ['https://169.254.169.254/latest/meta-data/', 'url_ip_literal'],
    ['https://127.0.0.1/x', 'url_ip_literal'],
    ['https://2130706433/x', 'url_ip_literal'],
    ['https://0x7f000001/x', 'url_ip_literal'],
    ['https://[::1]/x', 'url_ip_literal'],
    ['https://[::ffff:169.254.169.254]/x', 'url_ip_literal'],
    ['https://scontent.xx.fbcdn.net:8443/x', 'url_port_not_allowed'],
    ['/reel/123451234512345/', 'url_unreadable'],
    ['IMAGE_URL', 'url_unreadable'],
    ['<URL_OF_THE_ATTACHMENT>', 'url_unreadable'],
    ['', 'url_unreadable'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(production.check(url)).toEqual({ allowed: false, reason });
  });

  it('lets the configured Graph origin through exactly, http included, and nothing else on that host', () => {
    expect(local.check('http://127.0.0.1:4010/_sim/cdn/123')).toMatchObject({ allowed: true, tokenAllowed: true });
    expect(local.check('http://127.0.0.1:4011/_sim/cdn/123')).toEqual({ allowed: false, reason: 'url_not_https' });
    expect(local.check('https://127.0.0.1:4010/x')).toEqual({ allowed: false, reason: 'url_ip_literal' });
    expect(local.check('http://localhost:4010/x')).toEqual({ allowed: false, reason: 'url_not_https' });
    expect(local.check('http://evil@127.0.0.1:4010/x')).toEqual({ allowed: false, reason: 'url_has_credentials' });
    // Meta's CDNs stay allowed beside the simulator.
    expect(local.check('https://scontent.xx.fbcdn.net/v/arst')).toMatchObject({ allowed: true, tokenAllowed: false });
  });

  it('trusts no extra origin when the Graph base URL is unreadable', () => {
    const broken = mediaUrlPolicy('not a url');
    expect(broken.check('http://127.0.0.1:4010/x')).toEqual({ allowed: false, reason: 'url_not_https' });
  });
});
