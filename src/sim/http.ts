import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { flattenParams, type Params } from '../compshare/encode.js';
import { paramError } from './retcodes.js';

/** Far above any real request; a bigger body is refused rather than buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The request body exceeded MAX_BODY_BYTES. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** The whole request body as text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The request's path, without the query. */
export function pathOf(request: IncomingMessage): string {
  return new URL(request.url ?? '/', 'http://sim').pathname;
}

/**
 * The flat wire params of a gateway request: the query string merged with the body, which may be a form (what
 * the SDKs send) or a JSON object (flattened the way the SDKs flatten nested params). The body wins on a clash;
 * the Go SDK repeats `Action` in the query.
 */
export function wireParams(request: IncomingMessage, body: string): Record<string, string> {
  const query = Object.fromEntries(new URL(request.url ?? '/', 'http://sim').searchParams);
  if (body.trim() === '') return query;
  if ((request.headers['content-type'] ?? '').includes('json')) return { ...query, ...jsonParams(body) };
  return { ...query, ...Object.fromEntries(new URLSearchParams(body)) };
}

function jsonParams(body: string): Record<string, string> {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    throw paramError('Body', 'not valid JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw paramError('Body', 'expected a JSON object');
  }
  return flattenParams(document as Params);
}

/** Writes a complete answer; every answer carries a fresh request id, as the gateway's do. */
export function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  if (response.destroyed) return;
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'X-UCLOUD-REQUEST-UUID': randomUUID(),
  });
  response.end(body);
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json', JSON.stringify(value));
}
