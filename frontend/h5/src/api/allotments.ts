// 发券宝: the coupons a leader hands out (leader center) and claiming one through a leader's link.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";
import type { Coupon } from "./coupons";

type Schemas = components["schemas"];
export type LeaderAllotment = Schemas["LeaderAllotmentOut"];
export type LeaderCoupon = Schemas["LeaderCouponOut"];

export const getMyAllotmentsApi = (shopId: number) =>
  http.get<LeaderAllotment[]>(`shops/${shopId}/leader/coupon-allotments`);
export const getLeaderCouponsApi = (shopId: number, leaderId: number) =>
  http.get<LeaderCoupon[]>(`shops/${shopId}/leader-coupons`, { leader_id: leaderId });
export const claimLeaderCouponApi = (shopId: number, templateId: number, leaderId: number) =>
  http.post<Coupon>(`shops/${shopId}/leader-coupons/${templateId}/claim`, { leader_id: leaderId });
