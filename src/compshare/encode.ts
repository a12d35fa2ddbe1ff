/**
 * Flattening and stringification of request parameters exactly as the official UCloud SDKs send them:
 * lists become `Key.i` (0-based), objects `Key.Field`, recursively; null/undefined and empty lists send nothing.
 */

export type ParamValue = string | number | boolean | null | undefined | ParamValue[] | { [key: string]: ParamValue };
export type Params = Record<string, ParamValue>;

/** Booleans in lower case, integral numbers without a fraction, other numbers in plain decimal (never exponent). */
export function encodeScalar(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) throw new RangeError(`cannot encode non-finite number ${value}`);
  if (Number.isInteger(value)) return BigInt(value).toString();
  const plain = String(value);
  if (!/e/i.test(plain)) return plain;
  return value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/** Flattens nested params into the wire's `Key.i.Field` form. */
export function flattenParams(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (prefix: string, value: ParamValue): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(`${prefix}.${index}`, item));
    } else if (typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) visit(`${prefix}.${key}`, inner);
    } else {
      out[prefix] = encodeScalar(value);
    }
  };
  for (const [key, value] of Object.entries(params)) visit(key, value);
  return out;
}

/** The urlencoded body for flattened params. */
export function formBody(flat: Record<string, string>): string {
  return new URLSearchParams(flat).toString();
}
