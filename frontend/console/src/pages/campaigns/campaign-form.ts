// The campaign wizard's form, turned into the API's CampaignIn: money typed in yuan goes out in
// fen, commission typed in percent goes out in basis points; errors keyed like the API's fields.
import { parseYuan } from "@shared/money";
import type { CampaignIn } from "../../api/campaigns";

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
}

export interface Messages {
  invalidMoney: string;
  invalidPercent: string;
  required: string;
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
