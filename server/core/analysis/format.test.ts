import { describe, expect, it } from "vitest";
import { count, evidence, percent } from "./format.ts";

describe("numbers in evaluation messages", () => {
  it("prints evidence readably from tiny to far beyond what a double holds", () => {
    expect(evidence(Math.log(400))).toBe("400");
    expect(evidence(Math.log(3.2e4))).toBe("3.2e4");
    expect(evidence(Math.log(0.31))).toBe("0.31");
    expect(evidence(Math.log(5.7e-4))).toBe("5.7e-4");
    expect(evidence(2_000)).toBe("3.9e868");
    expect(evidence(Math.log(9.97e5))).toBe("1.0e6");
  });

  it("prints rates and counts the way a release manager writes them", () => {
    expect([0.048, 0.01, 0.001, 0.0005, 0, 0.2].map(percent)).toEqual(["4.8%", "1%", "0.1%", "0.05%", "0%", "20%"]);
    expect([0, 999, 2_075, 1_234_567].map(count)).toEqual(["0", "999", "2,075", "1,234,567"]);
  });
});
