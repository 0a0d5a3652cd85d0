import { describe, expect, it } from "vitest";
import { buildCampaignPayload, parsePercentBp, stepErrors, stepOfField, type WizardForm } from "./campaign-form";

const messages = { invalidMoney: "money", invalidPercent: "percent", required: "required" };

function form(changes: Partial<WizardForm> = {}): WizardForm {
  return {
    title: " 周末鲜果团 ",
    description: "",
    template: "fast",
    starts_at: new Date("2026-12-01T02:00:00Z"),
    cutoff_at: new Date("2026-12-03T02:00:00Z"),
    pickup_at: new Date("2026-12-04T02:00:00Z"),
    threshold_type: "members",
    threshold_value: 10,
    all_leaders: true,
    leader_ids: [7],
    items: [
      {
        sku_id: 3,
        product_name: "芒果",
        spec: "5斤",
        sku_price_fen: 5900,
        sku_stock: 100,
        price: "49.9",
        stock_allotted: 40,
        purchase_limit: null,
        commission: "12.5",
      },
    ],
    fulfilment_mode: "pickup",
    delivery_fee: "",
    delivery_free_above: "",
    delivery_slots: [],
    ...changes,
  };
}

describe("parsePercentBp", () => {
  it("should turn a percent into basis points", () => {
    expect(parsePercentBp("10")).toBe(1000);
    expect(parsePercentBp("12.5")).toBe(1250);
    expect(parsePercentBp("0.05")).toBe(5);
  });

  it("should answer null for blank (no override) and undefined for nonsense", () => {
    expect(parsePercentBp("  ")).toBeNull();
    expect(parsePercentBp("abc")).toBeUndefined();
    expect(parsePercentBp("101")).toBeUndefined();
    expect(parsePercentBp("1.234")).toBeUndefined();
  });
});

describe("buildCampaignPayload", () => {
  it("should send money in fen, commission in basis points and times as ISO", () => {
    const { payload, errors } = buildCampaignPayload(form(), messages);

    expect(errors).toEqual({});
    expect(payload).toEqual({
      title: "周末鲜果团",
      description: "",
      template: "fast",
      starts_at: "2026-12-01T02:00:00.000Z",
      cutoff_at: "2026-12-03T02:00:00.000Z",
      pickup_at: "2026-12-04T02:00:00.000Z",
      threshold_type: "members",
      threshold_value: 10,
      all_leaders: true,
      leader_ids: [],
      items: [{ sku_id: 3, price_fen: 4990, stock_allotted: 40, purchase_limit: null, commission_rate_bp: 1250 }],
      fulfilment_mode: "pickup",
      delivery_fee_fen: 0,
      delivery_free_above_fen: null,
      delivery_slots: [],
    });
  });

  it("should send home delivery's fee rule in fen with its slots", () => {
    const delivery = form({
      fulfilment_mode: "both",
      delivery_fee: "5",
      delivery_free_above: "59.9",
      delivery_slots: ["09:00-12:00"],
    });

    const { payload } = buildCampaignPayload(delivery, messages);

    expect([payload?.fulfilment_mode, payload?.delivery_fee_fen, payload?.delivery_free_above_fen]).toEqual([
      "both",
      500,
      5990,
    ]);
    expect(payload?.delivery_slots).toEqual(["09:00-12:00"]);
  });

  it("should refuse a fee that is not money", () => {
    const { payload, errors } = buildCampaignPayload(form({ delivery_fee: "五块" }), messages);

    expect(payload).toBeNull();
    expect(errors).toEqual({ delivery_fee_fen: "money" });
  });

  it("should keep chosen leaders only when not all leaders run it", () => {
    expect(buildCampaignPayload(form({ all_leaders: false }), messages).payload?.leader_ids).toEqual([7]);
  });

  it("should name the item field of a bad price or rate and send nothing", () => {
    const bad = form();
    bad.items[0].price = "4.999";
    bad.items[0].commission = "x";

    const { payload, errors } = buildCampaignPayload({ ...bad, title: "", pickup_at: null }, messages);

    expect(payload).toBeNull();
    expect(errors).toEqual({
      "items.0.price_fen": "money",
      "items.0.commission_rate_bp": "percent",
      title: "required",
      pickup_at: "required",
    });
  });
});

describe("stepOfField", () => {
  it("should go back to the step that shows the field", () => {
    expect(stepOfField("items")).toBe(0);
    expect(stepOfField("items.0.sku_id")).toBe(0);
    expect(stepOfField("items.2.stock_allotted")).toBe(1);
    expect(stepOfField("cutoff_at")).toBe(2);
    expect(stepOfField("leader_ids")).toBe(3);
  });
});

describe("stepErrors", () => {
  const checks = {
    ...messages,
    titleRequired: "title",
    pricePositive: "positive",
    cutoffAfterStart: "cutoff",
    pickupAfterCutoff: "pickup",
  };

  it("should report every price error of step 2 at once", () => {
    const bad = form();
    bad.items = [
      { ...bad.items[0], price: "0" },
      { ...bad.items[0], sku_id: 4, price: "abc", commission: "120" },
    ];
    expect(stepErrors(bad, 1, checks)).toEqual({
      "items.0.price": "positive",
      "items.1.price": "money",
      "items.1.commission": "percent",
    });
  });

  it("should report the title and both date orders of step 3 at once", () => {
    const bad = form({
      title: "  ",
      cutoff_at: new Date("2026-11-30T02:00:00Z"),
      pickup_at: new Date("2026-11-29T02:00:00Z"),
    });
    expect(stepErrors(bad, 2, checks)).toEqual({ title: "title", cutoff_at: "cutoff", pickup_at: "pickup" });
  });

  it("should let a valid step go on", () => {
    expect(stepErrors(form(), 1, checks)).toEqual({});
    expect(stepErrors(form(), 2, checks)).toEqual({});
  });
});
