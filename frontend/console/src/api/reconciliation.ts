// Reconciliation (对账): a day's gateway bill matched with our payments and refunds, and the
// mismatches finance resolves.
import type { components } from "@shared/api-types";
import { http, withQuery, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type ReconciliationRun = S["ReconciliationRunOut"];
export type ReconciliationMismatch = S["ReconciliationMismatchOut"];
export type RunStatus = "matched" | "mismatched" | "failed";
export type MismatchStatus = "open" | "resolved";

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getReconciliationRunsApi = (query: { page: number; status?: RunStatus | "" }) =>
  http.get<Page<ReconciliationRun>>(path("reconciliation/runs"), query);
// provider: which of the shop's gateways (a shop with WeChat Pay and Alipay has two); null: its first.
export const createReconciliationRunApi = (billDate: string, provider: "wechatpay" | "alipay" | null) =>
  http.post<ReconciliationRun>(path("reconciliation/runs"), { bill_date: billDate, provider });
export const getMismatchesApi = (runId: number, query: { page: number; status?: MismatchStatus | "" }) =>
  http.get<Page<ReconciliationMismatch>>(path(`reconciliation/runs/${runId}/mismatches`), query);
export const resolveMismatchApi = (id: number, note: string) =>
  http.post<ReconciliationMismatch>(path(`reconciliation/mismatches/${id}/resolve`), { note });
/** The run's mismatches as CSV: a plain link, the browser downloads it. */
export const mismatchesExportUrl = (runId: number) =>
  withQuery(`/api/${path(`reconciliation/runs/${runId}/export.csv`)}`, {});
