// The campaign wizard's form, turned into the API's CampaignIn: money typed in yuan goes out in
// fen, commission typed in percent goes out in basis points; errors keyed like the API's fields.
import { parseYuan } from "@shared/money";
import type { Campaign, CampaignIn } from "../../api/campaigns";

export interface WizardItem {
  sku_id: number;
  product_name: string;
  spec: string;
  sku_price_fen: number;
  sku_stock: number;
  price: string; // campaign price in yuan
  stock_allotted: number;
  purchase_limit: number | null; // null: the product's own limit
  commission: string; // percent, blank: the leader's rate
}

export interface WizardForm {
  title: string;
  description: string;
  template: "fast" | "rich";
  starts_at: Date | null;
  cutoff_at: Date | null;
  pickup_at: Date | null;
  threshold_type: "members" | "quantity";
  threshold_value: number;
  all_leaders: boolean;
  leader_ids: number[];
  items: WizardItem[];
  fulfilment_mode: "pickup" | "delivery" | "both";
  delivery_fee: string; // yuan
  delivery_free_above: string; // yuan, blank: the fee always applies
  delivery_slots: string[]; // "09:00-12:00"
}

export interface Messages {
  invalidMoney: string;
  invalidPercent: string;
  required: string;
}

/** The wizard's own checks, by form-item prop; each answers an error text or null. */
export interface CheckMessages extends Messages {
  titleRequired: string;
  pricePositive: string;
  cutoffAfterStart: string;
  pickupAfterCutoff: string;
}

/** The props each step checks before 下一步 (every one of them, so every error shows at once). */
export function stepProps(form: WizardForm, step: number): string[] {
  if (step === 1) return form.items.flatMap((_, index) => [`items.${index}.price`, `items.${index}.commission`]);
  if (step === 2) return ["title", "starts_at", "cutoff_at", "pickup_at"];
  return [];
}

export function checkField(form: WizardForm, prop: string, messages: CheckMessages): string | null {
  const item = /^items\.(\d+)\.(price|commission)$/.exec(prop);
  if (item) {
    const row = form.items[Number(item[1])];
    if (!row) return null;
    if (item[2] === "commission") return parsePercentBp(row.commission) === undefined ? messages.invalidPercent : null;
    if (!row.price.trim()) return messages.required;
    const fen = parseYuan(row.price);
    if (fen === null) return messages.invalidMoney;
    return fen > 0 ? null : messages.pricePositive;
  }
  if (prop === "title") return form.title.trim() ? null : messages.titleRequired;
  if (prop === "starts_at") return form.starts_at ? null : messages.required;
  if (prop === "cutoff_at") {
    if (!form.cutoff_at) return messages.required;
    return form.starts_at && form.cutoff_at <= form.starts_at ? messages.cutoffAfterStart : null;
  }
  if (prop === "pickup_at") {
    if (!form.pickup_at) return messages.required;
    return form.cutoff_at && form.pickup_at <= form.cutoff_at ? messages.pickupAfterCutoff : null;
  }
  return null;
}

/** Every error of a step at once: { prop: message } (empty when the step may go on). */
export function stepErrors(form: WizardForm, step: number, messages: CheckMessages): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const prop of stepProps(form, step)) {
    const message = checkField(form, prop, messages);
    if (message) errors[prop] = message;
  }
  return errors;
}

/** A campaign from the API back into the wizard's form (editing a draft or scheduled campaign). */
export function formFromCampaign(campaign: Campaign): WizardForm {
  const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
  const percent = (bp: number | null) => (bp === null ? "" : String(bp / 100).replace(/(\.\d\d)\d+$/, "$1"));
  return {
    title: campaign.title,
    description: campaign.description,
    template: campaign.template as WizardForm["template"],
    starts_at: new Date(campaign.starts_at),
    cutoff_at: new Date(campaign.cutoff_at),
    pickup_at: new Date(campaign.pickup_at),
    threshold_type: campaign.threshold_type as WizardForm["threshold_type"],
    threshold_value: campaign.threshold_value,
    all_leaders: campaign.all_leaders,
    leader_ids: campaign.leaders.map((leader) => leader.leader_id),
    fulfilment_mode: campaign.fulfilment_mode as WizardForm["fulfilment_mode"],
    delivery_fee: yuan(campaign.delivery_fee_fen),
    delivery_free_above: campaign.delivery_free_above_fen === null ? "" : yuan(campaign.delivery_free_above_fen),
    delivery_slots: [...campaign.delivery_slots],
    items: campaign.items.map((item) => ({
      sku_id: item.sku_id,
      product_name: item.product_name,
      spec: item.spec,
      sku_price_fen: item.sku_price_fen,
      // a draft's SKU still holds its stock; a scheduled one already took it out
      sku_stock: Math.max(item.sku_stock, item.stock_allotted),
      price: yuan(item.price_fen),
      stock_allotted: item.stock_allotted,
      purchase_limit: item.purchase_limit,
      commission: percent(item.commission_rate_bp),
    })),
  };
}

