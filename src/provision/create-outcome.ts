import { ClientClosedError, CompshareError, HttpStatusError, RetCodeError } from '../compshare/errors.js';

/** RetCodes of Create that have a meaning of their own (compshare-api.md). */
export const CREATE_RETCODES = {
  arrears: 226601,
  resourcesNotEnough: 226604,
  unverified: 226606,
} as const;

/** Platform RetCodes that say the gateway did not get an answer from behind it: the create may have happened. */
const AMBIGUOUS_RETCODES = new Set([110, 130, 150]);

/**
 * What a failed Create means for the ledger. `definite`: it was refused, nothing was created (`lost-race` when the
 * capacity went to someone else, `paused` when the account cannot buy). `ambiguous`: the answer was lost, so the
 * instance may exist and is looked for by name.
 */
export type CreateFailure =
  | { outcome: 'definite'; failure: 'lost-race' | 'paused' | 'refused'; retCode: number | null; reason: string }
  | { outcome: 'ambiguous'; reason: string };

export function classifyCreateError(error: CompshareError): CreateFailure {
  if (error instanceof ClientClosedError) return { outcome: 'definite', failure: 'refused', retCode: null, reason: error.message };
  if (error instanceof RetCodeError) {
    if (AMBIGUOUS_RETCODES.has(error.retCode)) return { outcome: 'ambiguous', reason: error.message };
    if (error.retCode === CREATE_RETCODES.resourcesNotEnough) {
      return { outcome: 'definite', failure: 'lost-race', retCode: error.retCode, reason: 'sold out again before the create reached it (RetCode 226604, resources not enough)' };
    }
    if (error.retCode === CREATE_RETCODES.arrears || error.retCode === CREATE_RETCODES.unverified) {
      const what = error.retCode === CREATE_RETCODES.arrears ? 'the account is in arrears' : 'the account is not real-name verified';
      return { outcome: 'definite', failure: 'paused', retCode: error.retCode, reason: `${what} (${error.message})` };
    }
    return { outcome: 'definite', failure: 'refused', retCode: error.retCode, reason: error.message };
  }
  // A 4xx is the gateway refusing the request itself; a 5xx may come from behind it after the create happened.
  if (error instanceof HttpStatusError && error.status < 500) {
    return { outcome: 'definite', failure: 'refused', retCode: null, reason: error.message };
  }
  return { outcome: 'ambiguous', reason: error.message };
}
