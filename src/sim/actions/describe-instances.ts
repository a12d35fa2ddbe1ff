import { toUHostRow } from '../instances.js';
import { paramError } from '../retcodes.js';
import type { SimAction } from '../action.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const MAX_IDS = 100;

/**
 * DescribeCompShareInstance: filters by UHostIds.N, Tag and Zone, then pages; TotalCount counts all matches. An
 * instance created less than the listing lag ago is left out, even when asked for by id, as a real cloud's is.
 */
export const describeInstances: SimAction = {
  name: 'DescribeCompShareInstance',
  scope: 'project',
  handle({ state, params }) {
    const zone = params.optionalString('Zone');
    const tag = params.optionalString('Tag');
    const ids = params.list('UHostIds');
    if (ids.length > MAX_IDS) throw paramError('UHostIds', `at most ${MAX_IDS} ids`);
    // Like the gateway, a Limit above the maximum is clamped rather than refused, and 0 means the default.
    const limit = Math.min(MAX_LIMIT, params.optionalInt('Limit') || DEFAULT_LIMIT);
    const offset = params.optionalInt('Offset') ?? 0;
    const now = state.nowSeconds();
    const matching = state.instances
      .list()
      .filter(
        (instance) =>
          instance.listedAt <= now &&
          (zone === undefined || instance.zone === zone) &&
          (tag === undefined || instance.tag === tag) &&
          (ids.length === 0 || ids.includes(instance.uhostId)),
      );
    return {
      TotalCount: matching.length,
      UHostSet: matching.slice(offset, offset + limit).map((instance) => toUHostRow(instance, state.region)),
    };
  },
};
