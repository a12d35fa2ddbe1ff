/**
 * RetCodes the simulator answers with. The platform and business codes are the ones in compshare-api.md; the codes
 * marked "simulator's choice" are not documented anywhere, so the simulator picks distinct values for them.
 */
export const RetCode = {
  OK: 0,
  MISSING_ACTION: 160,
  UNKNOWN_ACTION: 161,
  MISSING_SIGNATURE: 170,
  SIGNATURE_ERROR: 171,
  UNKNOWN_USER: 172,
  BAD_PARAMS: 230,
  UNKNOWN_PROJECT: 292,
  ZONE_LACKS_GPU_TYPE: 8333,
  RESOURCES_NOT_ENOUGH: 226604,
  /** Simulator's choice: a stop schedule was asked for a spot instance. */
  SPOT_NOT_SUPPORTED: 226607,
  /** Simulator's choice: Start/Stop asked of an instance in the wrong state. */
  INVALID_INSTANCE_STATE: 226608,
} as const;

/** A refusal an action answers with: the envelope carries `retCode` and `message`, HTTP stays 200. */
export class SimApiError extends Error {
  override readonly name = 'SimApiError';
  constructor(
    readonly retCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The gateway's wording for a bad or missing parameter, with an optional reason appended. */
export function paramError(name: string, reason?: string): SimApiError {
  const base = `Params [${name}] not available`;
  return new SimApiError(RetCode.BAD_PARAMS, reason ? `${base}: ${reason}` : base);
}
