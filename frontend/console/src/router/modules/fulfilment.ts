import { Van } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "fulfilment",
    name: "fulfilment",
    component: () => import("../../pages/fulfilment/fulfilment-page.vue"),
    meta: { title: "menu.fulfilment", icon: Van, permission: "fulfilment.view", order: 40 },
  },
] as RouteRecordRaw[];
