import { Box, Shop, Wallet } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "market-offers",
    name: "market",
    component: () => import("../../pages/market/market-page.vue"),
    meta: { title: "menu.market", icon: Shop, permission: "catalog.view", order: 12 },
  },
  {
    path: "supply",
    name: "supply",
    component: () => import("../../pages/market/supply-page.vue"),
    meta: { title: "menu.supply", icon: Box, permission: ["catalog.view", "orders.view"], order: 13 },
  },
  {
    path: "dropship-settlements",
    name: "market-settlements",
    component: () => import("../../pages/market/settlement-page.vue"),
    meta: { title: "menu.marketSettlements", icon: Wallet, permission: "payments.reconcile", order: 66 },
  },
] as RouteRecordRaw[];
