import { Checked } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "applications",
    name: "applications",
    component: () => import("../../pages/applications/applications-page.vue"),
    meta: { title: "menu.applications", icon: Checked, permission: "leaders.view", order: 51 },
  },
] as RouteRecordRaw[];
