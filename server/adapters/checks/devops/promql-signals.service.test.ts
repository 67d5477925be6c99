import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyAlertExpr, MAX_EXPR_CHARS, MAX_EXPR_NESTING, type AlertSignal } from "./promql-signals.ts";

// The classifier reads expressions with the Prometheus project's PromQL grammar; these are the
// expressions release managers meet in real rule files (kube-prometheus, sloth, Spring, gRPC).
function signalsOf(expr: string, recordings?: Map<string, string>): AlertSignal[] {
  const result = classifyAlertExpr(expr, recordings);
  if (!result.parsed) throw new Error(`expected ${expr} to parse: ${result.problem}`);
  return result.signals.map((s) => s.signal).sort();
}

describe("error-rate alerts", () => {
  it("recognises ratios and rates over request counters filtered on an error status, and error counters", () => {
    for (const expr of [
      'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.01',
      'sum by (job) (rate(http_requests_total{job="checkout",status=~"5.."}[5m])) > 1',
      'rate(http_server_requests_seconds_count{status="503"}[1m]) > 0',
      'sum(rate(nginx_ingress_controller_requests{status=~"5[0-9]{2}"}[5m])) / sum(rate(nginx_ingress_controller_requests[5m])) > 0.05',
      'sum(increase(http_requests_total{code!~"2..|3.."}[10m])) > 10',
      'sum(rate(grpc_server_handled_total{grpc_code!="OK"}[5m])) / sum(rate(grpc_server_handled_total[5m])) > 0.01',
      'sum(rate(istio_requests_total{response_code=~"(?i)5XX|5.."}[5m])) > 1',
      "rate(checkout_payment_failures_total[5m]) > 0.1",
      "sum(rate(http_client_errors_total[5m])) / sum(rate(http_client_requests_total[5m])) > 0.02",
      'job:http_requests:rate5m{code=~"5.."} / ignoring(code) group_left job:http_requests:rate5m > 0.01',
      "job:request_errors:rate5m > 0.01",
    ]) {
      expect(signalsOf(expr), expr).toContain("error-rate");
    }
  });

  it("does not take thread counts, 2xx filters, absences or the monitoring stack's own failures for error rates", () => {
    for (const expr of [
      "go_threads > 500",
      'go_threads{job="checkout"} > 500',
      'sum(rate(http_requests_total{code=~"2.."}[5m])) > 100',
      'sum(rate(http_requests_total{code=~".*"}[5m])) > 100',
      'http_requests_total{code="500"} > 0', // a counter's lifetime total, not a rate
      'absent(http_requests_total{code=~"5.."})',
      "increase(prometheus_rule_evaluation_failures_total[5m]) > 0",
      'rate(node_network_receive_errs_total{device="eth0"}[5m]) > 0',
      'x{le="0.5"} > 1.55',
      "up == 0",
      'sum(rate(http_requests_total[5m])) by (code) > 500',
    ]) {
      expect(signalsOf(expr), expr).not.toContain("error-rate");
    }
  });
});

describe("latency alerts", () => {
  it("recognises quantiles of duration/latency histograms and summaries, and their averages", () => {
    for (const expr of [
      "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5",
      'histogram_quantile(0.95, sum(rate(http_server_request_duration_seconds_bucket{http_route="/checkout"}[5m])) by (le)) > 0.3',
      "histogram_quantile(0.99, sum(rate(http_request_duration_seconds[5m]))) > 0.5", // native histogram
      'histogram_quantile(0.9, sum by (le) (rate(rpc_latency_ms_bucket{service="ledger"}[5m]))) > 250',
      'http_request_duration_seconds{quantile="0.99",job="checkout"} > 1',
      "sum(rate(http_request_duration_seconds_sum[5m])) / sum(rate(http_request_duration_seconds_count[5m])) > 0.25",
      "histogram_quantile(0.95, sum by (le) (rate(grpc_server_handling_seconds_bucket[5m]))) > 0.3",
      "job:http_request_duration_seconds:p99 > 0.5",
    ]) {
      expect(signalsOf(expr), expr).toContain("latency");
    }
  });

  it("does not take certificate expiry, probes of time or request counts for latency", () => {
    for (const expr of [
      "histogram_quantile(0.9, rate(cert_expiry_seconds_bucket[1h]))",
      "probe_ssl_earliest_cert_expiry - time() < 86400*7",
      "sum(rate(http_request_duration_seconds_count[5m])) < 1", // how many requests, not how long
      "histogram_quantile(0.99, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[5m]))) > 1",
      "histogram_quantile(0.95, x) > 0.5",
      "up == 0",
    ]) {
      expect(signalsOf(expr), expr).not.toContain("latency");
    }
  });

  it("names what it recognised, in the release team's terms", () => {
    expect(classifyAlertExpr('sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.01')).toEqual({
      parsed: true,
      signals: [{ signal: "error-rate", because: 'rate of http_requests_total filtered by code=~"5.."' }],
    });
    expect(classifyAlertExpr("histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5")).toEqual({
      parsed: true,
      signals: [{ signal: "latency", because: "histogram_quantile over http_request_duration_seconds_bucket" }],
    });
  });
});

