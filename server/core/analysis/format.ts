/**
 * Numbers as a release manager reads them in an evaluation's message: "4.8%", "2,075",
 * "3.2e4". Deterministic (no locale lookup), so stored messages read the same everywhere.
 */

/** A rate as a percentage with two significant digits: 0.048 → "4.8%", 0.01 → "1%", 0.0005 → "0.05%". */
export function percent(rate: number): string {
  if (rate === 0) return "0%";
  return `${Number((rate * 100).toPrecision(2))}%`;
}

/** A count with thousands separators: 22250 → "22,250". */
export function count(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Milliseconds, rounded: "180 ms". */
export function ms(value: number): string {
  return `${count(value)} ms`;
}

/**
 * An e-value given its natural log, so huge evidence (log E in the thousands, far beyond what a
 * double can hold) still prints: two significant digits, scientific outside [0.01, 1000).
 */
export function evidence(logValue: number): string {
  if (logValue === -Infinity) return "0";
  const log10 = logValue / Math.LN10;
  if (log10 >= -2 && log10 < 3) return String(Number(Math.exp(logValue).toPrecision(2)));
  let exponent = Math.floor(log10);
  let mantissa = (10 ** (log10 - exponent)).toFixed(1);
  // 9.96 rounds to "10.0": carry into the exponent.
  if (mantissa === "10.0") {
    mantissa = "1.0";
    exponent += 1;
  }
  return `${mantissa}e${exponent}`;
}

/** A moment as a wall-clock time, UTC, to the second: "06:40:02" (deterministic: no time zone lookup). */
export function clockTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 19);
}

/** A duration in words a release manager reads at a glance: "40 s", "12 min", "3.5 h". */
export function duration(msValue: number): string {
  if (!Number.isFinite(msValue)) return "an unknown time";
  const s = msValue / 1000;
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  return `${Number((s / 3600).toPrecision(2))} h`;
}
