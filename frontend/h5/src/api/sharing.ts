// What a leader shares: the share card with the attributed link, the poster PNG, the 接龙 text,
// and the referral QR code for new leaders.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

export type ShareCard = components["schemas"]["ShareCardOut"];
export type Jielong = components["schemas"]["JielongOut"];

export const getShareCardApi = (shopId: number, campaignId: number) =>
  http.get<ShareCard>(`shops/${shopId}/leader/campaigns/${campaignId}/share`);
export const getJielongApi = (shopId: number, campaignId: number) =>
  http.get<Jielong>(`shops/${shopId}/leader/campaigns/${campaignId}/jielong`);
export const posterUrl = (shopId: number, campaignId: number) =>
  `/api/shops/${shopId}/leader/campaigns/${campaignId}/poster.png`;
// The mini-program code (小程序码) with my attribution; answers 400 when the shop has no mini-program.
export const wxacodeUrl = (shopId: number, campaignId: number) =>
  `/api/shops/${shopId}/leader/campaigns/${campaignId}/wxacode.png`;
/** A member's own share card: the link carries their leader, who is credited. */
export const getMemberShareCardApi = (shopId: number, campaignId: number) =>
  http.get<ShareCard>(`shops/${shopId}/campaigns/${campaignId}/share`);
export const referralQrUrl = (shopId: number) => `/api/shops/${shopId}/leader/referral-qr.png`;
