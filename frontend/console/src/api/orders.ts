// Orders and after-sales of the current shop.
import type { components } from "@shared/api-types";
import { http, withQuery, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type Schemas = components["schemas"];
export type Order = Schemas["ConsoleOrderOut"];
export type OrderDetail = Schemas["ConsoleOrderDetailOut"];
export type OrderRefundIn = Schemas["OrderRefundIn"];
export type AfterSale = Schemas["AfterSaleOut"];
export type AfterSaleResolveIn = Schemas["AfterSaleResolveIn"];
export type OrderStatus = NonNullable<NonNullable<components["schemas"]["OrderOut"]["status"]>>;

const path = (rest: string) => useSessionStore().consolePath(rest);

export interface OrderFilters {
  campaign_id?: number | null;
  leader_id?: number | null;
  status?: string | null;
  date_from?: string | null;
  date_to?: string | null;
  phone?: string | null;
}

/** count stops at 10,000 (count_capped): past that the search is narrowed or walked by cursor. */
export const getOrdersApi = (filters: OrderFilters, page: number) =>
  http.get<Page<Order> & { count_capped: boolean; next_cursor: number | null }>(path("orders"), {
    ...filters,
    page,
  });
export const getOrderApi = (id: number) => http.get<OrderDetail>(path(`orders/${id}`));
export const cancelOrderApi = (id: number, reason: string) =>
  http.post<OrderDetail>(path(`orders/${id}/cancel`), { reason });
export const refundOrderApi = (id: number, body: OrderRefundIn) =>
  http.post<OrderDetail>(path(`orders/${id}/refund`), body);
/** The Excel of the orders matching these filters: a plain link, the browser downloads it. */
export const ordersExportUrl = (filters: OrderFilters) =>
  withQuery(`/api/${path("orders/export.xlsx")}`, { ...filters });

export const getAfterSalesApi = (status: string | null, page: number) =>
  http.get<Page<AfterSale>>(path("after-sales"), { status, page });
export const resolveAfterSaleApi = (id: number, body: AfterSaleResolveIn) =>
  http.post<AfterSale>(path(`after-sales/${id}/resolve`), body);
