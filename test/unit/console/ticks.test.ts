import { describe, expect, it } from 'vitest';
import { tickOf } from '../../../console/src/lib/ticks.ts';

describe('delivery ticks', () => {
  it('shows one tick sent, two delivered, two read', () => {
    expect(tickOf({ direction: 'outbound', status: 'sent' })).toMatchObject({ state: 'sent', symbol: '✓', labelKey: 'ticks.sent' });
    expect(tickOf({ direction: 'outbound', status: 'delivered' })).toMatchObject({ state: 'delivered', symbol: '✓✓' });
    expect(tickOf({ direction: 'outbound', status: 'read' })).toMatchObject({ state: 'read', symbol: '✓✓', labelKey: 'ticks.read' });
    expect(tickOf({ direction: 'outbound', status: 'played' }).state).toBe('read');
  });

  it('explains a failure by Meta error code, else with Meta title', () => {
    expect(tickOf({ direction: 'outbound', status: 'failed', errorCode: 131047 })).toMatchObject({
      state: 'failed',
      errorKey: 'errors.meta.windowClosed',
      errorCode: 131047,
    });
    expect(tickOf({ direction: 'outbound', status: 'failed', errorCode: 190 }).errorKey).toBe('errors.meta.tokenExpired');
    const other = tickOf({ direction: 'outbound', status: 'failed', errorCode: 999999, errorTitle: 'Something new' });
    expect(other).toMatchObject({ errorKey: 'errors.meta.other', errorTitle: 'Something new' });
    expect(tickOf({ direction: 'outbound', status: 'failed', errorCode: '131047' as unknown as number }).errorCode).toBeUndefined();
  });

  it('draws nothing on customer messages and notes, a clock while sending', () => {
    expect(tickOf({ direction: 'inbound', status: 'read' }).state).toBe('none');
    expect(tickOf({ direction: 'outbound', type: 'note', status: 'sent' }).state).toBe('none');
    expect(tickOf({ direction: 'outbound', status: 'sending' }).state).toBe('pending');
    expect(tickOf({ direction: 'outbound' }).state).toBe('pending');
  });
});
