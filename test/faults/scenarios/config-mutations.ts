import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/** A seed config: its name and text. */
export interface SeedConfig {
  name: string;
  text: string;
}

/** One mutated config on disk: what was done to which seed, and the path to give `--config`. */
export interface MutatedConfig {
  mutation: string;
  seed: string;
  path: string;
}

/** A seeded source of randomness (the simulator's mulberry32), so a failing case can be made again from its seed. */
export type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

type Path = ReadonlyArray<string | number>;
type Tree = Record<string, unknown> | unknown[];

/** Every place in a parsed config a value sits at (the root excluded), depth first. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...at, key], ...pathsOf(child, [...at, key])]);
}

function parentOf(root: unknown, path: Path): Tree {
  return path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root) as Tree;
}

function setAt(root: unknown, path: Path, value: unknown): void {
  (parentOf(root, path) as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}

function deleteAt(root: unknown, path: Path): void {
  const parent = parentOf(root, path);
  const key = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key as string];
}

const LONG_STRING = 'x'.repeat(100_000);
const NUMBERS = [1e308, -1, -1e9, 0, -0, 0.5, 2 ** 53 + 1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-300];
const WRONG_TYPES: unknown[] = [null, true, 'a string', 42, [], {}, [1, 'two'], { nested: { deeper: 1 } }];
const BAD_DURATIONS = ['10x', '-5s', '1e999s', '', '5', 'forever', '99999999999999999999h', '1.5.5m', 'P1D'];
const BAD_CRONS = ['*/70 * * * *', '* * *', '@yearly2', 'a b c d e f g', '60 * * * * *', '*/0 * * * *', '* * * * * * * *', ''];
const BAD_ZONES = ['Mars/Olympus', '', 'UTC+99', '../../etc/passwd', 'Asia/Shanghai\u0000'];
const UNICODE = ['🚀 GPU', '\u202eevil', 'zero\u200bwidth', 'ünïcødé', '\u0000', '\ud800', '名前'];

/** Mutations of the parsed tree: each changes one place of a seed and writes it back as YAML. */
const TREE_MUTATIONS: Record<string, (root: unknown, path: Path, random: Random) => void> = {
  'delete-key': (root, path) => deleteAt(root, path),
  'wrong-type': (root, path, random) => setAt(root, path, pick(random, WRONG_TYPES)),
  number: (root, path, random) => setAt(root, path, pick(random, NUMBERS)),
  'unknown-key': (root, path, random) => {
    const parent = parentOf(root, path);
    if (!Array.isArray(parent)) parent[pick(random, ['colour', 'schedul', 'prototype', 'constructor', '🚀', ''])] = 1;
  },
  duration: (root, path, random) => setAt(root, path, pick(random, BAD_DURATIONS)),
  cron: (root, path, random) => setAt(root, path, pick(random, BAD_CRONS)),
  timezone: (root, path, random) => setAt(root, path, pick(random, BAD_ZONES)),
  'long-string': (root, path) => setAt(root, path, LONG_STRING),
  unicode: (root, path, random) => setAt(root, path, pick(random, UNICODE)),
};

/** Which paths each tree mutation prefers (most of the time), so cron and timezone values land where they matter. */
const TARGETS: Record<string, RegExp> = {
  duration: /(timeout|every|after|interval|window|cooldown|retry|age|for|delay)/i,
  cron: /schedule|cron|at$/i,
  timezone: /timezone|tz/i,
  number: /(port|size|gpu|cpu|mem|max|min|count|price|budget|confirm|ms|seconds|days|limit)/i,
};

