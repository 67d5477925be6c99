import type { IncomingMessage, ServerResponse } from "node:http";
import { errors as undiciErrors, type Dispatcher } from "undici";
import type { ObservationSink, RequestObservation, Side } from "../../../metrics/types.ts";
import { responseHeaders } from "./headers.ts";
import { SIDE_HEADER, sideCookie } from "./stickiness.ts";

/** What an exchange is told when it starts: where the answer goes and what it is counted as. */
export type ExchangeContext = {
  req: IncomingMessage;
  res: ServerResponse;
  side: Side;
  /** the weight that routed it (read once: a request straddling a weight change is judged by it) */
  percent: number;
  /** the run its observation counts for; null: not observed */
  runId: string | null;
  /** the router's region, on its observation */
  region: string | undefined;
  hasBody: boolean;
  started: number;
  clock: () => number;
  sink: ObservationSink;
};

/**
 * One proxied request, as undici's dispatch handler: the upstream's answer is written to the
 * client as it arrives, with backpressure, and observed once. One object per request instead of
 * undici's `stream()` (a promise, an async resource, a Writable pipeline and its listeners per
 * request): the router's hot path.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  private abort: ((err?: Error) => void) | null = null;
  private resume: (() => void) | null = null;
  private done = false;
  private clientGone = false;

  constructor(private readonly x: ExchangeContext) {
    x.res.once("close", this.onClientClose);
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.clientGone) return abort();
    this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    this.resume = resume;
    this.x.res.writeHead(statusCode, responseHeaders(rawHeaders, this.x.side, this.x.percent));
    return true;
  }

  onData(chunk: Buffer): boolean {
    const more = this.x.res.write(chunk);
    // A slow client: undici pauses reading the upstream until the client has taken what it has.
    if (!more && this.resume) this.x.res.once("drain", this.resume);
    return more;
  }

  onComplete(): void {
    this.done = true;
    this.x.res.end();
    this.observe(this.x.res.statusCode);
  }

  onError(err: Error): void {
    if (this.done) return;
    this.done = true;
    // A client that hung up on a healthy response is not observed: its truncated latency says
    // nothing about the version.
    if (this.clientGone) return;
    const status = err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError ? 504 : 502;
    const { res, side, percent } = this.x;
    if (res.headersSent) {
      // A response cut off mid-body counts as the error it was.
      res.destroy();
    } else {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", [SIDE_HEADER]: side, "set-cookie": sideCookie(side, percent) });
      res.end(status === 504 ? `${side} did not answer in time\n` : `${side} is unreachable\n`);
    }
    this.observe(status);
  }

  private observe(status: number): void {
    const { runId, region } = this.x;
    if (runId === null) return;
    const o: RequestObservation = { runId, side: this.x.side, status, latencyMs: this.x.clock() - this.x.started };
    if (region) o.region = region;
    this.x.sink.observeRequest(o);
  }


  private readonly onClientClose = (): void => {
    if (this.done) return;
    this.clientGone = true;
    this.abort?.();
    if (this.x.hasBody) this.x.req.destroy();
  };
}
