import { describe, expect, it } from "vitest";
import { emptySkuRow, fenToYuanText, skuRowsToPayload, skuToRow } from "./product-form";

describe("skuRowsToPayload", () => {
  it("should send new and existing SKUs with prices in fen", () => {
    const existing = skuToRow({
      id: 5,
      spec: "5斤",
      code: "MG5",
      price_fen: 5900,
      cost_fen: 3000,
      stock: 12,
      is_active: true,
    });
    const added = { ...emptySkuRow(), spec: "10斤", price: "99.9", cost: "60", stock: 8 };

    const { skus, patches, errors } = skuRowsToPayload([existing, added], "bad");

    expect(errors).toEqual({});
    expect(skus).toEqual([
      { spec: "5斤", code: "MG5", price_fen: 5900, cost_fen: 3000, stock: 12 },
      { spec: "10斤", code: "", price_fen: 9990, cost_fen: 6000, stock: 8 },
    ]);
    // Existing SKUs never send stock: it moves only through adjustments.
    expect(patches).toEqual([
      { id: 5, spec: "5斤", code: "MG5", price_fen: 5900, cost_fen: 3000, is_active: true },
      { spec: "10斤", code: "", price_fen: 9990, cost_fen: 6000, stock: 8, is_active: true },
    ]);
  });

  it("should put the error at the row's price field", () => {
    const { errors } = skuRowsToPayload([{ ...emptySkuRow(), price: "12.345", cost: "abc" }], "bad");

    expect(errors).toEqual({ "skus.0.price_fen": "bad", "skus.0.cost_fen": "bad" });
  });
});

describe("fenToYuanText", () => {
  it("should show fen as an editable yuan amount", () => {
    expect(fenToYuanText(5900)).toBe("59.00");
    expect(fenToYuanText(5)).toBe("0.05");
  });
});
