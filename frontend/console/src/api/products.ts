// Products, SKUs, images and stock of the current shop.
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type Schemas = components["schemas"];
export type Category = Schemas["CategoryOut"];
export type ProductListItem = Schemas["ProductListOut"];
export type Product = Schemas["ProductOut"];
export type ProductIn = Schemas["ProductIn"];
export type ProductPatch = Schemas["ProductPatch"];
export type ProductImage = Schemas["ImageOut"];
export type Sku = Schemas["SkuOut"];
export type StockAdjustIn = Schemas["StockAdjustIn"];
export type StockMovement = Schemas["StockMovementOut"];

const path = (rest: string) => useSessionStore().consolePath(rest);

export interface ProductQuery {
  page?: number;
  q?: string;
  category_id?: number | null;
  status?: "on_shelf" | "off_shelf" | "" | null;
}

export const getCategoriesApi = () => http.get<Category[]>(path("categories"));
export const createCategoryApi = (name: string) => http.post<Category>(path("categories"), { name, sort: 0 });

export const getProductsApi = (query: ProductQuery) => http.get<Page<ProductListItem>>(path("products"), { ...query });
export const getProductApi = (id: number) => http.get<Product>(path(`products/${id}`));
export const createProductApi = (body: ProductIn) => http.post<Product>(path("products"), body);
export const updateProductApi = (id: number, body: ProductPatch) => http.patch<Product>(path(`products/${id}`), body);
export const setProductShelfApi = (id: number, onShelf: boolean) =>
  http.post<Product>(path(`products/${id}/${onShelf ? "on-shelf" : "off-shelf"}`));

export function uploadProductImageApi(id: number, file: File) {
  const form = new FormData();
  form.append("file", file);
  return http.post<ProductImage>(path(`products/${id}/images`), form);
}
export const deleteProductImageApi = (id: number, imageId: number) =>
  http.delete<null>(path(`products/${id}/images/${imageId}`));

export const adjustStockApi = (skuId: number, body: StockAdjustIn) =>
  http.post<StockMovement>(path(`skus/${skuId}/stock-adjustments`), body);
export const getStockMovementsApi = (skuId: number, page = 1) =>
  http.get<Page<StockMovement>>(path(`skus/${skuId}/stock-movements`), { page });
