import type { RouteRecordRaw } from "vue-router";

export default [
  {
    // A partner store's redeem link: no login, the store's PIN opens it.
    path: "/h5/redeem/:token",
    name: "store-redeem",
    component: () => import("../../pages/redeem/store-redeem-page.vue"),
    meta: { title: "vouchers.redeemTitle" },
  },
] as RouteRecordRaw[];