/** Mutations of the text itself: broken YAML, duplicate keys, bombs, odd bytes. */
const TEXT_MUTATIONS: Record<string, (text: string, random: Random) => string> = {
  truncate: (text, random) => text.slice(0, Math.floor(random() * text.length)),
  'broken-yaml': (text, random) => {
    const at = Math.floor(random() * text.length);
    return text.slice(0, at) + pick(random, ['\t', ': :', '[', '{', '"', "'", '\n  - ', '&', '*', '!!binary ', '%YAML 9\n', '\n---\n', '? ']) + text.slice(at);
  },
  'duplicate-key': (text, random) => {
    const lines = text.split('\n');
    const keyed = lines.map((line, index) => [line, index] as const).filter(([line]) => /^\s*[A-Za-z]\w*:/.test(line));
    if (keyed.length === 0) return `${text}\na: 1\na: 2\n`;
    const [line, index] = pick(random, keyed);
    lines.splice(index + 1, 0, line.replace(/^(\s*)- /, '$1  '));
    return lines.join('\n');
  },
  'billion-laughs': () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level++) {
      const name = String.fromCharCode(97 + level);
      const previous = String.fromCharCode(96 + level);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    return `${levels.join('\n')}\n`;
  },
  'alias-flood': () => `a: &a x\nb: [${Array(5000).fill('*a').join(',')}]\n`,
  'proto-key': (text) => `${text}\n__proto__: { polluted: 1 }\n`,
  'unknown-alias': (text) => `${text}\nextra: *nowhere\n`,
  'deep-nesting': (_text, random) => {
    const depth = pick(random, [1000, 10_000, 100_000]);
    return pick(random, [`${'['.repeat(depth)}${']'.repeat(depth)}`, `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`, `${'- '.repeat(depth)}x`]);
  },
  // 50,000 keys cost ~2 s of CPU (test/unit/config-limits.test.ts holds that size); most cases take fewer.
  'many-keys': (_text, random) => Array.from({ length: pick(random, [1000, 10_000, 50_000]) }, (_, index) => `k${index}: ${index}`).join('\n'),
  'huge-comment': () => `# ${'y'.repeat(8 * 1024 * 1024)}\n`,
  'binary-garbage': (_text, random) => Array.from({ length: 2000 }, () => String.fromCharCode(Math.floor(random() * 256))).join(''),
  'crlf-bom': (text) => `\ufeff${text.replaceAll('\n', '\r\n')}`,
  json: (text) => JSON.stringify(parsedOrText(text)),
  'unset-variable': (text) => text.replace(/: (\S+)/, ': ${UNSET_FUZZ_VARIABLE}'),
  'tag-abuse': (text) => `${text}\nodd: !!js/function "function () {}"\nset: !!set { a, b }\nbin: !!binary aGVsbG8=\n`,
  empty: () => '',
  'whitespace-only': () => ' \n\t\n   \n',
  'comments-only': () => '# nothing here\n# at all\n',
  'scalar-document': (_text, random) => pick(random, ['42', '"just a string"', 'null', '[]', '~', 'true']),
};

/** Mutations of the file system: the path is not a plain readable file. */
const FILE_MUTATIONS: Record<string, (dir: string) => string> = {
  directory: (dir) => {
    mkdirSync(join(dir, 'config-dir'));
    return join(dir, 'config-dir');
  },
  'symlink-loop': (dir) => {
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    return join(dir, 'loop-a');
  },
  missing: (dir) => join(dir, 'no-such-config.yaml'),
  'dangling-symlink': (dir) => {
    symlinkSync(join(dir, 'gone.yaml'), join(dir, 'dangling.yaml'));
    return join(dir, 'dangling.yaml');
  },
};

/** Every mutation's name, tree ones first: a run cycles through them so each kind is used about equally. */
export const MUTATIONS = [...Object.keys(TREE_MUTATIONS), ...Object.keys(TEXT_MUTATIONS), ...Object.keys(FILE_MUTATIONS)];

/**
 * Writes case `index` (mutation `MUTATIONS[index % length]` of a random seed) into `dir`, a fresh directory of its
 * own, and says what it is.
 */
export function writeMutation(index: number, seeds: readonly SeedConfig[], dir: string, random: Random): MutatedConfig {
  const mutation = MUTATIONS[index % MUTATIONS.length]!;
  const seed = pick(random, seeds);
  const file = FILE_MUTATIONS[mutation];
  if (file !== undefined) return { mutation, seed: '-', path: file(dir) };
  const path = join(dir, 'config.yaml');
  writeFileSync(path, mutatedText(mutation, seed.text, random));
  return { mutation, seed: seed.name, path };
}

function mutatedText(mutation: string, text: string, random: Random): string {
  const textMutation = TEXT_MUTATIONS[mutation];
  if (textMutation !== undefined) return textMutation(text, random);
  const root = parsedOrText(text);
  const paths = pathsOf(root);
  if (paths.length === 0) return text;
  const target = TARGETS[mutation];
  const preferred = target === undefined ? [] : paths.filter((path) => target.test(String(path[path.length - 1])));
  const path = preferred.length > 0 && random() < 0.8 ? pick(random, preferred) : pick(random, paths);
  TREE_MUTATIONS[mutation]!(root, path, random);
  return stringify(root);
}

/** The seed as data; a seed that is not valid YAML (one fixture is not, on purpose) is kept as its text. */
function parsedOrText(text: string): unknown {
  try {
    return parse(text) as unknown;
  } catch {
    return text;
  }
}
