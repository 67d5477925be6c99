import { describe, expect, it } from "vitest";
import { activeFreeze, currentOrNextFreeze, freezeWindowProblems, frozenMessage, type FreezeWindow } from "./change-freeze.ts";

const H = 3_600_000;
const now = Date.UTC(2026, 11, 31, 12);
const quarterEnd: FreezeWindow = { id: "q", reason: "Quarter end", startsAt: now - 2 * H, endsAt: now + 48 * H };
const sale: FreezeWindow = { id: "s", reason: "Sale", startsAt: now + 72 * H, endsAt: now + 96 * H };

describe("change freezes", () => {
  it("a window is in effect from its start, up to but not including its end", () => {
    expect(activeFreeze([quarterEnd, sale], now)).toBe(quarterEnd);
    expect(activeFreeze([quarterEnd], quarterEnd.startsAt)).toBe(quarterEnd);
    expect(activeFreeze([quarterEnd], quarterEnd.endsAt)).toBeNull();
    expect(activeFreeze([sale], now)).toBeNull();
    expect(activeFreeze([], now)).toBeNull();
  });

  it("New run warns of the freeze in effect, or of the next one within a week", () => {
    expect(currentOrNextFreeze([sale, quarterEnd], now)).toBe(quarterEnd);
    expect(currentOrNextFreeze([sale], now)).toBe(sale);
    expect(currentOrNextFreeze([sale], now, 24 * H)).toBeNull();
  });

  it("refuses windows that end before they start, have ended, span over 90 days, lie over a year ahead or overlap another", () => {
    expect(freezeWindowProblems({ startsAt: now, endsAt: now - H }, [], now)).toEqual({ endsAt: ["Must be after the start", "Must be in the future"] });
    expect(freezeWindowProblems({ startsAt: now - 10 * H, endsAt: now - H }, [], now)).toEqual({ endsAt: ["Must be in the future"] });
    expect(freezeWindowProblems({ startsAt: now, endsAt: now + 91 * 24 * H }, [], now)).toEqual({ endsAt: ["A freeze spans at most 90 days"] });
    expect(freezeWindowProblems({ startsAt: now + 367 * 24 * H, endsAt: now + 368 * 24 * H }, [], now)).toEqual({ startsAt: ["Schedule at most a year ahead"] });
    expect(freezeWindowProblems({ startsAt: now + 47 * H, endsAt: now + 50 * H }, [quarterEnd], now)?.startsAt?.[0]).toMatch(/^Overlaps the freeze “Quarter end” \(2026-12-31 10:00 to 2027-01-02 12:00 UTC\)/);
    // Touching is not overlapping: one freeze may start when the other ends.
    expect(freezeWindowProblems({ startsAt: quarterEnd.endsAt, endsAt: quarterEnd.endsAt + H }, [quarterEnd], now)).toBeNull();
  });

  it("says until when and why, and that an admin can override", () => {
    expect(frozenMessage("production", "Checkout", quarterEnd)).toBe("Production of Checkout is frozen until 2027-01-02 12:00 UTC: “Quarter end”. An admin can override the freeze with a reason.");
  });
});
