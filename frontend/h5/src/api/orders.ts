// My orders: checkout, pay (sandbox page), list by status, detail, cancel, after-sales.
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";

type Schemas = components["schemas"];
export type Order = Schemas["OrderOut"];
export type OrderDetail = Schemas["OrderDetailOut"];
export type PaymentSync = Schemas["PaymentSyncOut"];
export type OrderIn = Schemas["OrderIn"];
export type AfterSaleIn = Schemas["AfterSaleIn"];

export const createOrderApi = (shopId: number, payload: OrderIn, idempotencyKey: string) =>
  http.post<Order>(`shops/${shopId}/orders`, payload, { "Idempotency-Key": idempotencyKey });
export type PaymentStart = Schemas["PaymentStartOut"];
/** Start paying: inside WeChat a JSAPI trade (`jsapi` parameters), on a computer a QR code
 * (`code_url`, native), elsewhere the pay page (`pay_url`). */
export const payOrderApi = (shopId: number, orderId: number, channel: "h5" | "jsapi" | "native" = "h5") =>
  http.post<PaymentStart>(`shops/${shopId}/orders/${orderId}/pay`, { channel });
export const getOrdersApi = (shopId: number, status: string, page = 1) =>
  http.get<Page<Order>>(`shops/${shopId}/orders`, { status: status || undefined, page });
export const getOrderApi = (shopId: number, orderId: number) =>
  http.get<OrderDetail>(`shops/${shopId}/orders/${orderId}`);
/** Ask the provider about the order's open payment (back from the pay page): the order after it,
 * with what the provider said (paid / closed / notpay / unknown / none / done). */
export const syncPaymentApi = (shopId: number, orderId: number) =>
  http.post<PaymentSync>(`shops/${shopId}/orders/${orderId}/payment-sync`);
export const cancelOrderApi = (shopId: number, orderId: number, reason: string) =>
  http.post<Order>(`shops/${shopId}/orders/${orderId}/cancel`, { reason });
export const createAfterSaleApi = (shopId: number, orderId: number, payload: AfterSaleIn) =>
  http.post<Schemas["AfterSaleOut"]>(`shops/${shopId}/orders/${orderId}/after-sales`, payload);

/** The pay page sends the payer back to this order when done, marked `from=pay`: the order page
 * then shows 支付确认中 and follows the order until the provider's notify lands. The sandbox page
 * takes a `return_url` on our site; WeChat Pay's h5_url a `redirect_url`, absolute and url-encoded. */
export function payUrlWithReturn(
  payUrl: string,
  shopId: number,
  orderId: number,
  provider = "sandbox",
  origin: string = typeof location === "undefined" ? "" : location.origin,
): string {
  const separator = payUrl.includes("?") ? "&" : "?";
  const back = `/h5/s/${shopId}/orders/${orderId}?from=pay`;
  if (provider === "wechatpay") return `${payUrl}${separator}redirect_url=${encodeURIComponent(origin + back)}`;
  return `${payUrl}${separator}return_url=${encodeURIComponent(back)}`;
}

/** Waits (ms) between looks at an order whose payment is being confirmed: quick at first, then
 * backing off to 5 s, about 90 s in all (a notify normally lands within seconds). */
export function confirmDelays(): number[] {
  const delays = [1000, 1000, 1500, 2000, 3000, 4000];
  while (delays.reduce((sum, delay) => sum + delay, 0) < 90_000) delays.push(5000);
  return delays;
}

/** While 支付确认中: the provider's answer that ends the wait although the order is still unpaid —
 * the payer cancelled (closed), did not pay (notpay), or there is no open payment (none). */
export const NOT_PAID = new Set(["closed", "notpay", "none"]);
export const stopsConfirming = (sync: Pick<PaymentSync, "status" | "payment_state">) =>
  sync.status !== "pending_payment" || NOT_PAID.has(sync.payment_state);

/** Money of refunds asked for and not yet confirmed by the provider (退款中). */
export const refundingFen = (order: Pick<OrderDetail, "pending_refunds">) =>
  order.pending_refunds.reduce((sum, refund) => sum + refund.amount_fen, 0);

/** Orders that may still be cancelled by the member: unpaid, or paid while the campaign is open. */
export const CANCELLABLE = new Set(["pending_payment", "paid"]);
/** After-sales is for goods that reached the member (or should have). */
export const AFTER_SALE_OK = new Set(["arrived", "picked_up", "completed", "shipped"]);

/** A fresh Idempotency-Key (randomUUID needs a secure context; a phone on plain http lacks it). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
