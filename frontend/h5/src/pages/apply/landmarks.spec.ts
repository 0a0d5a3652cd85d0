import { describe, expect, it } from "vitest";
import { LAT_RANGE, LNG_RANGE, parseCoordinate } from "./landmarks";

describe("parseCoordinate", () => {
  it("should keep six decimals of a typed coordinate", () => {
    expect(parseCoordinate(" 24.43760049 ", ...LAT_RANGE)).toBe(24.4376);
    expect(parseCoordinate("118.0963", ...LNG_RANGE)).toBe(118.0963);
  });

  it("should refuse empty, non-numeric and out-of-China values", () => {
    expect(parseCoordinate("", ...LAT_RANGE)).toBeNull();
    expect(parseCoordinate("abc", ...LAT_RANGE)).toBeNull();
    expect(parseCoordinate("60", ...LAT_RANGE)).toBeNull();
    expect(parseCoordinate("-118", ...LNG_RANGE)).toBeNull();
  });
});
