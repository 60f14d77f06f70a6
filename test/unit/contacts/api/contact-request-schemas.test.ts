import { describe, expect, it } from 'vitest';
import {
  attributesBodySchema,
  contactIdSchema,
  linkIdentityBodySchema,
  mergeBodySchema,
  searchQuerySchema,
  tagsBodySchema,
} from '#lambdas/contacts/api/contact-request-schemas';
import { CONTACTS_AGENT_ROUTES as C, contactPath, matchContactRoute } from '#lambdas/contacts/api/contacts-api-contract';

const ID = 'c_01HZX7Q2K8M4N6P8R0T2V4W6Y8';
const OTHER = 'c_01HZX7Q2K8M4N6P8R0T2V4W6Y9';

describe("the contacts routes' requests", () => {
  it('brings identities typed by people to the form the channels use', () => {
    const parsed = (kind: string, value: string, accountId?: string) => linkIdentityBodySchema.safeParse({ kind, value, ...(accountId ? { accountId } : {}) });
    expect(parsed('phone', '+55 (11) 98765-4321').data?.value).toBe('+5511987654321');
    expect(parsed('phone', '0044 7700 900123').data?.value).toBe('+447700900123');
    expect(parsed('whatsapp', '+55 11 98765-4321').data?.value).toBe('5511987654321');
    expect(parsed('whatsapp_bsuid', 'BR.1502576394655843').data?.value).toBe('BR.1502576394655843');
    expect(parsed('instagram', '17841400000001', '17841').data).toMatchObject({ kind: 'instagram', value: '17841400000001', accountId: '17841' });
  });

  it('refuses identities that are not what their kind says, with the field named', () => {
    const issue = (body: Record<string, unknown>) => linkIdentityBodySchema.safeParse({ ...body }).error?.issues[0]?.path.join('.');
    expect(issue({ kind: 'phone', value: '12' })).toBe('value');
    expect(issue({ kind: 'phone', value: '+5511987654321', accountId: '100' })).toBe('accountId');
    expect(issue({ kind: 'instagram', value: '123' })).toBe('accountId');
    expect(issue({ kind: 'whatsapp', value: 'not digits' })).toBe('value');
    expect(issue({ kind: 'messenger', value: '1', accountId: 'a/b' })).toBe('accountId');
    expect(issue({ kind: 'fax', value: '1' })).toBe('kind');
    expect(issue({ kind: 'phone', value: '+5511987654321', note: 'extra' })).toBe('');
  });

  it('bounds searches, tags and attribute changes', () => {
    expect(searchQuerySchema.safeParse({ q: ' María ', limit: '10' }).data).toEqual({ q: 'María', limit: 10 });
    expect(searchQuerySchema.safeParse({ q: 'x'.repeat(101) }).success).toBe(false);
    expect(searchQuerySchema.safeParse({ q: 'x', limit: '51' }).success).toBe(false);
    expect(tagsBodySchema.safeParse({ add: ['VIP '] }).data).toEqual({ add: ['vip'], remove: [] });
    expect(tagsBodySchema.safeParse({}).success).toBe(false);
    expect(tagsBodySchema.safeParse({ add: Array.from({ length: 51 }, (_, i) => `t${i}`) }).success).toBe(false);
    expect(attributesBodySchema.safeParse({ attributes: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 1])) }).success).toBe(false);
    expect(attributesBodySchema.safeParse({ attributes: { note: 'x'.repeat(501) } }).success).toBe(false);
    expect(attributesBodySchema.safeParse({ attributes: { nested: { a: 1 } } }).success).toBe(false);
  });

  it('accepts only our own contact ids', () => {
    expect(mergeBodySchema.safeParse({ otherContactId: OTHER }).success).toBe(true);
    for (const id of ['c_short', 'x_01HZX7Q2K8M4N6P8R0T2V4W6Y8', `${ID}#`, 'c_01HZX7Q2K8M4N6P8R0T2V4W6YU']) {
      expect(contactIdSchema.safeParse(id).success, id).toBe(false);
      expect(mergeBodySchema.safeParse({ otherContactId: id }).success, id).toBe(false);
    }
    expect(contactIdSchema.safeParse(ID).success).toBe(true);
  });

  it('fills paths in and reads them back, one segment per variable', () => {
    const key = 'wa:100:5511987654321';
    expect(contactPath(C.ofConversation, { key })).toBe('/agent/conversations/wa%3A100%3A5511987654321/contact');
    expect(matchContactRoute(Object.values(C), 'GET', contactPath(C.ofConversation, { key }))).toEqual({ route: C.ofConversation, params: { key } });
    // API Gateway may hand the path over decoded: the same key.
    expect(matchContactRoute(Object.values(C), 'GET', `/agent/conversations/${key}/contact`)?.params).toEqual({ key });
    expect(matchContactRoute(Object.values(C), 'PUT', contactPath(C.tags, { contactId: ID }))).toEqual({ route: C.tags, params: { contactId: ID } });
    expect(matchContactRoute(Object.values(C), 'GET', '/agent/contacts')?.route).toBe(C.search);
    expect(matchContactRoute(Object.values(C), 'PATCH', `/agent/contacts/${ID}`)?.route).toBe(C.rename);
    for (const [method, path] of [
      ['GET', `/agent/contacts/${ID}/tags`],
      ['DELETE', `/agent/contacts/${ID}`],
      ['GET', '/agent/contacts/a/b'],
      ['GET', '/agent/conversations//contact'],
    ]) {
      expect(matchContactRoute(Object.values(C), method!, path!), `${method} ${path}`).toBeUndefined();
    }
    // A variable that is not valid URL-encoding is kept as it came, for its check to refuse.
    expect(matchContactRoute(Object.values(C), 'GET', '/agent/contacts/%E0%A4%A')?.params).toEqual({ contactId: '%E0%A4%A' });
  });
});
