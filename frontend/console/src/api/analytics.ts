// 经营分析: margins, repeat purchase and cohorts, idle leaders (with a nudge), pickup per point.
import type { components } from "@shared/api-types";
import { http, withQuery } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type Margins = S["MarginsOut"];
export type MarginRow = S["MarginRowOut"];
export type Repeat = S["RepeatOut"];
export type IdleLeader = S["IdleLeaderOut"];
export type PickupRow = S["PickupPointRowOut"];
export type Forecast = S["ForecastOut"];
export type AnalyticsDays = 7 | 30 | 90 | 365;

const path = (rest: string) => useSessionStore().consolePath(`analytics/${rest}`);

export const getMarginsApi = (days: AnalyticsDays) => http.get<Margins>(path("margins"), { days });
export const getRepeatApi = () => http.get<Repeat>(path("repeat"));
export const getIdleLeadersApi = () => http.get<IdleLeader[]>(path("idle-leaders"));
export const nudgeIdleLeadersApi = (leader_ids: number[], text: string) =>
  http.post<{ sent: number }>(path("idle-leaders/nudge"), { leader_ids, text });
export const getPickupApi = (days: AnalyticsDays) => http.get<PickupRow[]>(path("pickup"), { days });
export const analyticsExportUrl = (days: AnalyticsDays) => withQuery(`/api/${path("export.xlsx")}`, { days });
export const getForecastApi = (campaignId: number) =>
  http.get<Forecast>(useSessionStore().consolePath(`campaigns/${campaignId}/forecast`));
