import { describe, expect, it } from 'vitest';
import {
  ClientClosedError,
  HttpStatusError,
  MalformedResponseError,
  NetworkError,
  RetCodeError,
  TimeoutError,
  type CompshareError,
} from '../../src/compshare/errors.js';
import { classifyCreateError } from '../../src/provision/create-outcome.js';

const ACTION = 'CreateCompShareInstance';
const retCode = (code: number) => new RetCodeError(ACTION, code, `simulated ${code}`, 'uuid-1');

describe('classifyCreateError', () => {
  const definite: Array<[string, CompshareError, 'lost-race' | 'paused' | 'refused', number | null]> = [
    ['226604 resources not enough: lost the race', retCode(226604), 'lost-race', 226604],
    ['226601 arrears: pause', retCode(226601), 'paused', 226601],
    ['226606 not verified: pause', retCode(226606), 'paused', 226606],
    ['another RetCode (a bad param)', retCode(230), 'refused', 230],
    ['HTTP 400', new HttpStatusError(ACTION, 400, undefined), 'refused', null],
    ['HTTP 499, the top of 4xx', new HttpStatusError(ACTION, 499, undefined), 'refused', null],
    ['a closed client (nothing was sent)', new ClientClosedError(ACTION), 'refused', null],
  ];
  it.each(definite)('%s is definite: nothing was created', (_, error, failure, code) => {
    expect(classifyCreateError(error)).toMatchObject({ outcome: 'definite', failure, retCode: code });
  });

  const ambiguous: Array<[string, CompshareError]> = [
    ['a timeout', new TimeoutError(ACTION, 500)],
    ['a connection reset', new NetworkError(ACTION, 'ECONNRESET')],
    ['HTTP 500, the bottom of 5xx', new HttpStatusError(ACTION, 500, undefined)],
    ['HTTP 503', new HttpStatusError(ACTION, 503, undefined)],
    ['a malformed answer', new MalformedResponseError(ACTION, 'unexpected end of JSON', undefined)],
    ['RetCode 110 (no answer from behind the gateway)', retCode(110)],
    ['RetCode 130', retCode(130)],
    ['RetCode 150', retCode(150)],
  ];
  it.each(ambiguous)('%s is ambiguous: the instance may exist and is looked for by name', (_, error) => {
    expect(classifyCreateError(error)).toMatchObject({ outcome: 'ambiguous' });
  });

  it('says in words why an account problem pauses the provisioner', () => {
    expect(classifyCreateError(retCode(226601))).toMatchObject({ reason: expect.stringContaining('arrears') });
    expect(classifyCreateError(retCode(226606))).toMatchObject({ reason: expect.stringContaining('verified') });
  });
});
