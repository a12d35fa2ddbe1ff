import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notifierConfigSchema } from '../../src/notify/channels/index.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const SECRET = 'auth-code-SECRET-42';

function parse(smtp: Record<string, unknown>) {
  return notifierConfigSchema.safeParse({ type: 'email', smtp: { host: 'smtp.qq.com', user: 'me@qq.com', ...smtp }, from: 'me@qq.com', to: ['me@qq.com'] });
}

describe('email smtp.passFile (systemd LoadCredential=)', () => {
  it('takes the password from the first line of the file', () => {
    const file = join(tempDir(), 'smtp-pass');
    writeFileSync(file, `${SECRET}\n`);
    const parsed = parse({ passFile: file });
    expect(parsed.success && parsed.data).toMatchObject({ smtp: { pass: SECRET, user: 'me@qq.com' } });
  });

  it('names the path of a missing or empty file, never its content', () => {
    const missing = parse({ passFile: join(tempDir(), 'nope') });
    expect(missing.success).toBe(false);
    expect(JSON.stringify(missing.error?.issues)).toMatch(/cannot read .*nope: ENOENT/);
    const empty = join(tempDir(), 'empty');
    writeFileSync(empty, '\n');
    expect(JSON.stringify(parse({ passFile: empty }).error?.issues)).toContain('is empty');
  });

  it('refuses pass and passFile together', () => {
    const file = join(tempDir(), 'smtp-pass');
    writeFileSync(file, SECRET);
    const both = parse({ pass: 'x', passFile: file });
    expect(JSON.stringify(both.error?.issues)).toContain('set pass or passFile, not both');
    expect(JSON.stringify(both.error?.issues)).not.toContain(SECRET);
  });
});
