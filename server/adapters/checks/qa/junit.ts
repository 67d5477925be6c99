import { XMLParser, XMLValidator } from "fast-xml-parser";

/** One testcase that failed or errored, as a release manager reads it. */
export type FailedTest = { suite: string; name: string; kind: "failure" | "error"; message: string };

/** Totals of one or more JUnit reports. */
export type JUnitTotals = { tests: number; failures: number; errors: number; skipped: number; failed: FailedTest[] };

export const emptyTotals = (): JUnitTotals => ({ tests: 0, failures: 0, errors: 0, skipped: 0, failed: [] });

type XmlNode = Record<string, unknown>;

/** Elements nested deeper than this are refused: no reporter writes them (suites in suites run a few levels). */
export const MAX_XML_DEPTH = 100;

const parser = new XMLParser({
  maxNestedTags: MAX_XML_DEPTH,
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
 * leave stale. A suite (or the `<testsuites>` root) without any testcase below it is counted
 * from its attributes (`tests`, `failures`, `errors`, `skipped`/`disabled`): some CI summaries
 * carry only those. Throws an Error with the parser's message (and line) when the XML is malformed.
 */
export function parseJUnit(xml: string): JUnitTotals {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  const doc = parseXml(xml);
  const roots = doc["testsuites"] !== undefined ? asNodes(doc["testsuites"]) : [];
  const suites = asNodes(doc["testsuite"]);
  if (roots.length === 0 && suites.length === 0) throw new Error("not a JUnit report: no <testsuites> or <testsuite> element");
  const totals = emptyTotals();
  // A <testsuites> root holds suites and, with node:test, top-level testcases of its own.
  for (const r of roots) addSuite(r, [], totals, { root: true });
  for (const s of suites) addSuite(s, [], totals);
  return totals;
}

function parseXml(xml: string): XmlNode {
  try {
    return parser.parse(xml) as XmlNode;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(/nested tags/i.test(message) ? `elements nested deeper than ${MAX_XML_DEPTH} levels` : message);
  }
}

/** Adds one suite's testcases (and its children's) to `totals`; returns how many tests it counted. */
function addSuite(suite: XmlNode, parents: string[], totals: JUnitTotals, opts: { root?: boolean } = {}): number {
  const name = attr(suite, "name") || "(unnamed suite)";
  const trail = opts.root ? parents : [...parents, name];
  const suiteLabel = trail.join(" › ") || "(top level)";
  let testcases = 0;
  for (const tc of asNodes(suite["testcase"])) {
    testcases++;
    totals.tests++;
    const failure = asNodes(tc["failure"])[0];
    const error = asNodes(tc["error"])[0];
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
  for (const child of asNodes(suite["testsuite"])) testcases += addSuite(child, trail, totals);
  // Counted below (testcases, or a child's attributes): this suite's own totals would count them twice.
  return testcases > 0 ? testcases : addAttributeCounts(suite, opts.root ? attr(suite, "name") || "(all suites)" : suiteLabel, totals);
}

/**
 * A suite that lists no testcase but says how many ran: its counts stand. Its failures cannot be
 * named, so each kind becomes one failed entry that says so (a failure must never read as a pass).
 */
function addAttributeCounts(suite: XmlNode, suiteLabel: string, totals: JUnitTotals): number {
  const tests = countAttr(suite, "tests");
  if (tests === 0) return 0;
  const failures = Math.min(countAttr(suite, "failures"), tests);
  const errors = Math.min(countAttr(suite, "errors"), tests - failures);
  const skipped = Math.min(Math.max(countAttr(suite, "skipped"), countAttr(suite, "disabled")), tests - failures - errors);
  totals.tests += tests;
  totals.failures += failures;
  totals.errors += errors;
  totals.skipped += skipped;
  const note = "counted from the suite's attributes; the report lists no testcase";
  if (failures > 0) totals.failed.push({ suite: suiteLabel, name: `${failures} failing test${failures === 1 ? "" : "s"} (not named in the report)`, kind: "failure", message: note });
  if (errors > 0) totals.failed.push({ suite: suiteLabel, name: `${errors} erroring test${errors === 1 ? "" : "s"} (not named in the report)`, kind: "error", message: note });
  return tests;
}

/** A count attribute: a non-negative integer, or 0 when absent or not a number. */
function countAttr(node: XmlNode, name: string): number {
  const n = Number(attr(node, name));
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
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
