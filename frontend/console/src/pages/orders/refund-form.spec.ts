import { describe, expect, it } from "vitest";
import { pendingQuantities, refundPayload, refundableFen, refundableQuantity } from "./refund-form";

const messages = { reasonRequired: "reason", chooseLines: "lines", invalidMoney: "money" };

describe("refundPayload", () => {
  it("should refund everything left with only a reason", () => {
    expect(refundPayload("full", {}, "", " 破损 ", messages)).toEqual({ body: { reason: "破损" } });
  });

  it("should send the chosen lines with pieces, leaving out lines at zero", () => {
    expect(refundPayload("lines", { 11: 1, 12: 0, 13: 2 }, "", "少发", messages)).toEqual({
      body: {
        lines: [
          { line_id: 11, quantity: 1 },
          { line_id: 13, quantity: 2 },
        ],
        reason: "少发",
      },
    });
  });

  it("should send an amount typed in yuan as fen", () => {
    expect(refundPayload("amount", {}, "12.5", "差价", messages)).toEqual({
      body: { amount_fen: 1250, reason: "差价" },
    });
  });

  it("should point at the field that is missing or wrong", () => {
    expect(refundPayload("full", {}, "", "  ", messages)).toEqual({ field: "reason", message: "reason" });
    expect(refundPayload("lines", { 11: 0 }, "", "r", messages)).toEqual({ field: "lines", message: "lines" });
    expect(refundPayload("amount", {}, "1.234", "r", messages)).toEqual({ field: "amount_fen", message: "money" });
    expect(refundPayload("amount", {}, "0", "r", messages)).toEqual({ field: "amount_fen", message: "money" });
  });
});

describe("refundable amounts", () => {
  it("should be what was paid less what was refunded", () => {
    expect(refundableQuantity({ quantity: 3, refunded_quantity: 1 })).toBe(2);
    expect(refundableFen({ total_fen: 5980, refunded_fen: 2990 })).toBe(2990);
  });

  it("should leave out refunds still pending at the provider", () => {
    expect(refundableFen({ total_fen: 5980, refunded_fen: 1000, refunding_fen: 2990 })).toBe(1990);
    const refunds = [
      { status: "pending", kind: "order", lines: [{ line_id: 11, quantity: 1, amount_fen: 2990 }] },
      { status: "succeeded", kind: "order", lines: [{ line_id: 11, quantity: 1, amount_fen: 2990 }] },
      { status: "pending", kind: "excess", lines: [] },
    ];
    expect(pendingQuantities({ refunds })).toEqual({ 11: 1 });
    expect(refundableQuantity({ quantity: 3, refunded_quantity: 1 }, 1)).toBe(1);
    expect(refundableQuantity({ quantity: 1, refunded_quantity: 0 }, 2)).toBe(0);
  });
});
