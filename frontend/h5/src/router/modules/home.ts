import type { RouteRecordRaw } from "vue-router";

// The member shop: /h5/ picks a shop, /h5/s/:shopId is its home (my pickup point, my leader's campaigns).
export default [
  {
    path: "/h5/",
    name: "home",
    component: () => import("../../pages/home/shop-picker-page.vue"),
    meta: { title: "home.pickerTitle" },
  },
  {
    path: "/h5/s/:shopId(\\d+)",
    name: "shop-home",
    component: () => import("../../pages/home/shop-home-page.vue"),
    meta: { title: "home.title", tab: "home" },
  },
] as RouteRecordRaw[];
