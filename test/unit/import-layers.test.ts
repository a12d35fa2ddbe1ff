import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/** `import ... from '...'`, `import '...'`, `export ... from '...'` and `import('...')`, types included. */
const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level folder under src/ a file belongs to; a file directly in src/ is a unit of its own. */
function unitOf(path: string): string {
  return relative(SRC, path).split(sep)[0] ?? '';
}

/** Every `from -> to` between top-level units, with one file that makes it, for the failure message. */
function unitImports(): Map<string, string> {
  const edges = new Map<string, string>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const [, specifier = ''] of text.matchAll(SPECIFIER)) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
      const from = unitOf(file);
      const to = unitOf(target);
      if (from !== to) edges.set(`${from}->${to}`, relative(SRC, file));
    }
  }
  return edges;
}

/** Pairs of units that import each other, as `a<->b (a/file.ts; b/file.ts)`. */
function folderCycles(edges: Map<string, string>): Map<string, string> {
  const cycles = new Map<string, string>();
  for (const [edge, file] of edges) {
    const [from = '', to = ''] = edge.split('->');
    const back = edges.get(`${to}->${from}`);
    if (back !== undefined && from < to) cycles.set(`${from}<->${to}`, `${file}; ${back}`);
  }
  return cycles;
}

describe('folders under src/', () => {
  it('finds the imports it checks (a broken pattern would pass every time)', () => {
    const edges = unitImports();
    expect(edges.get('cli->config')).toBeDefined();
    expect(edges.get('notify->schema')).toBeDefined();
    expect(edges.get('compshare->version.ts')).toBe('compshare/from-config.ts');
  });

  it('never import each other', () => {
    const cycles = [...folderCycles(unitImports())].map(([pair, files]) => `${pair} (${files})`);
    expect(cycles, 'folders that import each other').toEqual([]);
  });

  it('keep the shared field helpers in a leaf: schema/ imports only util/', () => {
    const targets = [...unitImports().keys()].filter((edge) => edge.startsWith('schema->')).map((edge) => edge.slice(8));
    expect(targets.filter((target) => target !== 'util')).toEqual([]);
  });
});
