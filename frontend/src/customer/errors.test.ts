import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError } from '../lib/http-client';
import { fieldMessages, problemOf, problemText } from './errors';

describe('the server error contract as sentences', () => {
  it('names nested fields of a 400 invalid', () => {
    const e = new ApiError(400, 'invalid', 'Some fields are not valid.', {
      lines: { '0': { cylinder_type: ['You have not bought this cylinder type from us; call the office.'] } },
      window_end: ['This window has already passed today.'],
    });
    expect(problemOf(e)).toEqual({
      code: 'invalid',
      detail: 'Some fields are not valid.',
      messages: ['Cylinders, line 1, cylinder type: You have not bought this cylinder type from us; call the office.', 'Window: This window has already passed today.'],
    });
  });
  it('shows the statement period error on its field', () => {
    const e = new ApiError(400, 'invalid', 'Invalid input.', { to: ['At most 370 days.'] });
    expect(problemText(e)).toBe('Invalid input. To: At most 370 days.');
  });
  it('a business refusal is its detail; no answer says so', () => {
    expect(problemText(new ApiError(409, 'order_planned', 'Already planned: call the office.'))).toBe('Already planned: call the office.');
    expect(problemOf(new NetworkError()).detail).toMatch(/No connection/);
    expect(fieldMessages({ non_field_errors: ['Bad.'] })).toEqual(['Bad.']);
  });
});
