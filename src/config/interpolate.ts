import { formatPath, type Problem } from '../schema/message.js';

/** `${NAME}`, `${NAME:-fallback}`, or `$${...}` for a literal `${...}`; the closing brace is captured to catch a missing one. */
const REFERENCE = /\$(\$?)\{([^}]*)(\}?)/g;
const NAME_WITH_FALLBACK = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

export interface Interpolated {
  value: unknown;
  /** Paths (as `formatPath` writes them) whose value came from the environment, so messages must not show it. */
  filled: ReadonlySet<string>;
  problems: Problem[];
}

/**
 * Fills `${VAR}` references in every string value of a parsed YAML tree. Working on the tree, not the text, keeps
 * an environment value from changing the YAML structure. Mapping keys are left alone.
 */
export function interpolate(tree: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const filled = new Set<string>();
  const problems: Problem[] = [];

  function fillString(text: string, path: readonly PropertyKey[]): string {
    return text.replace(REFERENCE, (whole, escaped: string, inner: string, closed: string) => {
      if (escaped) return whole.slice(1);
      if (!closed) {
        problems.push({ path, problem: 'unterminated variable reference: "${" without a closing "}"' });
        return whole;
      }
      const reference = NAME_WITH_FALLBACK.exec(inner);
      if (reference === null) {
        problems.push({ path, problem: 'malformed variable reference; write ${NAME} or ${NAME:-default}' });
        return whole;
      }
      const [, name = '', fallback] = reference;
      const value = env[name];
      filled.add(formatPath(path));
      // Shell semantics: `:-` also replaces an empty value.
      if (fallback !== undefined && (value === undefined || value === '')) return fallback;
      if (value === undefined) {
        problems.push({ path, problem: `environment variable ${name} is not set` });
        return whole;
      }
      return value;
    });
  }

  function walk(node: unknown, path: readonly PropertyKey[]): unknown {
    if (typeof node === 'string') return fillString(node, path);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return node;
  }

  return { value: walk(tree, []), filled, problems };
}