describe("recording rules", () => {
  it("follows an alert to the recording rule it reads, and only when the alert uses it", () => {
    const recordings = new Map([["slo:sli_bad:ratio_rate5m", 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))']]);
    expect(signalsOf("slo:sli_bad:ratio_rate5m > 0.001", recordings)).toEqual(["error-rate"]);
    expect(signalsOf("slo:sli_bad:ratio_rate5m > 0.001")).toEqual([]);
    expect(signalsOf("up == 0", recordings)).toEqual([]);
  });

  it("recording rules that read themselves or each other are followed a bounded number of times", () => {
    expect(signalsOf("a:loop:rate5m > 1", new Map([["a:loop:rate5m", "a:loop:rate5m * 2"]]))).toEqual([]);
    // 20 recordings each reading all 20: following every path would read 20^4 expressions.
    const names = Array.from({ length: 20 }, (_, i) => `job:m${i}:rate5m`);
    const tangled = new Map(names.map((n) => [n, names.join(" + ")]));
    const t0 = performance.now();
    expect(signalsOf(`${names[0]} > 1`, tangled)).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe("expressions that do not parse", () => {
  it("are a clear refusal with the position, never a crash or a guess", () => {
    for (const [expr, problem] of [
      ['sum(rate(http_requests_total{code=~"5.."}[5m]) / sum(rate(http_requests_total[5m])) > 0.01', /syntax error at character \d+|unexpected end/],
      ["rate(http_requests_total[5m]", /syntax error|unexpected end/],
      ['http_requests_total{code=~"5..}', /unterminated string at character 27/],
      ["", /empty/],
      ["   ", /empty/],
      ["histogram_quantile(0.99, ", /syntax error|unexpected end/],
      ["}{", /syntax error at character 1/],
    ] as const) {
      const result = classifyAlertExpr(expr);
      expect(result.parsed, expr).toBe(false);
      if (!result.parsed) expect(result.problem, expr).toMatch(problem);
    }
  });

  it("refuses an expression longer than it reads", () => {
    const result = classifyAlertExpr(`${"1 + ".repeat(MAX_EXPR_CHARS / 4)}1`);
    expect(result).toEqual({ parsed: false, problem: `the expression is ${MAX_EXPR_CHARS + 1} characters, over the ${MAX_EXPR_CHARS} read` });
  });
});

// Property tests: whatever a rule file's expr holds, the classifier answers (a classification or
// a refusal with a reason), never throws, and answers quickly.
const TOKENS = [
  "sum", "rate", "irate", "increase", "histogram_quantile", "absent", "by", "without", "on", "ignoring", "group_left", "offset", "bool",
  "(", ")", "[5m]", "[1h:5m]", "{", "}", ",", "=", "=~", "!=", "!~", "/", "*", "+", "-", ">", "<", "==", "and", "or", "unless", "@", "^", "%",
  '"5.."', '"2.."', "'50[0-4]'", "`5xx`", '"', "0.99", "1e3", "5m", "le", "code", "status", "quantile", "__name__",
  "http_requests_total", "http_request_duration_seconds_bucket", "go_threads", "job:request_errors:rate5m", "x_errors_total", "#", "\n",
];
const promqlish = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(" "));

describe("classifier properties", () => {
  it("any text gives a classification or a refusal with a reason, within 250 ms", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 400 }), promqlish), (expr) => {
        const t0 = performance.now();
        const result = classifyAlertExpr(expr);
        expect(performance.now() - t0).toBeLessThan(250);
        if (result.parsed) for (const s of result.signals) expect(s.because.length).toBeGreaterThan(0);
        else expect(result.problem).toMatch(/\S/);
      }),
      { numRuns: 2_000 },
    );
  });

  it("wrapping an expression in parentheses changes neither whether it parses nor what it watches", () => {
    fc.assert(
      fc.property(promqlish, (expr) => {
        const plain = classifyAlertExpr(expr);
        // A trailing comment would swallow the closing parenthesis.
        fc.pre(plain.parsed && !expr.includes("#"));
        const wrapped = classifyAlertExpr(`(${expr})`);
        expect(wrapped.parsed).toBe(true);
        if (wrapped.parsed && plain.parsed) expect(wrapped.signals.map((s) => s.signal)).toEqual(plain.signals.map((s) => s.signal));
      }),
      { numRuns: 500 },
    );
  });

  it("reads nesting up to its limit and refuses deeper nesting with a reason, quickly", () => {
    const nested = (depth: number) => `${"(".repeat(depth)}rate(x_errors_total[5m])${")".repeat(depth)}`;
    expect(classifyAlertExpr(nested(MAX_EXPR_NESTING - 2))).toMatchObject({ parsed: true, signals: [{ signal: "error-rate" }] });
    const t0 = performance.now();
    expect(classifyAlertExpr(nested(Math.floor(MAX_EXPR_CHARS / 2) - 40))).toEqual({ parsed: false, problem: `the expression nests brackets more than ${MAX_EXPR_NESTING} levels deep` });
    expect(performance.now() - t0).toBeLessThan(100);
  });
});
