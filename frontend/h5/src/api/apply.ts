// Becoming a leader: the shop's public recruitment plan, the application, and its review result.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

export type RecruitmentPlan = components["schemas"]["RecruitmentPublicOut"];
export type ApplicationIn = components["schemas"]["LeaderApplicationIn"];
export type MyApplication = components["schemas"]["MyApplicationOut"];

export const getRecruitmentApi = (shopId: number, token: string) =>
  http.get<RecruitmentPlan>(`shops/${shopId}/recruitment/${encodeURIComponent(token)}`);
export const createApplicationApi = (shopId: number, body: ApplicationIn) =>
  http.post<MyApplication>(`shops/${shopId}/leader-applications`, body);
export const getMyApplicationApi = (shopId: number) =>
  http.get<MyApplication | null>(`shops/${shopId}/leader-applications/mine`);
