import { describe, expect, it } from "vitest";
import { deliveryFeeFen } from "./delivery";

describe("deliveryFeeFen", () => {
  it("should charge the fee below the free-above amount and waive it from there", () => {
    const campaign = { delivery_fee_fen: 500, delivery_free_above_fen: 5900 };

    expect([deliveryFeeFen(campaign, 5899), deliveryFeeFen(campaign, 5900)]).toEqual([500, 0]);
  });

  it("should always charge when no free-above amount is set", () => {
    expect(deliveryFeeFen({ delivery_fee_fen: 300, delivery_free_above_fen: null }, 1_000_000)).toBe(300);
  });
});
