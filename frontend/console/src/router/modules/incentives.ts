import { Trophy } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "marketing/incentives",
    name: "incentives",
    component: () => import("../../pages/incentives/incentives-page.vue"),
    meta: {
      title: "menu.incentives",
      icon: Trophy,
      permission: ["leaders.view"],
      order: 55,
    },
  },
] as RouteRecordRaw[];
