import { describe, expect, it } from 'vitest';
import { EnvironmentError, GRAPH, OWN_QUEUE, readEnvironment, RETENTION, TABLE, variable } from '#lambdas/shared/handler-environment';

function problemsOf(read: () => unknown): readonly string[] {
  try {
    read();
  } catch (err) {
    expect(err).toBeInstanceOf(EnvironmentError);
    return (err as EnvironmentError).problems;
  }
  throw new Error('the environment was accepted');
}

describe('readEnvironment', () => {
  it('fails naming every variable that is missing or blank, all at once', () => {
    const schema = { ...TABLE, EVENT_BUS_NAME: variable.text(), SOMETHING_ELSE: variable.text() };
    const read = () => readEnvironment(schema, { EVENT_BUS_NAME: '   ', SOMETHING_ELSE: 'x' });
    expect(read).toThrow(/TABLE_NAME is not set; EVENT_BUS_NAME is not set$/);
    expect(problemsOf(read)).toEqual(['TABLE_NAME is not set', 'EVENT_BUS_NAME is not set']);
  });

  it('fails on a malformed value, naming the variable and what it expects but never the value', () => {
    const schema = {
      RETENTION_DAYS: variable.wholeNumber(1),
      QUEUE_URL: variable.url(),
      FLAG: variable.flag(),
      SETTING: variable.oneOf(['failed', 'all']),
      CLIENTS: variable.json((value) => {
        if (typeof value !== 'object' || value === null) throw new Error('expected an object');
        return value;
      }),
      MIN: variable.wholeNumber(5),
    };
    const problems = problemsOf(() =>
      readEnvironment(schema, { RETENTION_DAYS: '4O0', QUEUE_URL: 'ftp://secret-host/q', FLAG: 'yes', SETTING: 'some', CLIENTS: '{not json', MIN: '3' }),
    );
    expect(problems).toEqual([
      'RETENTION_DAYS: expected a whole number',
      'QUEUE_URL: expected an http(s) URL',
      'FLAG: expected true or false',
      'SETTING: expected one of failed, all',
      'CLIENTS: expected JSON',
      'MIN: expected at least 5',
    ]);
    expect(problems.join(' ')).not.toContain('secret-host');
    expect(
      problemsOf(() => readEnvironment(schema, { RETENTION_DAYS: '1', QUEUE_URL: 'https://q', FLAG: 'true', SETTING: 'all', CLIENTS: '42', MIN: '5' })),
    ).toEqual(['CLIENTS: expected an object']);
  });

  it('returns typed values: numbers, flags, lists, parsed JSON', () => {
    const env = readEnvironment(
      {
        ...TABLE,
        ...RETENTION,
        WAIT_MS: variable.wholeNumber(),
        LOOPBACK: variable.flag(),
        CLIENT_IDS: variable.list(),
        SETTING: variable.oneOf(['failed', 'all']),
        GRANTS: variable.json((value) => value as Record<string, { roles: string[] }>),
      },
      {
        TABLE_NAME: 'table',
        RETENTION_DAYS: ' 30 ',
        WAIT_MS: '0',
        LOOPBACK: 'true',
        CLIENT_IDS: ' a, ,b ',
        SETTING: 'all',
        GRANTS: '{"ops":{"roles":["admin"]}}',
      },
    );
    const retention: number = env.RETENTION_DAYS;
    const loopback: boolean = env.LOOPBACK;
    const setting: 'failed' | 'all' = env.SETTING;
    expect({ ...env }).toEqual({
      TABLE_NAME: 'table',
      RETENTION_DAYS: 30,
      WAIT_MS: 0,
      LOOPBACK: true,
      CLIENT_IDS: ['a', 'b'],
      SETTING: 'all',
      GRANTS: { ops: { roles: ['admin'] } },
    });
    expect([retention, loopback, setting]).toEqual([30, true, 'all']);
  });

  it('uses the default for a missing or blank variable, and leaves an optional one undefined', () => {
    const schema = { ...RETENTION, ...GRAPH, ...OWN_QUEUE, LIMIT: variable.wholeNumber(1).default(16) };
    const env = readEnvironment(schema, { RETENTION_DAYS: '', GRAPH_API_VERSION: 'v99.0' });
    const queueUrl: string | undefined = env.QUEUE_URL;
    expect(env.RETENTION_DAYS).toBe(400);
    expect(env.GRAPH_API_BASE_URL).toBe('https://graph.facebook.com');
    expect(env.GRAPH_API_VERSION).toBe('v99.0');
    expect(queueUrl).toBeUndefined();
    expect(env.LIMIT).toBe(16);
    // A default does not excuse a malformed value.
    expect(problemsOf(() => readEnvironment(schema, { LIMIT: '-1' }))).toEqual(['LIMIT: expected a whole number']);
  });

  it('reads only the variables of the schema, from process.env unless given', () => {
    process.env.HANDLER_ENVIRONMENT_TEST = 'from process';
    try {
      const env = readEnvironment({ HANDLER_ENVIRONMENT_TEST: variable.text() });
      expect(env).toEqual({ HANDLER_ENVIRONMENT_TEST: 'from process' });
    } finally {
      delete process.env.HANDLER_ENVIRONMENT_TEST;
    }
    expect(Object.keys(readEnvironment({ ...TABLE }, { TABLE_NAME: 't', OTHER: 'x' }))).toEqual(['TABLE_NAME']);
  });
});
