// Leaders (团长管理): performance list over a period, detail, status changes, teams and regions.
import type { components, operations } from "@shared/api-types";
import { http, withQuery, type Page, type Query } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type Leader = S["LeaderOut"];
export type LeaderDetail = S["LeaderDetailOut"];
export type LeaderPatch = S["LeaderPatchIn"];
export type Team = S["TeamOut"];
export type Region = S["RegionOut"];
export type LeaderQuery = NonNullable<operations["tuangou_leaders_api_list_leaders"]["parameters"]["query"]>;
export type LeaderOrdering = NonNullable<LeaderQuery["ordering"]>;
export type LeaderStatusAction = "suspend" | "reactivate" | "clear";

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getLeadersApi = (query: LeaderQuery) => http.get<Page<Leader>>(path("leaders"), query as Query);
export const getLeaderApi = (id: number) => http.get<LeaderDetail>(path(`leaders/${id}`));
export const updateLeaderApi = (id: number, body: LeaderPatch) => http.patch<LeaderDetail>(path(`leaders/${id}`), body);
export const changeLeaderStatusApi = (id: number, action: LeaderStatusAction, reason: string) =>
  http.post<LeaderDetail>(path(`leaders/${id}/${action}`), { reason });
/** A plain link (the session cookie authorises the GET), same filters as the list. */
export const leadersExportUrl = (query: LeaderQuery) =>
  `/api/${withQuery(path("leaders/export.xlsx"), query as Query)}`;

export const getTeamsApi = () => http.get<Page<Team>>(path("teams"), { page_size: 100 });
export const createTeamApi = (body: S["TeamIn"]) => http.post<Team>(path("teams"), body);
export const updateTeamApi = (id: number, body: S["TeamPatch"]) => http.patch<Team>(path(`teams/${id}`), body);
export const deleteTeamApi = (id: number) => http.delete<null>(path(`teams/${id}`));
export const getRegionsApi = () => http.get<Page<Region>>(path("regions"), { page_size: 100 });
export const createRegionApi = (body: S["RegionIn"]) => http.post<Region>(path("regions"), body);
export const updateRegionApi = (id: number, body: S["RegionPatch"]) => http.patch<Region>(path(`regions/${id}`), body);
export const deleteRegionApi = (id: number) => http.delete<null>(path(`regions/${id}`));
