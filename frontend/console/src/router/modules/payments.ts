import { CreditCard } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "settings/payments",
    name: "payment-settings",
    component: () => import("../../pages/settings/payment-settings-page.vue"),
    meta: { title: "menu.paymentSettings", icon: CreditCard, permission: "shop.settings", order: 91 },
  },
] as RouteRecordRaw[];
