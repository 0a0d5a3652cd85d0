import { Tickets } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "orders",
    name: "orders",
    component: () => import("../../pages/orders/order-list.vue"),
    meta: { title: "menu.orders", icon: Tickets, permission: "orders.view", order: 30 },
  },
] as RouteRecordRaw[];
