// Dashboard figures of the current shop.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";
import { useSessionStore } from "../stores/session";

export type Dashboard = components["schemas"]["DashboardOut"];
export type DashboardDays = 1 | 7 | 30;

export function getDashboardApi(days: DashboardDays) {
  return http.get<Dashboard>(useSessionStore().consolePath("dashboard"), { days });
}
