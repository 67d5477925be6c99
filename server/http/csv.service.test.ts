import { describe, expect, it } from "vitest";
import { toCsv } from "./csv.ts";

describe("the audit export's CSV", () => {
  it("keeps a formula-looking reason or name as text when a spreadsheet opens it", () => {
    const csv = toCsv(["actor", "summary"], [
      ["=HYPERLINK(\"http://x\",\"click\")", "Requested rollback: +1 looks bad"],
      ["@SUM(A1:A9)", "-2 errors"],
      ["Rita Manager", "Approved the gate"],
    ]);
    expect(csv.split("\r\n")).toEqual([
      '"actor","summary"',
      '"\'=HYPERLINK(""http://x"",""click"")","Requested rollback: +1 looks bad"',
      '"\'@SUM(A1:A9)","\'-2 errors"',
      '"Rita Manager","Approved the gate"',
    ]);
  });

  it("quotes commas, quotes and line breaks, and leaves empty cells empty", () => {
    expect(toCsv(["a", "b"], [['say "hi", then\nleave', null]])).toBe('"a","b"\r\n"say ""hi"", then\nleave",""');
  });
});
