// 团长反馈: leaders' feedback, answered and moved through its statuses here.
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type Feedback = S["FeedbackOut"];
export type FeedbackDetail = S["FeedbackDetailOut"];
export type FeedbackStatus = S["FeedbackStatusIn"]["status"];
export type FeedbackCounts = S["FeedbackCountsOut"];

export interface FeedbackFilters {
  status?: FeedbackStatus | null;
  kind?: S["FeedbackIn"]["kind"] | null;
}

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getFeedbackListApi = (filters: FeedbackFilters, page: number) =>
  http.get<Page<Feedback>>(path("feedback"), { ...filters, page });
export const getFeedbackCountsApi = () => http.get<FeedbackCounts>(path("feedback/counts"));
export const getFeedbackApi = (id: number) => http.get<FeedbackDetail>(path(`feedback/${id}`));
export const replyFeedbackApi = (id: number, body: string, status: FeedbackStatus | null = null) =>
  http.post<FeedbackDetail>(path(`feedback/${id}/replies`), { body, status });
export const setFeedbackStatusApi = (id: number, status: FeedbackStatus) =>
  http.post<FeedbackDetail>(path(`feedback/${id}/status`), { status });
