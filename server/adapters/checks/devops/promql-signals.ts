import type { SyntaxNode, Tree } from "@lezer/common";
import { parser } from "@prometheus-io/lezer-promql";

/** The signals the release procedure rolls back on, each of which needs an alert. */
export type AlertSignal = "error-rate" | "latency";

/** A signal an expression watches, and what in the expression says so. */
export type SignalEvidence = {
  signal: AlertSignal;
  /** e.g. `rate of http_requests_total filtered by code=~"5.."` */
  because: string;
};

/** What an alert's expression watches, or why it could not be read. */
export type ExprClassification = { parsed: true; signals: SignalEvidence[] } | { parsed: false; problem: string };

/** Longer expressions are refused unread: real alert expressions are well under 2 KiB. */
export const MAX_EXPR_CHARS = 16_384;
/**
 * Deeper bracket nesting is refused unread: real alerts nest a dozen levels, and the grammar's
 * parser gives up near 2 800 levels with an error that would point at the wrong place.
 */
export const MAX_EXPR_NESTING = 256;
/** How many recording rules deep an alert is followed to the expressions it is built on. */
const MAX_RECORDING_DEPTH = 4;
/** How many recorded expressions one alert's classification reads in all, however they branch. */
const MAX_RECORDINGS_READ = 32;

// Metrics of the monitoring stack and the platform, not of the service's traffic: an alert on
// Prometheus' own rule failures or the API server's 5xx does not watch the release.
const PLATFORM_PREFIX = /^(?:go|process|prometheus|alertmanager|node|kube|kubelet|container|scrape|apiserver|etcd)_/;
// Word-like parts of a metric name, split at "_" and ":" (recording rules are level:metric:operations).
const REQUEST_COUNTER = /(?:^|[_:])(?:requests?|responses?|calls|rpcs?|handled)(?:[_:]|$)/;
const ERROR_COUNTER = /(?:^|[_:])(?:errors?|failures?|failed)(?:[_:]|$)/;
const LATENCY_METRIC = /(?:^|[_:])(?:duration|latency|latencies|response_time|handling)(?:[_:]|$)/;
const STATUS_LABEL = /(?:^|_)(?:code|status|class)$/;
const RATE_FUNCTIONS = new Set(["Rate", "Irate", "Increase"]);
const QUANTILE_FUNCTIONS = new Map([
  ["HistogramQuantile", "histogram_quantile"],
  ["HistogramQuantiles", "histogram_quantiles"],
  ["HistogramAvg", "histogram_avg"],
]);
const ABSENCE_FUNCTIONS = new Set(["Absent", "AbsentOverTime"]);

/**
 * Status values by family: a matcher filters for errors when it accepts an error of a family
 * and rejects every success of that family (HTTP codes, status classes, gRPC codes, words).
 */
const STATUS_FAMILIES = [
  { errors: ["500", "502", "503", "504"], successes: ["200"] },
  { errors: ["5xx", "5XX"], successes: ["2xx", "2XX"] },
  { errors: ["Internal", "Unavailable", "Unknown", "DeadlineExceeded"], successes: ["OK"] },
  { errors: ["error", "failure", "failed"], successes: ["success", "ok"] },
] as const;

type Matcher = { label: string; op: "=" | "!=" | "=~" | "!~"; value: string };
type Selector = { node: SyntaxNode; name: string; matchers: Matcher[] };

/**
 * Classifies an alert expression by what it measures, using the Prometheus project's PromQL
 * grammar: an error-rate alert rates request counters filtered on a status label for errors
 * (`code=~"5.."`), or rates an error/failure counter (`*_errors_total`); a latency alert takes
 * histogram_quantile over a duration/latency histogram, a quantile of a duration/latency summary,
 * or its _sum / _count average. Names of alerts and unrelated metrics do not count. Recording
 * rules (`record` → expr) the alert uses are followed. Never throws: an expression that does not
 * parse is `{ parsed: false, problem }`.
 */
export function classifyAlertExpr(expr: string, recordings: ReadonlyMap<string, string> = new Map()): ExprClassification {
  return classifyWithin(expr, recordings, 0, { left: MAX_RECORDINGS_READ });
}

