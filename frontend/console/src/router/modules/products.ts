import { Goods } from "@element-plus/icons-vue";
import type { RouteRecordRaw } from "vue-router";

export default [
  {
    path: "products",
    name: "products",
    component: () => import("../../pages/products/product-list.vue"),
    meta: { title: "menu.products", icon: Goods, permission: "catalog.view", order: 10 },
  },
] as RouteRecordRaw[];
