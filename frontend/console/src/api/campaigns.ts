// Group-buy campaigns of the current shop: list, wizard, detail and their state changes.
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type Schemas = components["schemas"];
export type CampaignListItem = Schemas["CampaignListOut"];
export type Campaign = Schemas["CampaignOut"];
export type CampaignIn = Schemas["CampaignIn"];
export type CampaignItemIn = Schemas["CampaignItemIn"];
export type CampaignDuplicateIn = Schemas["CampaignDuplicateIn"];
export type CampaignPatch = Schemas["CampaignPatch"];
export type CampaignExtendCutoffIn = Schemas["CampaignExtendCutoffIn"];
export type CampaignStatus = "draft" | "scheduled" | "live" | "closed" | "succeeded" | "failed" | "cancelled";
export type LeaderOption = Schemas["LeaderOut"];

const path = (rest: string) => useSessionStore().consolePath(rest);

export interface CampaignQuery {
  page?: number;
  status?: CampaignStatus | "" | null;
  q?: string;
}

export const getCampaignsApi = (query: CampaignQuery) =>
  http.get<Page<CampaignListItem>>(path("campaigns"), { ...query });
export const getCampaignApi = (id: number) => http.get<Campaign>(path(`campaigns/${id}`));
export const createCampaignApi = (body: CampaignIn) => http.post<Campaign>(path("campaigns"), body);
export const updateCampaignApi = (id: number, body: Partial<CampaignPatch>) =>
  http.patch<Campaign>(path(`campaigns/${id}`), body);
export const extendCutoffApi = (id: number, body: CampaignExtendCutoffIn) =>
  http.post<Campaign>(path(`campaigns/${id}/extend-cutoff`), body);
export const publishCampaignApi = (id: number) => http.post<Campaign>(path(`campaigns/${id}/publish`));
export const startCampaignApi = (id: number) => http.post<Campaign>(path(`campaigns/${id}/start`));
export const closeCampaignApi = (id: number) => http.post<Campaign>(path(`campaigns/${id}/close`));
export const decideCampaignApi = (id: number) => http.post<Campaign>(path(`campaigns/${id}/decide`));
export const cancelCampaignApi = (id: number, reason: string) =>
  http.post<Campaign>(path(`campaigns/${id}/cancel`), { reason });
export const duplicateCampaignApi = (id: number, body: CampaignDuplicateIn) =>
  http.post<Campaign>(path(`campaigns/${id}/duplicate`), body);

/** Active leaders to choose from (the wizard's step 4, the orders filter). */
export const getLeaderOptionsApi = (search = "") =>
  http.get<Page<LeaderOption>>(path("leaders"), { status: "active", search, page_size: 100 });
