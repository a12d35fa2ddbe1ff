import type { Instance } from '../compshare/actions/describe-instances.js';

/**
 * Which instances a policy applies to. Every field given must match (a list matches when any entry does); the
 * config refuses a selector with no field, so a policy can never select every instance by accident.
 */
export interface Selector {
  /** The instance's Tag (its business group), exactly. */
  tag?: readonly string[] | undefined;
  /** Globs on the instance name: `*` is any run of characters, `?` one character. */
  name?: readonly string[] | undefined;
  ids?: readonly string[] | undefined;
  zone?: readonly string[] | undefined;
  gpuType?: readonly string[] | undefined;
}

/** The selector fields, in the order messages list them. */
export const SELECTOR_FIELDS = ['tag', 'name', 'ids', 'zone', 'gpuType'] as const;

export type SelectableInstance = Pick<Instance, 'id' | 'name' | 'tag' | 'zone' | 'gpuType'>;

/** Whether the selector picks this instance. */
export function selects(selector: Selector, instance: SelectableInstance): boolean {
  const within = (allowed: readonly string[] | undefined, value: string): boolean =>
    allowed === undefined || allowed.includes(value);
  return (
    within(selector.tag, instance.tag) &&
    within(selector.ids, instance.id) &&
    within(selector.zone, instance.zone) &&
    within(selector.gpuType, instance.gpuType) &&
    (selector.name === undefined || selector.name.some((glob) => globToRegExp(glob).test(instance.name)))
  );
}

/** `grab-*` as an anchored, case-sensitive RegExp; every other character stands for itself. */
export function globToRegExp(glob: string): RegExp {
  const source = [...glob]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's');
}
