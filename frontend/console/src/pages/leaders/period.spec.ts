import { describe, expect, it } from "vitest";
import { lastDays, orderingFrom, periodQuery } from "./period";

describe("orderingFrom", () => {
  it("should map el-table sorting to the API's ordering", () => {
    expect(orderingFrom("gmv_fen", "descending")).toBe("-gmv_fen");
    expect(orderingFrom("last_order_at", "ascending")).toBe("last_order_at");
  });

  it("should drop cleared sorting and columns the server cannot sort", () => {
    expect(orderingFrom("gmv_fen", null)).toBeNull();
    expect(orderingFrom("phone", "ascending")).toBeNull();
    expect(orderingFrom(null, "ascending")).toBeNull();
  });
});

describe("lastDays", () => {
  it("should end today and include it", () => {
    expect(lastDays(7, new Date(2025, 2, 3))).toEqual(["2025-02-25", "2025-03-03"]);
    expect(lastDays(1, new Date(2025, 0, 9))).toEqual(["2025-01-09", "2025-01-09"]);
  });
});

describe("periodQuery", () => {
  it("should send both bounds or none", () => {
    expect(periodQuery(["2025-03-01", "2025-03-07"])).toEqual({ date_from: "2025-03-01", date_to: "2025-03-07" });
    expect(periodQuery(null)).toEqual({});
  });
});
