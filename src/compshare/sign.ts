import { createHash } from 'node:crypto';

/**
 * The UCloud gateway signature: SHA-1 (lower-case hex) over every `key + value` pair sorted by key code point,
 * concatenated without separators or escaping, followed by the private key. `Signature` itself is excluded.
 */
export function computeSignature(flatParams: Record<string, string>, privateKey: string): string {
  // The default sort compares UTF-16 code units: plain ordinal order (not locale order), so `Backends.10` sorts
  // before `Backends.2`; keys are ASCII. One string and one update: every poll signs, and each update() call
  // crosses into native code (one per pair cost about as much as the hash itself).
  const keys = Object.keys(flatParams).filter((key) => key !== 'Signature').sort();
  let text = '';
  for (const key of keys) text += key + flatParams[key];
  return createHash('sha1').update(text + privateKey, 'utf8').digest('hex');
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
