/** Whether this machine stores numbers little-endian, as the database's blobs do (x64 and arm64 do). */
const NATIVE_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * `count` little-endian uint32s of `bytes` from `offset`: a view without copying where the machine is
 * little-endian and the bytes are aligned (as SQLite's blobs come), else a copy read value by value.
 */
export function uint32sLE(bytes: Buffer, offset: number, count: number): Uint32Array {
  if (NATIVE_LITTLE_ENDIAN && (bytes.byteOffset + offset) % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset + offset, count);
  return Uint32Array.from({ length: count }, (_, index) => bytes.readUInt32LE(offset + 4 * index));
}

/** Like uint32sLE, for int32s. */
export function int32sLE(bytes: Buffer, offset: number, count: number): Int32Array {
  if (NATIVE_LITTLE_ENDIAN && (bytes.byteOffset + offset) % 4 === 0) return new Int32Array(bytes.buffer, bytes.byteOffset + offset, count);
  return Int32Array.from({ length: count }, (_, index) => bytes.readInt32LE(offset + 4 * index));
}
