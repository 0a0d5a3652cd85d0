import { Finished } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "reconciliation",
    name: "reconciliation",
    component: () => import("../../pages/reconciliation/reconciliation-page.vue"),
    meta: { title: "menu.reconciliation", icon: Finished, permission: "payments.reconcile", order: 65 },
  },
] as RouteRecordRaw[];
