import { Wallet } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "commissions",
    name: "commissions",
    component: () => import("../../pages/commissions/commissions-page.vue"),
    meta: {
      title: "menu.commissions",
      icon: Wallet,
      permission: ["commissions.view", "withdrawals.manage"],
      order: 60,
    },
  },
] as RouteRecordRaw[];
