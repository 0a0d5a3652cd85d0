import { Present } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "marketing",
    name: "marketing",
    component: () => import("../../pages/marketing/marketing-page.vue"),
    meta: { title: "menu.marketing", icon: Present, permission: "marketing.view", order: 35 },
  },
] as RouteRecordRaw[];
