import { readFile } from 'node:fs/promises';
import { isAlias, isScalar, LineCounter, parseDocument, visit, type Alias, type Document } from 'yaml';
import type { TextPosition } from './errors.js';

/** A YAML (or JSON) file read from disk: its value, or why it could not be had. */
export type YamlFile =
  | { kind: 'ok'; value: unknown }
  | { kind: 'unreadable'; problem: string }
  | { kind: 'syntax'; problem: string; at?: TextPosition };

/** More aliases than this is refused before expanding any: a config never needs them, a "billion laughs" file does. */
export const MAX_YAML_ALIASES = 100;

const READ_PROBLEMS: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EISDIR: 'is a directory, not a file',
};

/** yaml's wording where it speaks to a programmer rather than to whoever edits the file. */
const SYNTAX_PROBLEMS: Record<string, string> = {
  MULTIPLE_DOCS: 'only one YAML document is allowed (found a second "---")',
};

/** An unquoted value that starts with `*`, which YAML reads as an alias: almost always a cron pattern. */
const UNQUOTED_STAR = /^\s*(-\s+)?([^\s#'"][^:#]*:\s+)?\*/;
const QUOTE_HINT = ' (a value starting with "*", such as a cron pattern, must be quoted: "*/10 * * * *")';

/** Reads and parses one file; never throws for a missing, unreadable or malformed file. */
export async function readYamlFile(absolutePath: string): Promise<YamlFile> {
  let text: string;
  try {
    text = await readFile(absolutePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    return { kind: 'unreadable', problem: READ_PROBLEMS[code] ?? `cannot read: ${(error as Error).message}` };
  }
  const lineCounter = new LineCounter();
  const syntax = (problem: string, offset: number): YamlFile => ({ kind: 'syntax', problem, at: lineCounter.linePos(offset) });
  /** For the mistakes an unquoted `*` causes: the problem, plus the hint when its line has one. */
  const aliasSyntax = (problem: string, offset: number): YamlFile => {
    const line = text.split('\n')[lineCounter.linePos(offset).line - 1] ?? '';
    return syntax(UNQUOTED_STAR.test(line) ? problem + QUOTE_HINT : problem, offset);
  };
  // prettyErrors off: yaml would otherwise append a multi-line excerpt of the file, which may hold a secret.
  // uniqueKeys off: yaml compares every key with every earlier one (50,000 keys took minutes); checked below instead.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const [error] = document.errors;
  if (error !== undefined) return aliasSyntax(SYNTAX_PROBLEMS[error.code] ?? error.message, error.pos[0]);
  const duplicate = firstDuplicateKey(document);
  if (duplicate !== undefined) return syntax('Map keys must be unique', duplicate);

  const aliases = aliasesOf(document);
  const excess = aliases[MAX_YAML_ALIASES];
  if (excess !== undefined) return syntax(`more than ${MAX_YAML_ALIASES} YAML aliases`, excess.range?.[0] ?? 0);
  try {
    return { kind: 'ok', value: document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown };
  } catch (error) {
    // Aliases are resolved only here: an unknown anchor, or aliases nested so they expand too far.
    const message = (error as Error).message;
    const culprit = aliases.find((alias) => message.endsWith(`: ${alias.source}`)) ?? aliases[0];
    if (culprit?.range === undefined || culprit.range === null) return { kind: 'syntax', problem: message };
    return aliasSyntax(message, culprit.range[0]);
  }
}

/** Where the first key that repeats an earlier key of its mapping starts, in one pass over the document. */
function firstDuplicateKey(document: Document): number | undefined {
  let found: number | undefined;
  visit(document, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) {
          found = key.range?.[0] ?? 0;
          return visit.BREAK;
        }
        seen.add(key.value);
      }
      return undefined;
    },
  });
  return found;
}

function aliasesOf(document: Document): Alias[] {
  const found: Alias[] = [];
  visit(document, (_key, node) => {
    if (isAlias(node)) found.push(node);
  });
  return found;
}
