import { describe, expect, it } from 'vitest';
import { matches, parseSoql, SoqlError } from '#lib/local-cloud/crm-simulator/salesforce-soql';
import { soqlString } from '#lambdas/integrations/lookup/salesforce-lookup';

describe('the simulator’s SOQL', () => {
  it('parses selects with AND, OR, NOT, parentheses, IN, LIKE, ORDER BY and LIMIT', () => {
    const q = parseSoql(
      "select Id, Name from Contact where (Phone = '+1' or MobilePhone = '+1') and not LastName in ('a', 'b') and Email like '%@x.com' order by CreatedDate desc nulls last limit 3",
    );
    expect(q).toMatchObject({ fields: ['Id', 'Name'], object: 'Contact', orderBy: { field: 'CreatedDate', descending: true }, limit: 3 });
    expect(matches({ Phone: '+1', LastName: 'c', Email: 'ANA@x.com' }, q.where)).toBe(true);
    expect(matches({ Phone: '+1', LastName: 'A', Email: 'ana@x.com' }, q.where)).toBe(false);
    expect(matches({ Phone: '+2', LastName: 'c', Email: 'ana@x.com' }, q.where)).toBe(false);
  });

  it('reads SOQL escapes in literals and refuses any other', () => {
    const q = parseSoql(`SELECT Id FROM Contact WHERE LastName = 'O\\'Brien \\\\ \\"x\\" \\n'`);
    expect(q.where).toEqual({ kind: 'compare', field: 'LastName', op: '=', value: 'O\'Brien \\ "x" \n' });
    expect(() => parseSoql("SELECT Id FROM Contact WHERE LastName = 'a\\qb'")).toThrow(SoqlError);
    expect(() => parseSoql("SELECT Id FROM Contact WHERE LastName = 'open")).toThrow(/unterminated/);
    expect(() => parseSoql('SELECT Id FROM Contact WHERE')).toThrow(SoqlError);
    expect(() => parseSoql("SELECT Id FROM Contact WHERE LastName = 'a' LIMIT 1 DROP")).toThrow(SoqlError);
  });

  it('round-trips every hostile value through soqlString as exactly that value', () => {
    const values = ["' OR Id != '", "\\' OR '1' = '1", 'a\\', "\\\\'", '"; DELETE', 'line\nbreak\r\t\b\f', "%_'"];
    for (const value of values) {
      const q = parseSoql(`SELECT Id FROM Contact WHERE LastName = ${soqlString(value)}`);
      expect(q.where).toEqual({ kind: 'compare', field: 'LastName', op: '=', value });
    }
    expect(soqlString('a\u0000b\u001Fc')).toBe("'abc'");
  });
});
