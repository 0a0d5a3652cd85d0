// Routes: each domain adds its pages in router/modules/<domain>.ts (found here by glob); a page's
// meta says its menu title, icon, order and the permission it needs.
import type { Component } from "vue";
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";
import { useSessionStore } from "../stores/session";
import { firstAllowedPage } from "./landing";

declare module "vue-router" {
  interface RouteMeta {
    title?: string; // i18n key of the menu entry / page title
    icon?: Component; // the menu icon (one of @element-plus/icons-vue, imported by the module)
    permission?: string | string[];
    order?: number;
    hidden?: boolean; // a page without a menu entry (details, wizards)
    public?: boolean; // reachable without logging in
  }
}

const modules = import.meta.glob<{ default: RouteRecordRaw[] }>("./modules/*.ts", { eager: true });
export const pageRoutes: RouteRecordRaw[] = Object.values(modules)
  .flatMap((module) => module.default)
  .sort((a, b) => (a.meta?.order ?? 99) - (b.meta?.order ?? 99));

const routes: RouteRecordRaw[] = [
  { path: "/console/login", name: "login", component: () => import("../pages/login-page.vue"), meta: { public: true } },
  {
    path: "/console/signup",
    name: "signup",
    component: () => import("../pages/signup-page.vue"),
    meta: { public: true },
  },
  {
    path: "/console/new-shop",
    name: "new-shop",
    component: () => import("../pages/signup-page.vue"),
    meta: { public: false },
  },
  {
    path: "/console",
    component: () => import("../components/app-layout.vue"),
    children: [
      {
        // "/console": the first page the role may open (the dashboard for most roles)
        path: "",
        name: "home",
        component: () => import("../pages/forbidden-page.vue"),
        beforeEnter: () => {
          const session = useSessionStore();
          const name = firstAllowedPage((p) => session.can(p));
          return name ? { name, replace: true } : true;
        },
      },
      ...pageRoutes,
    ],
  },
  { path: "/console/:rest(.*)*", redirect: "/console" },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  const session = useSessionStore();
  if (!session.loaded) await session.load();
  if (to.meta.public) return true;
  if (!session.me) return { name: "login", query: { next: to.fullPath } };
  if (!session.shopId && to.name !== "new-shop") return { name: "new-shop" };
  // A page the role may not open keeps its address and shows 403 无权限 (app-layout renders it).
  return true;
});
