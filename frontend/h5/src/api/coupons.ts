// Coupons (优惠券): the coupon centre, my coupons, and my coupons against a cart (best first).
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";
import { formatFen, formatRateBp } from "@shared/money";

type Schemas = components["schemas"];
export type Coupon = Schemas["CouponOut"];
export type CouponCentreEntry = Schemas["CouponCentreOut"];
export type CouponOption = Schemas["CouponOptionOut"];
export type CartIn = Schemas["CartIn"];
export type MyCouponStatus = "unused" | "used" | "expired";

export const getCouponCentreApi = (shopId: number) => http.get<CouponCentreEntry[]>(`shops/${shopId}/coupon-centre`);
export const claimCouponApi = (shopId: number, templateId: number) =>
  http.post<Coupon>(`shops/${shopId}/coupon-centre/${templateId}/claim`);
export const getMyCouponsApi = (shopId: number, status: MyCouponStatus, page = 1) =>
  http.get<Page<Coupon>>(`shops/${shopId}/coupons`, { status, page });
export const getCouponsForCartApi = (shopId: number, cart: CartIn) =>
  http.post<CouponOption[]>(`shops/${shopId}/coupons/for-cart`, cart);

type Rules = Pick<Coupon, "kind" | "threshold_fen" | "reduce_fen" | "percent_off_bp" | "max_discount_fen">;

/** The big figure of a coupon card: ¥5 or 8.5折 (15% off). */
export function couponFace(rules: Rules, english = false): string {
  if (rules.kind !== "percent") return formatFen(rules.reduce_fen).replace(/\.00$/, "");
  return english ? `${formatRateBp(rules.percent_off_bp)} off` : `${(10000 - rules.percent_off_bp) / 1000}折`;
}

/** Its condition: 满¥50可用 / 无门槛 (with the cap of a percent coupon). */
export function couponCondition(rules: Rules, t: (key: string, params?: Record<string, unknown>) => string): string {
  const head = rules.threshold_fen
    ? t("coupons.threshold", { amount: formatFen(rules.threshold_fen) })
    : t("coupons.noThreshold");
  return rules.max_discount_fen ? `${head} · ${t("coupons.cap", { amount: formatFen(rules.max_discount_fen) })}` : head;
}

// 支付有礼: the gift a paid order brought (empty until the gift job has run, or when none matched).
export type PaymentGiftGrant = Schemas["PaymentGiftGrantOut"];
export const getOrderGiftsApi = (shopId: number, orderId: number) =>
  http.get<PaymentGiftGrant[]>(`shops/${shopId}/orders/${orderId}/gifts`);

// 满减送: the shop's running activities (campaign page) and what a cart gets before any coupon.
export type FullReduction = Schemas["FullReductionOut"];
export type ReductionQuote = Schemas["ReductionQuoteOut"];
export const getFullReductionsApi = (shopId: number) => http.get<FullReduction[]>(`shops/${shopId}/full-reductions`);
export const getReductionForCartApi = (shopId: number, cart: CartIn) =>
  http.post<ReductionQuote>(`shops/${shopId}/full-reductions/for-cart`, cart);
