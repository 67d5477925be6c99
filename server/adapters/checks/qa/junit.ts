import { XMLParser, XMLValidator } from "fast-xml-parser";

/** One testcase that failed or errored, as a release manager reads it. */
export type FailedTest = { suite: string; name: string; kind: "failure" | "error"; message: string };

/** Totals of one or more JUnit reports. */
export type JUnitTotals = { tests: number; failures: number; errors: number; skipped: number; failed: FailedTest[] };

export const emptyTotals = (): JUnitTotals => ({ tests: 0, failures: 0, errors: 0, skipped: 0, failed: [] });

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  isArray: (name, _path, _leaf, isAttribute) => isAttribute !== true && ["testsuites", "testsuite", "testcase", "failure", "error", "skipped"].includes(name),
});

/**
 * Reads a JUnit XML report (`<testsuites>` or a bare `<testsuite>`, nested suites included).
 * Counts come from the testcases themselves, not the suites' attributes, which some reporters
 * leave stale. Throws an Error with the parser's message (and line) when the XML is malformed.
 */
export function parseJUnit(xml: string): JUnitTotals {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  const doc = parser.parse(xml) as XmlNode;
  const roots = doc["testsuites"] !== undefined ? asNodes(doc["testsuites"]) : [];
  const suites = asNodes(doc["testsuite"]);
  if (roots.length === 0 && suites.length === 0) throw new Error("not a JUnit report: no <testsuites> or <testsuite> element");
  const totals = emptyTotals();
  // A <testsuites> root holds suites and, with node:test, top-level testcases of its own.
  for (const r of roots) addSuite(r, [], totals, { root: true });
  for (const s of suites) addSuite(s, [], totals);
  return totals;
}

function addSuite(suite: XmlNode, parents: string[], totals: JUnitTotals, opts: { root?: boolean } = {}): void {
  const name = attr(suite, "name") || "(unnamed suite)";
  const trail = opts.root ? parents : [...parents, name];
  for (const tc of asNodes(suite["testcase"])) {
    totals.tests++;
    const failure = asNodes(tc["failure"])[0];
    const error = asNodes(tc["error"])[0];
    const suiteLabel = trail.join(" › ") || "(top level)";
    const testName = attr(tc, "name") || "(unnamed test)";
    if (failure !== undefined) {
      totals.failures++;
      totals.failed.push({ suite: suiteLabel, name: testName, kind: "failure", message: messageOf(failure) });
    } else if (error !== undefined) {
      totals.errors++;
      totals.failed.push({ suite: suiteLabel, name: testName, kind: "error", message: messageOf(error) });
    } else if (tc["skipped"] !== undefined) {
      totals.skipped++;
    }
  }
  for (const child of asNodes(suite["testsuite"])) addSuite(child, trail, totals);
}

function messageOf(node: XmlNode): string {
  const message = attr(node, "message");
  const body = typeof node["#text"] === "string" ? node["#text"] : "";
  // Many reporters repeat the message in the body (`AssertionError: <message>`); show it once.
  const text = body.includes(message) ? body : [message, body].filter((s) => s.length > 0).join("\n");
  return text.length > 0 ? text : "(no message)";
}

function attr(node: XmlNode, name: string): string {
  const v = node[`@_${name}`];
  return typeof v === "string" ? v : "";
}

// `<failure/>` parses to "" and `<failure message="x"/>` to an object; both count.
function asNodes(v: unknown): XmlNode[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => (typeof x === "object" && x !== null ? (x as XmlNode) : { "#text": typeof x === "string" ? x : String(x) }));
}
