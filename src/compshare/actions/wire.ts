import { z } from 'zod';
import { MalformedResponseError } from '../errors.js';
import type { ApiResponse, CompshareClient } from '../client.js';
import type { Params } from '../encode.js';

/** Gateways sometimes send numbers as numeric strings; both mean the same number. */
export const wireNumber = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, 'expected a number')
    .transform(Number),
]);
export const wireInt = wireNumber.pipe(z.number().int());
export const wireBool = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);
/** Optional strings arrive as "" or are left out; either way the domain sees "". */
export const wireString = z.string().optional().default('');

/**
 * Validates an answer at the boundary; a shape the contract does not allow becomes a MalformedResponseError
 * naming the first bad field, so no raw JSON travels further into the program.
 */
export function parseResponse<T extends z.ZodType>(action: string, schema: T, response: ApiResponse): z.output<T> {
  const result = schema.safeParse(response.body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('') ?? '';
  throw new MalformedResponseError(action, `${where.replace(/^\./, '') || 'body'}: ${issue?.message ?? 'invalid'}`, response.requestUuid);
}

const hostIdSchema = z.object({ UHostId: z.string().optional() });

/** For the instance operations whose answer is just `{UHostId}`: only the request id is worth keeping. */
export async function callHostOperation(
  client: CompshareClient,
  action: string,
  params: Params,
): Promise<{ requestUuid: string | undefined }> {
  const response = await client.call(action, params);
  parseResponse(action, hostIdSchema, response);
  return { requestUuid: response.requestUuid };
}
