import { describe, expect, it } from "vitest";
import { bpToPercent, noticePreview, percentToBp } from "./rate";

describe("percentToBp", () => {
  it("should turn typed percents into basis points exactly", () => {
    expect(percentToBp("10")).toBe(1000);
    expect(percentToBp("12.5")).toBe(1250);
    expect(percentToBp("0.05")).toBe(5);
    expect(percentToBp(" 7.25% ")).toBe(725);
  });

  it("should refuse what is not a percent", () => {
    expect(percentToBp("")).toBeNull();
    expect(percentToBp("abc")).toBeNull();
    expect(percentToBp("-1")).toBeNull();
    expect(percentToBp("1.234")).toBeNull();
  });
});

describe("bpToPercent", () => {
  it("should show basis points as a short percent", () => {
    expect(bpToPercent(1000)).toBe("10");
    expect(bpToPercent(1250)).toBe("12.5");
    expect(bpToPercent(5)).toBe("0.05");
    expect(bpToPercent(0)).toBe("0");
  });

  it("should round-trip with percentToBp", () => {
    for (const bp of [0, 1, 10, 99, 100, 1234, 5000]) expect(percentToBp(bpToPercent(bp))).toBe(bp);
  });
});

describe("noticePreview", () => {
  it("should fill every placeholder", () => {
    expect(
      noticePreview("「{campaign}」到{point}了，提货码{code}，{code}", {
        campaign: "鲜果团",
        point: "海韵花园",
        code: "1234",
      }),
    ).toBe("「鲜果团」到海韵花园了，提货码1234，1234");
  });
});
