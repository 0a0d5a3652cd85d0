// Marketing (营销): coupon templates with their figures; more tools join here.
import type { components } from "@shared/api-types";
import { http, withQuery, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type CouponTemplate = S["CouponTemplateOut"];
export type CouponTemplateIn = S["CouponTemplateIn"];
export type CouponTemplateStatus = "active" | "paused";

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getCouponTemplatesApi = (query: { page: number; status?: CouponTemplateStatus | "" }) =>
  http.get<Page<CouponTemplate>>(path("coupon-templates"), query);
export const createCouponTemplateApi = (body: CouponTemplateIn) =>
  http.post<CouponTemplate>(path("coupon-templates"), body);
export const setCouponTemplateStatusApi = (id: number, status: CouponTemplateStatus) =>
  http.post<CouponTemplate>(path(`coupon-templates/${id}/status`), { status });
export const couponTemplatesExportUrl = (status: CouponTemplateStatus | "") =>
  withQuery(`/api/${path("coupon-templates/export.xlsx")}`, { status: status || null });

// The other 营销 lists' downloads: packs (with every delivery), gifts, allotments, 满减送.
export const marketingExportUrl = (list: "coupon-packs" | "payment-gifts" | "coupon-allotments" | "full-reductions") =>
  `/api/${path(`${list}/export.xlsx`)}`;

export type CouponPack = S["CouponPackOut"];
export type CouponPackIn = S["CouponPackIn"];
export const getCouponPacksApi = (page: number) => http.get<Page<CouponPack>>(path("coupon-packs"), { page });
export const createCouponPackApi = (body: CouponPackIn) => http.post<CouponPack>(path("coupon-packs"), body);

export type PaymentGift = S["PaymentGiftOut"];
export type PaymentGiftIn = S["PaymentGiftIn"];
export const getPaymentGiftsApi = () => http.get<PaymentGift[]>(path("payment-gifts"));
export const createPaymentGiftApi = (body: PaymentGiftIn) => http.post<PaymentGift>(path("payment-gifts"), body);
export const setPaymentGiftStatusApi = (id: number, status: "active" | "paused") =>
  http.post<PaymentGift>(path(`payment-gifts/${id}/status`), { status });
// 发券宝: a template's coupons allotted to leaders, with claimed / used / GMV per leader.
export type CouponAllotment = S["AllotmentOut"];
export type CouponAllotmentIn = S["AllotmentIn"];
export const getCouponAllotmentsApi = (query: { page: number; template_id?: number | null }) =>
  http.get<Page<CouponAllotment>>(path("coupon-allotments"), query);
export const setCouponAllotmentsApi = (body: CouponAllotmentIn) =>
  http.post<S["AllotmentSetOut"]>(path("coupon-allotments"), body);

// 满减送: a shop's full-reduction activity (满99减10 / 满199减25), applied before any coupon.
export type FullReduction = S["FullReductionOut"];
export type FullReductionIn = S["FullReductionIn"];
export const getFullReductionsApi = (page: number) => http.get<Page<FullReduction>>(path("full-reductions"), { page });
export const createFullReductionApi = (body: FullReductionIn) =>
  http.post<FullReduction>(path("full-reductions"), body);
export const setFullReductionStatusApi = (id: number, status: "active" | "paused") =>
  http.post<FullReduction>(path(`full-reductions/${id}/status`), { status });
