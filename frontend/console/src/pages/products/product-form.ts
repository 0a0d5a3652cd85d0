// The product dialog's SKU rows: typed in yuan, sent in fen; errors keyed by the API's field names.
import { parseYuan } from "@shared/money";
import type { Product, ProductIn, ProductPatch, Sku } from "../../api/products";

export interface SkuRow {
  id?: number;
  spec: string;
  code: string;
  price: string; // yuan as typed
  cost: string;
  stock: number; // opening stock of a new SKU; existing ones move through adjustments
  is_active: boolean;
}

export type FieldErrors = Record<string, string>;

export function fenToYuanText(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
}

export function skuToRow(sku: Sku): SkuRow {
  return {
    id: sku.id,
    spec: sku.spec,
    code: sku.code,
    price: fenToYuanText(sku.price_fen),
    cost: fenToYuanText(sku.cost_fen),
    stock: sku.stock,
    is_active: sku.is_active,
  };
}

export function emptySkuRow(): SkuRow {
  return { spec: "", code: "", price: "", cost: "0", stock: 0, is_active: true };
}

type SkuOut = ProductIn["skus"][number];
type SkuPatchOut = NonNullable<ProductPatch["skus"]>[number];

/** Rows to the API's SKUs; a price or cost that is not money gets an error at skus.N.<field>. */
export function skuRowsToPayload(
  rows: SkuRow[],
  invalidMoney: string,
): { skus: SkuOut[]; patches: SkuPatchOut[]; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const skus: SkuOut[] = [];
  const patches: SkuPatchOut[] = [];
  rows.forEach((row, index) => {
    const price = parseYuan(row.price);
    const cost = parseYuan(row.cost || "0");
    if (price === null) errors[`skus.${index}.price_fen`] = invalidMoney;
    if (cost === null) errors[`skus.${index}.cost_fen`] = invalidMoney;
    if (price === null || cost === null) return;
    skus.push({ spec: row.spec.trim(), code: row.code.trim(), price_fen: price, cost_fen: cost, stock: row.stock });
    patches.push(
      row.id
        ? {
            id: row.id,
            spec: row.spec.trim(),
            code: row.code.trim(),
            price_fen: price,
            cost_fen: cost,
            is_active: row.is_active,
          }
        : {
            spec: row.spec.trim(),
            code: row.code.trim(),
            price_fen: price,
            cost_fen: cost,
            stock: row.stock,
            is_active: true,
          },
    );
  });
  return { skus, patches, errors };
}

export type ProductKind = "physical" | "voucher" | "service" | "topup";
export type ProductDeal = "" | "new_member" | "once_per_member";

export interface ServiceForm {
  kind: ProductKind;
  uses_per_unit: number;
  valid_days: number;
  deal: ProductDeal;
  deal_limit: number;
}

export function emptyService(): ServiceForm {
  return { kind: "physical", uses_per_unit: 1, valid_days: 0, deal: "", deal_limit: 1 };
}

export function serviceFromProduct(product: Product): ServiceForm {
  return {
    kind: product.kind as ProductKind,
    uses_per_unit: product.uses_per_unit,
    valid_days: product.valid_days,
    deal: product.deal as ProductDeal,
    deal_limit: product.deal_limit,
  };
}

/** The service fields as the API takes them: dates only without a number of days, the face value in fen. */
export function servicePayload(
  form: ServiceForm,
  dates: [string, string] | null,
  faceValue: string,
  invalidMoney: string,
): {
  fields: ServiceForm & { face_value_fen: number; valid_from: string | null; valid_until: string | null };
  errors: FieldErrors;
} {
  const errors: FieldErrors = {};
  let face = 0;
  if (form.kind === "topup") {
    const parsed = parseYuan(faceValue || "");
    if (parsed === null || parsed === 0) errors.face_value_fen = invalidMoney;
    else face = parsed;
  }
  const fixedDates = form.valid_days === 0 && dates ? dates : null;
  return {
    fields: {
      ...form,
      face_value_fen: face,
      valid_from: fixedDates ? fixedDates[0] : null,
      valid_until: fixedDates ? fixedDates[1] : null,
    },
    errors,
  };
}
