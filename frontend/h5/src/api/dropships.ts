// The supplier's shipping of my order's dropshipped lines (一件代发): status, carrier, tracking number.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

export type OrderDropship = components["schemas"]["OrderDropshipOut"];

export const getOrderDropshipsApi = (shopId: number, orderId: number) =>
  http.get<OrderDropship[]>(`shops/${shopId}/orders/${orderId}/dropships`);
