import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';

/** What came back: the status, the headers, and (for a 2xx answer) the whole body. */
export interface Exchanged {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** Empty for an answer outside 2xx, whose body is read and dropped. */
  body: Buffer;
}

/** Why an exchange brought no answer, with the headers when they had come. */
export class ExchangeFailure extends Error {
  constructor(
    readonly reason: 'timeout' | 'too-large' | 'network',
    readonly headers: IncomingHttpHeaders | undefined,
    cause?: unknown,
  ) {
    super(reason, { cause });
  }
}

export interface ExchangeOptions {
  /** From the moment it is handed to the dispatcher to the body's last byte. */
  timeoutMs: number;
  /** A 2xx body past this many bytes, declared or streamed, ends the exchange as `too-large`. */
  maxBodyBytes: number;
}

/**
 * How much of a body outside 2xx is read and dropped so that its connection can be used again, as undici's own
 * dump() does; past it the connection is closed instead.
 */
export const DISCARD_BYTES = 128 * 1024;

/**
 * One request and its whole answer, over undici's dispatch API. A poll's answer is a few KiB, read in one piece:
 * request() would wrap it in a stream and a timeout would need an AbortController and its listeners, which at
 * dozens of polls a second cost more than the bytes themselves. The deadline is one timer that aborts the exchange
 * through undici's own controller, whether it is still queued, sending, or reading a slow body.
 */
export function exchange(dispatcher: Dispatcher, request: Dispatcher.DispatchOptions, options: ExchangeOptions): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(request, new ExchangeHandler(options, resolve, reject));
  });
}

class ExchangeHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private readonly timer: NodeJS.Timeout;
  private statusCode = 0;
  private headers: IncomingHttpHeaders | undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;

  constructor(
    private readonly options: ExchangeOptions,
    private readonly resolve: (exchanged: Exchanged) => void,
    private readonly reject: (failure: ExchangeFailure) => void,
  ) {
    this.timer = setTimeout(() => this.fail(new ExchangeFailure('timeout', this.headers)), options.timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Timed out while queued: the request is let go before a byte of it is sent.
    if (this.settled) controller.abort(new ExchangeFailure('timeout', undefined));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.statusCode = statusCode;
    this.headers = headers;
    if (this.kept() && Number(headers['content-length']) > this.options.maxBodyBytes) {
      this.fail(new ExchangeFailure('too-large', headers));
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length;
    if (!this.kept()) {
      if (this.size > DISCARD_BYTES && this.settle()) {
        this.controller?.abort(new ExchangeFailure('network', this.headers));
        this.answer();
      }
      return;
    }
    if (this.size > this.options.maxBodyBytes) this.fail(new ExchangeFailure('too-large', this.headers));
    else this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settle()) this.answer();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error instanceof ExchangeFailure ? error : new ExchangeFailure('network', this.headers, error));
  }

  /** Only a 2xx body is the answer; any other is read only to keep its connection. */
  private kept(): boolean {
    return this.statusCode >= 200 && this.statusCode < 300;
  }

  private answer(): void {
    const body = this.kept() ? Buffer.concat(this.chunks, this.size) : Buffer.alloc(0);
    this.resolve({ statusCode: this.statusCode, headers: this.headers!, body });
  }

  /** Ends the exchange where it stands (a no-op once undici has ended it); undici then closes its connection. */
  private fail(failure: ExchangeFailure): void {
    if (!this.settle()) return;
    this.controller?.abort(failure);
    this.reject(failure);
  }

  /** True the first time only, and ends the timer. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    return true;
  }
}
