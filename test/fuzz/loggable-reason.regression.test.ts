import { describe, expect, it } from 'vitest';
import { loggableReason } from '#lambdas/ingress/loggable-reason';

// Found by the log-privacy end-to-end test: `unknown_object:<the body's object>` was logged as is,
// so a signed body whose `object` held a name and a phone number put both in the logs.
describe('quarantine reasons in logs', () => {
  it('drops provider text quoted in a reason and keeps our own suffixes', () => {
    expect(loggableReason('unknown_object:Ottoline Vexmoor 15557310077')).toBe('unknown_object');
    expect(loggableReason('unknown_object:15557310077')).toBe('unknown_object');
    expect(loggableReason('split_failed:TypeError')).toBe('split_failed:TypeError');
    expect(loggableReason('unroutable:whatsapp:change')).toBe('unroutable:whatsapp:change');
    expect(loggableReason('schema:instagram.message')).toBe('schema:instagram.message');
    expect(loggableReason('weird:a b@c')).toBe('weird');
    expect(loggableReason(undefined)).toBe('unknown');
  });
});
