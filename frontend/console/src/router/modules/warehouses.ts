import { House, MapLocation } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "warehouses",
    name: "warehouses",
    component: () => import("../../pages/warehouses/warehouse-list.vue"),
    meta: { title: "menu.warehouses", icon: House, permission: "fulfilment.view", order: 41 },
  },
  {
    path: "delivery",
    name: "delivery",
    component: () => import("../../pages/warehouses/delivery-sheet.vue"),
    meta: { title: "menu.delivery", icon: MapLocation, permission: "fulfilment.view", order: 42 },
  },
] as RouteRecordRaw[];
