// Leader applications (团长审核): the review queue, approve / reject, one by one or in bulk.
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type LeaderApplication = S["LeaderApplicationOut"];
export type ApproveInput = S["ApproveIn"];
export type BulkOutcome = S["BulkOutcomeOut"];
export type ApplicationStatus = "pending" | "approved" | "rejected";

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getApplicationsApi = (query: { status?: ApplicationStatus | ""; page: number; page_size?: number }) =>
  http.get<Page<LeaderApplication>>(path("leader-applications"), query);
export const approveApplicationApi = (id: number, body: ApproveInput) =>
  http.post<S["LeaderOut"]>(path(`leader-applications/${id}/approve`), body);
export const rejectApplicationApi = (id: number, reason: string) =>
  http.post<LeaderApplication>(path(`leader-applications/${id}/reject`), { reason });
export const bulkApproveApplicationsApi = (body: S["BulkApproveIn"]) =>
  http.post<BulkOutcome[]>(path("leader-applications/bulk-approve"), body);
export const bulkRejectApplicationsApi = (body: S["BulkRejectIn"]) =>
  http.post<BulkOutcome[]>(path("leader-applications/bulk-reject"), body);
