import type { Verdict } from "@/server/core/analysis/triggers";
import { ZWireEvaluations, ZWireVerdict, type WireEvaluation, type WireRule, type WireSequential } from "@/server/contracts/analysis-wire";

/** One trigger's evaluation as it reaches the browser (the wire schema both sides share). */
export type ShownSequential = WireSequential;
/** A hard rule's evaluation (CPU, memory, security signals). */
export type ShownRule = WireRule;
/** One trigger's evaluation, as the evidence panel shows it. */
export type ShownEvaluation = WireEvaluation;

/** An unknown verdict is never shown as a pass. */
export function parseVerdict(value: unknown): Verdict {
  return ZWireVerdict.parse(value);
}

/** Evaluations as stored or streamed, read with the shared wire schema; one that does not parse is left out. */
export function parseEvaluations(raw: unknown): ShownEvaluation[] {
  return ZWireEvaluations.parse(raw);
}

export { triggerName, verdictLook } from "./verdict-look";
