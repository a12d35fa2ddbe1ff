import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { migrations } from '../../src/store/migrations/index.js';

/**
 * The SQL of every released migration, by version. A database that applied a migration never applies it again,
 * so editing one in place changes nothing for existing users and splits the schema in two: a change is a new
 * migration. Adding a migration means adding its checksum here (this test fails until then).
 */
const RELEASED_SHA256: Record<number, string> = {
  1: 'ef5d009e5addb378f5753251c2e054df5dad1d6d1bce8626358995e297cf10bd',
  2: '4d5c4395e0c89a4cbf730ee405cadb507aed8a3bc86d0bb1ab01d4680fa803ed',
  3: '59e9dad08bbbb7109389b584beb5320ea82c0438d82cdb1bddb49d4e157873e2',
  4: 'cf307426fb6d28ee590623023a5494e86382f6096acec6b793833e9661095dbf',
  5: 'ae4387c11651bc449d3ba6f9bcb2b9f9a0f5454e0371bfa3d5f8200f0343d76f',
  6: 'e7bef46c1b04727eac7e3e9291529d7a840c65f31f38d5fb1f7479460445d78c',
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('migrations', () => {
  it('are released unchanged: each one has the checksum it was released with', () => {
    const actual = Object.fromEntries(migrations.map((migration) => [migration.version, sha256(migration.sql)]));
    expect(actual).toEqual(RELEASED_SHA256);
  });

  it('are registered exactly as the files in src/store/migrations (NNN-name.ts, in order)', () => {
    const folder = new URL('../../src/store/migrations/', import.meta.url);
    const files = readdirSync(folder)
      .filter((file) => file !== 'index.ts')
      .sort();
    expect(files.every((file) => /^\d{3}-[a-z0-9-]+\.ts$/.test(file))).toBe(true);
    expect(migrations.map((migration) => `${String(migration.version).padStart(3, '0')}-${migration.name}.ts`)).toEqual(files);
  });
});
