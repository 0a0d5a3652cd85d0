import { TrendCharts } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "analytics",
    name: "analytics",
    component: () => import("../../pages/analytics/analytics-page.vue"),
    meta: { title: "menu.analytics", icon: TrendCharts, permission: "dashboard.view", order: 1 },
  },
] as RouteRecordRaw[];