/** What a published (scheduled) campaign may still change: texts, leaders, a later cut-off and pickup. */
export function publishedPatch(payload: CampaignIn, campaign: Campaign): Partial<CampaignIn> {
  const patch: Partial<CampaignIn> = {
    title: payload.title,
    description: payload.description,
    template: payload.template,
    all_leaders: payload.all_leaders,
  };
  if (!payload.all_leaders) patch.leader_ids = payload.leader_ids;
  if (new Date(payload.cutoff_at).getTime() !== new Date(campaign.cutoff_at).getTime())
    patch.cutoff_at = payload.cutoff_at;
  if (new Date(payload.pickup_at).getTime() !== new Date(campaign.pickup_at).getTime())
    patch.pickup_at = payload.pickup_at;
  return patch;
}

/** "10" -> 1000, "12.5" -> 1250, "" -> null (no override); undefined when not a percent 0–100. */
export function parsePercentBp(text: string): number | null | undefined {
  const trimmed = (text ?? "").trim();
  if (trimmed === "") return null;
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(trimmed);
  if (!match) return undefined;
  const bp = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  return bp <= 10000 ? bp : undefined;
}

/** The wizard step (0-based) that holds an API error's field, to go back to it. */
export function stepOfField(field: string | null): number {
  if (!field) return 3;
  if (field === "items" || /^items\.\d+\.sku_id$/.test(field)) return 0;
  if (field.startsWith("items")) return 1;
  if (["leader_ids", "all_leaders"].includes(field)) return 3;
  if (field.startsWith("delivery") || field === "fulfilment_mode") return 2;
  return 2;
}

export function buildCampaignPayload(
  form: WizardForm,
  messages: Messages,
): { payload: CampaignIn | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const items = form.items.map((item, index) => {
    const price = parseYuan(item.price);
    const rate = parsePercentBp(item.commission);
    if (price === null) errors[`items.${index}.price_fen`] = messages.invalidMoney;
    if (rate === undefined) errors[`items.${index}.commission_rate_bp`] = messages.invalidPercent;
    return {
      sku_id: item.sku_id,
      price_fen: price ?? 0,
      stock_allotted: item.stock_allotted,
      purchase_limit: item.purchase_limit,
      commission_rate_bp: rate ?? null,
    };
  });
  const deliveryFee = parseYuan(form.delivery_fee || "0");
  const freeAbove = form.delivery_free_above.trim() ? parseYuan(form.delivery_free_above) : null;
  if (deliveryFee === null) errors.delivery_fee_fen = messages.invalidMoney;
  if (freeAbove === null && form.delivery_free_above.trim()) errors.delivery_free_above_fen = messages.invalidMoney;
  if (!form.title.trim()) errors.title = messages.required;
  for (const field of ["starts_at", "cutoff_at", "pickup_at"] as const) {
    if (!form[field]) errors[field] = messages.required;
  }
  if (Object.keys(errors).length) return { payload: null, errors };
  return {
    errors,
    payload: {
      title: form.title.trim(),
      description: form.description,
      template: form.template,
      starts_at: form.starts_at!.toISOString(),
      cutoff_at: form.cutoff_at!.toISOString(),
      pickup_at: form.pickup_at!.toISOString(),
      threshold_type: form.threshold_type,
      threshold_value: form.threshold_value,
      all_leaders: form.all_leaders,
      leader_ids: form.all_leaders ? [] : form.leader_ids,
      items,
      fulfilment_mode: form.fulfilment_mode,
      delivery_fee_fen: deliveryFee ?? 0,
      delivery_free_above_fen: freeAbove,
      delivery_slots: form.fulfilment_mode === "pickup" ? [] : form.delivery_slots,
    },
  };
}

export type TagType = "primary" | "success" | "warning" | "info" | "danger";

const CAMPAIGN_TAGS: Record<string, TagType> = {
  draft: "info",
  scheduled: "warning",
  live: "primary",
  closed: "warning",
  succeeded: "success",
  failed: "danger",
  cancelled: "info",
};
export const campaignTagType = (status: string): TagType => CAMPAIGN_TAGS[status] ?? "info";
