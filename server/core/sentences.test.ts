import { describe, expect, it } from "vitest";
import { asSentence, asSentences } from "./sentences";

describe("field errors read as separate sentences", () => {
  it("capitalises a fragment and closes it with a full stop", () => {
    expect(asSentence("enter the version to release")).toBe("Enter the version to release.");
  });
  it("keeps a sentence that already ends", () => {
    expect(asSentence("Letters, digits, dots…")).toBe("Letters, digits, dots…");
    expect(asSentence("Is this right?")).toBe("Is this right?");
  });
  it("drops empty and repeated messages", () => {
    expect(asSentences(["Enter the version to release", " ", "Enter the version to release.", "too long"])).toEqual([
      "Enter the version to release.",
      "Too long.",
    ]);
  });
});

describe("a message that starts with a field's path", () => {
  it("keeps the path as written", () => {
    expect(asSentence("loadTest.url: must be an http(s) URL")).toBe("loadTest.url: must be an http(s) URL.");
    expect(asSentence("must not be empty")).toBe("Must not be empty.");
  });
});
