/** Which version a request or sample belongs to. */
export type Side = "baseline" | "canary";

/** One request as a router or a service saw it. */
export type RequestObservation = {
  runId: string;
  side: Side;
  /** HTTP status; 5xx and failed connections (status 502/504 from the router) count as errors */
  status: number;
  latencyMs: number;
  /** the region whose router saw it (a region's own router); a region-by-region run's analysis counts only its current region's */
  region?: string;
};

/**
 * Where routers and the ingest API put what they observe. Implemented by the metrics
 * aggregator (1 s windows in memory, 10 s windows persisted); tests use an array.
 */
export interface ObservationSink {
  observeRequest(o: RequestObservation): void;
}
