// The product dialog's SKU rows: typed in yuan, sent in fen; errors keyed by the API's field names.
import { parseYuan } from "@shared/money";
import type { ProductIn, ProductPatch, Sku } from "../../api/products";

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
