// Leader incentives (团长激励): the shop's plan, levels, referrals, the team PK leaderboard, rewards.
import type { components } from "@shared/api-types";
import { http, withQuery, type Page, type Query } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type IncentivePlan = S["IncentivePlanOut"];
export type IncentivePlanPatch = S["IncentivePlanIn"];
export type LeaderLevel = S["LeaderLevelOut"];
export type LeaderLevelIn = S["LeaderLevelIn"];
export type Referral = S["ReferralOut"];
export type Leaderboard = S["LeaderboardOut"];
export type IncentiveAward = S["IncentiveAwardOut"];

const path = (rest: string) => useSessionStore().consolePath(`incentives/${rest}`);
const fileUrl = (rest: string, query: Query = {}) => `/api/${withQuery(path(rest), query)}`;

export const getIncentivePlanApi = () => http.get<IncentivePlan>(path("plan"));
export const updateIncentivePlanApi = (body: IncentivePlanPatch) => http.patch<IncentivePlan>(path("plan"), body);
export const getLevelsApi = () => http.get<LeaderLevel[]>(path("levels"));
export const createLevelApi = (body: LeaderLevelIn) => http.post<LeaderLevel>(path("levels"), body);
export const updateLevelApi = (id: number, body: Partial<LeaderLevelIn>) =>
  http.patch<LeaderLevel>(path(`levels/${id}`), body);
export const deleteLevelApi = (id: number) => http.delete<null>(path(`levels/${id}`));
export const assessLevelsApi = () => http.post<S["LevelsAssessOut"]>(path("level-assessments"));
export const getReferralsApi = (page: number) => http.get<Page<Referral>>(path("referrals"), { page });
export const getLeaderboardApi = (month?: string) => http.get<Leaderboard>(path("leaderboard"), month ? { month } : {});
export const getAwardsApi = (query: { page: number; kind?: string }) =>
  http.get<Page<IncentiveAward>>(path("awards"), query.kind ? query : { page: query.page });

export const levelsExportUrl = () => fileUrl("levels/export.xlsx");
export const referralsExportUrl = () => fileUrl("referrals/export.xlsx");
export const leaderboardExportUrl = (month?: string) => fileUrl("leaderboard/export.xlsx", month ? { month } : {});
export const awardsExportUrl = (kind?: string) => fileUrl("awards/export.xlsx", kind ? { kind } : {});
