// Commissions & withdrawals (佣金与提现): per-leader balances, the ledger, the withdrawal queue.
import type { components } from "@shared/api-types";
import { http, type Page } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type LeaderCommission = S["LeaderCommissionOut"];
export type CommissionEntry = S["CommissionEntryOut"];
export type Withdrawal = S["WithdrawalOut"];
export type WithdrawalStatus = "requested" | "approved" | "rejected" | "paid";

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getLeaderCommissionsApi = (query: { page: number; search?: string }) =>
  http.get<Page<LeaderCommission>>(path("commissions/leaders"), query);
export const getCommissionEntriesApi = (leaderId: number, page: number) =>
  http.get<Page<CommissionEntry>>(path(`commissions/leaders/${leaderId}/entries`), { page });
export const getWithdrawalsApi = (query: { page: number; status?: WithdrawalStatus | "" }) =>
  http.get<Page<Withdrawal>>(path("withdrawals"), query);
export const approveWithdrawalApi = (id: number) => http.post<Withdrawal>(path(`withdrawals/${id}/approve`));
export const rejectWithdrawalApi = (id: number, reason: string) =>
  http.post<Withdrawal>(path(`withdrawals/${id}/reject`), { reason });
export const markWithdrawalPaidApi = (id: number) => http.post<Withdrawal>(path(`withdrawals/${id}/paid`));
