import { describe, expect, it } from "vitest";
import { formatFen, formatRateBp, parseYuan } from "./money";

describe("formatFen", () => {
  it("should format fen as yuan with two decimals", () => {
    expect(formatFen(12345)).toBe("¥123.45");
    expect(formatFen(5)).toBe("¥0.05");
    expect(formatFen(0)).toBe("¥0.00");
    expect(formatFen(-1990)).toBe("-¥19.90");
  });

  it("should group thousands", () => {
    expect(formatFen(250000)).toBe("¥2,500.00");
    expect(formatFen(123456789)).toBe("¥1,234,567.89");
    expect(formatFen(-100000)).toBe("-¥1,000.00");
    expect(formatFen(99999)).toBe("¥999.99");
  });

  it("should refuse a float", () => {
    expect(() => formatFen(1.5)).toThrow(TypeError);
  });
});

describe("parseYuan", () => {
  it("should parse yuan text into fen without floating point", () => {
    expect(parseYuan("12.3")).toBe(1230);
    expect(parseYuan("0.07")).toBe(7);
    expect(parseYuan("19.99")).toBe(1999);
    expect(parseYuan(" 5 ")).toBe(500);
    expect(parseYuan("2,500.00")).toBe(250000);
    expect(parseYuan(formatFen(123456789, ""))).toBe(123456789);
  });

  it("should return null for what is not money", () => {
    expect(parseYuan("1.234")).toBeNull();
    expect(parseYuan("abc")).toBeNull();
    expect(parseYuan("1,23")).toBeNull();
    expect(parseYuan("")).toBeNull();
  });
});

describe("formatRateBp", () => {
  it("should show basis points as a percent", () => {
    expect(formatRateBp(1000)).toBe("10%");
    expect(formatRateBp(1250)).toBe("12.5%");
    expect(formatRateBp(5)).toBe("0.05%");
  });
});
