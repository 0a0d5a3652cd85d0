// Leader center: my profile, campaigns I may run, my members' orders, arrival and pickup notice,
// pickup verification, commission and withdrawals.
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";

type Schemas = components["schemas"];
export type LeaderMe = Schemas["LeaderMeOut"];
export type LeaderCampaign = Schemas["LeaderCampaignOut"];
export type LeaderCampaignOrders = Schemas["LeaderCampaignOrdersOut"];
export type LeaderShipment = Schemas["LeaderShipmentOut"];
export type Arrival = Schemas["ArrivalOut"];
export type PickupNotice = Schemas["PickupNoticeOut"];
export type PickupVerified = Schemas["PickupVerifiedOut"];
export type CommissionCenter = Schemas["LeaderCommissionCenterOut"];
export type CommissionEntry = Schemas["CommissionEntryOut"];
export type LeaderWithdrawal = Schemas["LeaderWithdrawalOut"];
export type WithdrawalIn = Schemas["WithdrawalIn"];

const base = (shopId: number) => `shops/${shopId}/leader`;

export const getLeaderMeApi = (shopId: number) => http.get<LeaderMe>(`${base(shopId)}/me`);
export const getLeaderCampaignsApi = (shopId: number, page = 1) =>
  http.get<Page<LeaderCampaign>>(`${base(shopId)}/campaigns`, { page });
export const joinCampaignApi = (shopId: number, campaignId: number) =>
  http.post<Schemas["LeaderJoinOut"]>(`${base(shopId)}/campaigns/${campaignId}/join`);
export const getLeaderOrdersApi = (shopId: number, page = 1) =>
  http.get<Page<LeaderCampaignOrders>>(`${base(shopId)}/orders`, { page });
/** Shipments to my point; with campaignIds, only those campaigns' (one page of groups at a time). */
export const getShipmentsApi = (shopId: number, page = 1, campaignIds: number[] = []) =>
  http.get<Page<LeaderShipment>>(`${base(shopId)}/shipments`, {
    page,
    campaign_ids: campaignIds.length ? campaignIds.join(",") : undefined,
  });
export const confirmArrivalApi = (shopId: number, campaignId: number) =>
  http.post<Arrival>(`${base(shopId)}/campaigns/${campaignId}/arrived`);
export const sendPickupNoticeApi = (shopId: number, campaignId: number) =>
  http.post<PickupNotice>(`${base(shopId)}/campaigns/${campaignId}/pickup-notice`);
export const verifyPickupApi = (shopId: number, code: string) =>
  http.post<PickupVerified>(`${base(shopId)}/pickups/verify`, { code });
export const getCommissionApi = (shopId: number, page = 1, pageSize = 20) =>
  http.get<CommissionCenter>(`${base(shopId)}/commission`, { page, page_size: pageSize });
export const createWithdrawalApi = (shopId: number, body: WithdrawalIn) =>
  http.post<LeaderWithdrawal>(`${base(shopId)}/withdrawals`, body);
export const getWithdrawalsApi = (shopId: number, page = 1) =>
  http.get<Page<LeaderWithdrawal>>(`${base(shopId)}/withdrawals`, { page });
/** Back from confirming receipt in WeChat: ask WeChat Pay about the transfer now. */
export const syncWithdrawalTransferApi = (shopId: number, withdrawalId: number) =>
  http.post<LeaderWithdrawal>(`${base(shopId)}/withdrawals/${withdrawalId}/transfer-sync`);