function classifyWithin(expr: string, recordings: ReadonlyMap<string, string>, depth: number, budget: { left: number }): ExprClassification {
  if (expr.trim() === "") return { parsed: false, problem: "the expression is empty" };
  if (expr.length > MAX_EXPR_CHARS) return { parsed: false, problem: `the expression is ${expr.length} characters, over the ${MAX_EXPR_CHARS} read` };
  const nesting = bracketNesting(expr);
  if (nesting > MAX_EXPR_NESTING) return { parsed: false, problem: `the expression nests brackets more than ${MAX_EXPR_NESTING} levels deep` };
  const tree = parser.parse(expr);
  const problem = syntaxProblem(tree, expr);
  if (problem !== null) return { parsed: false, problem };

  const signals: SignalEvidence[] = [];
  const add = (signal: AlertSignal, because: string) => {
    if (!signals.some((s) => s.signal === signal)) signals.push({ signal, because });
  };
  const all = selectors(tree, expr);
  for (const selector of all) {
    if (selector.name === "" || PLATFORM_PREFIX.test(selector.name)) continue;
    const functions = enclosingFunctions(selector.node);
    if (functions.some((f) => ABSENCE_FUNCTIONS.has(f))) continue; // "metric missing" says nothing of its rate
    const errorRate = errorRateEvidence(selector, functions);
    if (errorRate !== null) add("error-rate", errorRate);
    const latency = latencyEvidence(selector, functions, all);
    if (latency !== null) add("latency", latency);
    const recorded = recordings.get(selector.name);
    if (recorded !== undefined && depth < MAX_RECORDING_DEPTH && budget.left > 0 && signals.length < 2) {
      budget.left -= 1;
      const inner = classifyWithin(recorded, recordings, depth + 1, budget);
      if (inner.parsed) for (const s of inner.signals) add(s.signal, `recording rule ${selector.name}: ${s.because}`);
    }
  }
  return { parsed: true, signals };
}

function errorRateEvidence(selector: Selector, functions: string[]): string | null {
  const part = metricPart(selector.name);
  // A counter's total since the process started is not a rate; recording rules hold rates already.
  const rated = functions.some((f) => RATE_FUNCTIONS.has(f)) || selector.name.includes(":");
  if (!rated) return null;
  const how = selector.name.includes(":") ? "recorded rate" : "rate";
  if (REQUEST_COUNTER.test(part)) {
    const filter = selector.matchers.find((m) => STATUS_LABEL.test(m.label) && filtersErrors(m));
    if (filter !== undefined) return `${how} of ${selector.name} filtered by ${filter.label}${filter.op}${JSON.stringify(filter.value)}`;
  }
  if (ERROR_COUNTER.test(part) && !/_(?:bucket|sum)$/.test(part)) return `${how} of the error counter ${selector.name}`;
  return null;
}

function latencyEvidence(selector: Selector, functions: string[], all: Selector[]): string | null {
  const part = metricPart(selector.name);
  if (!LATENCY_METRIC.test(part)) return null;
  const counted = /_(?:count|total)$/.test(part);
  const quantileOf = functions.find((f) => QUANTILE_FUNCTIONS.has(f));
  if (quantileOf !== undefined && !counted && !part.endsWith("_sum")) return `${QUANTILE_FUNCTIONS.get(quantileOf)} over ${selector.name}`;
  if (/_(?:bucket|sum)$/.test(part) || counted) {
    if (part.endsWith("_sum") && dividedByCount(selector, all)) return `average ${selector.name} / ${selector.name.replace(/_sum(?=$|:)/, "_count")}`;
    return null;
  }
  const quantile = selector.matchers.find((m) => m.label === "quantile" && (m.op === "=" || m.op === "=~"));
  if (quantile !== undefined) return `summary quantile ${quantile.value} of ${selector.name}`;
  if (selector.name.includes(":")) return `recorded latency ${selector.name}`;
  return null;
}

// `rate(x_duration_seconds_sum[5m]) / rate(x_duration_seconds_count[5m])`: the mean latency.
function dividedByCount(selector: Selector, all: Selector[]): boolean {
  const countName = selector.name.replace(/_sum(?=$|:)/, "_count");
  for (let child: SyntaxNode = selector.node, parent = child.parent; parent !== null; child = parent, parent = parent.parent) {
    if (parent.name !== "BinaryExpr" || parent.getChild("Div") === null) continue;
    const left = parent.firstChild;
    const right = parent.lastChild;
    if (left === null || right === null || !(left.from <= child.from && child.to <= left.to)) continue;
    if (all.some((s) => s.name === countName && right.from <= s.node.from && s.node.to <= right.to)) return true;
  }
  return false;
}

/** The metric of a recording rule's `level:metric:operations` name; a plain name as it is. */
function metricPart(name: string): string {
  const parts = name.split(":");
  return parts.length === 3 && parts[1] !== undefined && parts[1] !== "" ? parts[1] : name;
}

/** Whether a status matcher keeps errors and drops successes (see STATUS_FAMILIES). */
function filtersErrors(matcher: Matcher): boolean {
  const accepts = matcherPredicate(matcher);
  if (accepts === null) return false;
  return STATUS_FAMILIES.some((family) => family.errors.some(accepts) && !family.successes.some(accepts));
}

