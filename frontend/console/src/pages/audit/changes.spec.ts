import { describe, expect, it } from "vitest";
import { changeLines } from "./changes";

describe("changeLines", () => {
  const label = (field: string) => ({ price_fen: "价格", city: "所在城市" })[field] ?? null;

  it("should show money in yuan and name the SKU of a flat key", () => {
    expect(changeLines({ "skus.12.price_fen": 5900 }, { "skus.12.price_fen": 6500 }, label)).toEqual([
      { field: "价格（SKU #12）", before: "¥59.00", after: "¥65.00" },
    ]);
  });

  it("should mark a side that has no value and show empty values", () => {
    expect(changeLines({}, { city: "泉州", note: "" }, label)).toEqual([
      { field: "所在城市", before: "—", after: "泉州" },
      { field: "note", before: "—", after: "（空）" },
    ]);
  });

  it("should let a code be named for people", () => {
    const named = (field: string, value: unknown) => (field === "action" && value === "refund" ? "退款" : null);
    expect(changeLines({}, { action: "refund" }, label, named)).toEqual([
      { field: "action", before: "—", after: "退款" },
    ]);
  });
});
