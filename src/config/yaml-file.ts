import { readFile } from 'node:fs/promises';
import { isAlias, LineCounter, parseDocument, visit, type Alias, type Document } from 'yaml';
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
  const syntax = (problem: string, offset: number): YamlFile => {
    const at = lineCounter.linePos(offset);
    const line = text.split('\n')[at.line - 1] ?? '';
    return { kind: 'syntax', problem: UNQUOTED_STAR.test(line) ? problem + QUOTE_HINT : problem, at };
  };
  // prettyErrors off: yaml would otherwise append a multi-line excerpt of the file, which may hold a secret.
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const [error] = document.errors;
  if (error !== undefined) return syntax(SYNTAX_PROBLEMS[error.code] ?? error.message, error.pos[0]);

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
    return syntax(message, culprit.range[0]);
  }
}

function aliasesOf(document: Document): Alias[] {
  const found: Alias[] = [];
  visit(document, (_key, node) => {
    if (isAlias(node)) found.push(node);
  });
  return found;
}
