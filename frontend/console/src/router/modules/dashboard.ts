import { DataLine } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "dashboard",
    name: "dashboard",
    component: () => import("../../pages/dashboard/dashboard-page.vue"),
    meta: { title: "menu.dashboard", icon: DataLine, permission: "dashboard.view", order: 0 },
  },
] as RouteRecordRaw[];
