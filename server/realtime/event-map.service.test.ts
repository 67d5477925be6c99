import { describe, expect, it } from "vitest";
import { evaluateAll } from "../core/analysis/step-analysis.ts";
import { defaultAnalysisConfig, emptyTotals } from "../core/analysis/triggers.ts";
import { ZAnalysisEvent, ZRunChangedEvent } from "./event-map.ts";

// What the browser does with a socket payload: parse it with the event's schema, or refetch.

/** As socket.io would carry it: JSON, where Infinity becomes null. */
const overTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe("socket payloads, read with the shared schemas", () => {
  it("an analysis the core produced arrives typed, with uncomputable figures as null", () => {
    const computed = evaluateAll(defaultAnalysisConfig(), emptyTotals());
    // A latency test before the baseline has a floor cannot size its sample: Infinity, which JSON cannot carry.
    const result = { ...computed, evaluations: computed.evaluations.map((e, i) => (i === 0 && e.method === "e-process" ? { ...e, minSamples: Infinity } : e)) };
    const sent = overTheWire({ runId: "r1", stepIndex: 0, at: new Date(0).toISOString(), verdict: result.verdict, summary: result.summary, evaluations: result.evaluations });
    const got = ZAnalysisEvent.parse(sent);
    expect(got.verdict).toBe(result.verdict);
    expect(got.evaluations).toHaveLength(result.evaluations.length);
    const wire = got.evaluations[0];
    expect(wire?.method === "e-process" ? wire.minSamples : "not an e-process").toBeNull();
  });

  it("never reads an unknown verdict as a pass, and leaves out an evaluation it cannot read", () => {
    const got = ZAnalysisEvent.parse({ runId: "r1", stepIndex: 1, at: "t", verdict: "ship-it", summary: "", evaluations: [{ method: "rule", trigger: "cpu", verdict: "pass", n: 3, k: 0, limit: 5, message: "ok" }, { method: "tea-leaves" }, 42] });
    expect(got.verdict).toBe("insufficient");
    expect(got.evaluations).toEqual([{ method: "rule", trigger: "cpu", verdict: "pass", n: 3, k: 0, limit: 5, message: "ok" }]);
  });

  it("refuses a run change with a status the page does not know (the page refetches instead)", () => {
    const change = { runId: "r1", seq: 4, status: "rolling_back", phase: "rollout", waitingFor: "weight_confirmation", summary: "Rolling back" };
    expect(ZRunChangedEvent.safeParse(change).success).toBe(true);
    expect(ZRunChangedEvent.safeParse({ ...change, status: "exploded" }).success).toBe(false);
    expect(ZRunChangedEvent.safeParse({ ...change, seq: "4" }).success).toBe(false);
  });
});
