// 操作日志 (audit log) and 待审批 (second approvals): the log is read-only; approvals are decided here.
import type { components } from "@shared/api-types";
import { http, withQuery, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type AuditRecord = S["AuditRecordOut"];
export type AuditFilterOptions = S["AuditFiltersOut"];
export type Approval = S["ApprovalOut"];
export type ApprovalPolicy = S["ApprovalPolicyOut"];

export interface AuditFilters {
  action?: string | null;
  actor_id?: number | null;
  target_type?: string | null;
  date_from?: string | null;
  date_to?: string | null;
}

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getAuditRecordsApi = (filters: AuditFilters, page: number) =>
  http.get<Page<AuditRecord>>(path("audit"), { ...filters, page });
export const getAuditFiltersApi = () => http.get<AuditFilterOptions>(path("audit/filters"));
/** The Excel of the records matching these filters: a plain link, the browser downloads it. */
export const auditExportUrl = (filters: AuditFilters) => withQuery(`/api/${path("audit/export.xlsx")}`, { ...filters });

export const getApprovalsApi = (status: string | null) => http.get<Approval[]>(path("approvals"), { status });
export const approveApi = (id: number) => http.post<Approval>(path(`approvals/${id}/approve`));
export const rejectApi = (id: number, reason: string) =>
  http.post<Approval>(path(`approvals/${id}/reject`), { reason });
export const getApprovalPolicyApi = () => http.get<ApprovalPolicy>(path("approvals/policy"));
export const updateApprovalPolicyApi = (body: S["ApprovalPolicyIn"]) =>
  http.patch<ApprovalPolicy>(path("approvals/policy"), body);
