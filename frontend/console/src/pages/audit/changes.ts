// Before -> after of an audit record, as lines people read: "价格（规格#12）: ¥59.00 → ¥65.00".
import { formatFen } from "@shared/money";

export interface ChangeLine {
  field: string;
  before: string;
  after: string;
}

/** The last part of a flat key (skus.12.price_fen -> price_fen) names the field; the middle, the row. */
export function fieldName(key: string, label: (field: string) => string | null): string {
  const parts = key.split(".");
  const field = parts[parts.length - 1];
  const name = label(field) ?? field;
  // skus.<id>.price_fen (a product's SKU) and items.<sku_id>.price_fen (a campaign item) both name a SKU
  return parts.length === 3 ? `${name}（SKU #${parts[1]}）` : name;
}

export function showValue(field: string, value: unknown): string {
  if (value === undefined) return "—";
  if (value === null || value === "") return "（空）";
  if (typeof value === "number" && field.endsWith("_fen")) return formatFen(value);
  if (typeof value === "boolean") return value ? "是" : "否";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** `named(field, value)` may name a code (an action key) for people; null keeps the value as it is. */
export function changeLines(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  label: (field: string) => string | null = () => null,
  named: (field: string, value: unknown) => string | null = () => null,
): ChangeLine[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const show = (field: string, side: Record<string, unknown>, key: string) =>
    key in side ? (named(field, side[key]) ?? showValue(field, side[key])) : "—";
  return keys.map((key) => {
    const field = key.split(".").pop() ?? key;
    return { field: fieldName(key, label), before: show(field, before, key), after: show(field, after, key) };
  });
}
