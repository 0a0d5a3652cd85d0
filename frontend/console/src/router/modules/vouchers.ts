import { Ticket } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "vouchers",
    name: "vouchers",
    component: () => import("../../pages/vouchers/voucher-page.vue"),
    meta: { title: "menu.vouchers", icon: Ticket, permission: "orders.view", order: 32 },
  },
] as RouteRecordRaw[];