// Prometheus anchors label regexes at both ends (RE2 syntax; a leading (?i) is the only flag
// group JavaScript cannot take inline). A regex JavaScript cannot compile filters nothing known.
function matcherPredicate({ op, value }: Matcher): ((v: string) => boolean) | null {
  if (op === "=") return (v) => v === value;
  if (op === "!=") return (v) => v !== value;
  const caseless = value.startsWith("(?i)");
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${caseless ? value.slice(4) : value})$`, caseless ? "i" : "");
  } catch {
    return null;
  }
  return op === "=~" ? (v) => regex.test(v) : (v) => !regex.test(v);
}

/** The first syntax error, with its position, or null. Lezer recovers from errors: they are marked nodes. */
function syntaxProblem(tree: Tree, expr: string): string | null {
  let problem: string | null = null;
  tree.iterate({
    enter: (node) => {
      if (problem !== null) return false;
      if (node.type.isError) {
        problem = `syntax error at character ${node.from + 1}: ${near(expr, node.from)}`;
        return false;
      }
      // The grammar tolerates an unterminated string; Prometheus does not.
      if (node.name === "StringLiteral") {
        const text = expr.slice(node.from, node.to);
        const quote = text.charAt(0);
        if (text.length < 2 || !text.endsWith(quote) || (quote !== "`" && /(?:^|[^\\])(?:\\\\)*\\.$/.test(text))) {
          problem = `unterminated string at character ${node.from + 1}: ${near(expr, node.from)}`;
          return false;
        }
      }
      return undefined;
    },
  });
  return problem;
}

/** The deepest (, [ or { nesting outside strings and comments, counting stops past MAX_EXPR_NESTING. */
function bracketNesting(expr: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr.charAt(i);
    if (c === '"' || c === "'" || c === "`") {
      // Skip to the closing quote; backslash escapes apply except in backticks.
      for (i++; i < expr.length && expr.charAt(i) !== c; i++) if (c !== "`" && expr.charAt(i) === "\\") i++;
    } else if (c === "#") {
      while (i < expr.length && expr.charAt(i) !== "\n") i++;
    } else if (c === "(" || c === "[" || c === "{") {
      deepest = Math.max(deepest, ++depth);
      if (deepest > MAX_EXPR_NESTING) return deepest;
    } else if (c === ")" || c === "]" || c === "}") {
      depth = Math.max(0, depth - 1);
    }
  }
  return deepest;
}

function near(expr: string, at: number): string {
  const snippet = expr.slice(at, at + 24);
  return snippet === "" ? "unexpected end of the expression" : `near ${JSON.stringify(snippet)}`;
}

// Tree.iterate walks without recursion: a deeply parenthesised expression cannot exhaust the stack.
function selectors(tree: Tree, expr: string): Selector[] {
  const found: Selector[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.name === "VectorSelector") found.push(readSelector(node.node, expr));
    },
  });
  return found;
}

function readSelector(node: SyntaxNode, expr: string): Selector {
  const text = (n: SyntaxNode | null) => (n === null ? "" : expr.slice(n.from, n.to));
  const matchers: Matcher[] = [];
  let quotedName = "";
  for (const m of node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? []) {
    matchers.push({ label: text(m.getChild("LabelName")), op: matchOp(text(m.getChild("MatchOp"))), value: unquote(text(m.getChild("StringLiteral"))) });
  }
  for (const m of node.getChild("LabelMatchers")?.getChildren("QuotedLabelMatcher") ?? []) {
    matchers.push({ label: unquote(text(m.getChild("QuotedLabelName"))), op: matchOp(text(m.getChild("MatchOp"))), value: unquote(text(m.getChild("StringLiteral"))) });
  }
  // `{"my.metric"}`: a quoted name on its own is the metric name (Prometheus 3 UTF-8 names).
  const bare = node.getChild("LabelMatchers")?.getChild("QuotedLabelName") ?? null;
  if (bare !== null) quotedName = unquote(text(bare));
  const byLabel = matchers.find((m) => m.label === "__name__" && m.op === "=");
  const name = text(node.getChild("Identifier")) || quotedName || (byLabel?.value ?? "");
  return { node, name, matchers };
}

function matchOp(text: string): Matcher["op"] {
  return text === "!=" || text === "=~" || text === "!~" ? text : "=";
}

// PromQL strings follow Go's quoting: backticks are raw, "…" and '…' take backslash escapes.
function unquote(literal: string): string {
  if (literal.length < 2) return "";
  const body = literal.slice(1, -1);
  if (literal.startsWith("`")) return body;
  const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", f: "\f", v: "\v" };
  return body.replace(/\\(.)/g, (_, c: string) => escapes[c] ?? c);
}

/** The functions enclosing a node, innermost first, by grammar name (`Rate`, `HistogramQuantile`). */
function enclosingFunctions(node: SyntaxNode): string[] {
  const functions: string[] = [];
  for (let parent = node.parent; parent !== null; parent = parent.parent) {
    if (parent.name === "FunctionCall") {
      const fn = parent.getChild("FunctionIdentifier")?.firstChild?.name;
      if (fn !== undefined) functions.push(fn);
    }
  }
  return functions;
}
