import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';

/** A YAML (or JSON) file read from disk: its value, or why it could not be had. */
export type YamlFile =
  | { kind: 'ok'; value: unknown }
  | { kind: 'unreadable'; problem: string }
  | { kind: 'syntax'; problem: string; at?: { line: number; col: number } };

const READ_PROBLEMS: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EISDIR: 'is a directory, not a file',
};

/** yaml's wording where it speaks to a programmer rather than to whoever edits the file. */
const SYNTAX_PROBLEMS: Record<string, string> = {
  MULTIPLE_DOCS: 'only one YAML document is allowed (found a second "---")',
};

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
  // prettyErrors off: yaml would otherwise append a multi-line excerpt of the file, which may hold a secret.
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const [error] = document.errors;
  if (error !== undefined) {
    const problem = SYNTAX_PROBLEMS[error.code] ?? error.message;
    return { kind: 'syntax', problem, at: lineCounter.linePos(error.pos[0]) };
  }
  try {
    return { kind: 'ok', value: document.toJS() as unknown };
  } catch (error) {
    // Aliases are resolved only here: an unknown anchor, or too many aliases (a "billion laughs" file).
    return { kind: 'syntax', problem: (error as Error).message };
  }
}
