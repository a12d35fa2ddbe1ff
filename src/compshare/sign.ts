import { createHash } from 'node:crypto';

/**
 * The UCloud gateway signature: SHA-1 (lower-case hex) over every `key + value` pair sorted by key code point,
 * concatenated without separators or escaping, followed by the private key. `Signature` itself is excluded.
 */
export function computeSignature(flatParams: Record<string, string>, privateKey: string): string {
  const keys = Object.keys(flatParams)
    .filter((key) => key !== 'Signature')
    .sort(compareCodePoints);
  const hash = createHash('sha1');
  for (const key of keys) hash.update(key + flatParams[key], 'utf8');
  hash.update(privateKey, 'utf8');
  return hash.digest('hex');
}

/** Adds `PublicKey` and `Signature` to already flattened params. */
export function signParams(
  flatParams: Record<string, string>,
  publicKey: string,
  privateKey: string,
): Record<string, string> {
  const withKey = { ...flatParams, PublicKey: publicKey };
  return { ...withKey, Signature: computeSignature(withKey, privateKey) };
}

/** Plain ordinal order (not locale order), so `Backends.10` sorts before `Backends.2`; keys are ASCII. */
function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
