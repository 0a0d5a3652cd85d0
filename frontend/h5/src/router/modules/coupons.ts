import type { RouteRecordRaw } from "vue-router";

// Coupons: the centre is public to browse (claiming asks for a login); my coupons need one.
export default [
  {
    path: "/h5/s/:shopId(\\d+)/coupon-centre",
    name: "coupon-centre",
    component: () => import("../../pages/coupons/coupon-centre-page.vue"),
    meta: { auth: true, title: "coupons.centreTitle" },
  },
  {
    path: "/h5/s/:shopId(\\d+)/coupons",
    name: "my-coupons",
    component: () => import("../../pages/coupons/my-coupons-page.vue"),
    meta: { auth: true, title: "coupons.mineTitle" },
  },
] as RouteRecordRaw[];
