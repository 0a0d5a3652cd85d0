// Routes live under /h5/s/:shopId/ (the shop comes from the link a leader shared); each domain
// adds its pages in router/modules/<domain>.ts. meta.auth: the page needs a logged-in person.
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";
import { useSessionStore } from "../stores/session";

declare module "vue-router" {
  interface RouteMeta {
    title?: string; // i18n key for the nav bar and document title
    auth?: boolean;
    leader?: boolean; // only for leaders of the shop
    tab?: string; // which tab bar entry is active
  }
}

const modules = import.meta.glob<{ default: RouteRecordRaw[] }>("./modules/*.ts", { eager: true });
const pageRoutes = Object.values(modules).flatMap((module) => module.default);

const routes: RouteRecordRaw[] = [
  {
    path: "/h5/login",
    name: "login",
    component: () => import("../pages/login-page.vue"),
    meta: { title: "login.title" },
  },
  ...pageRoutes,
  { path: "/h5/:rest(.*)*", name: "not-found", component: () => import("../pages/not-found-page.vue") },
];

export const router = createRouter({ history: createWebHistory(), routes, scrollBehavior: () => ({ top: 0 }) });

router.beforeEach(async (to) => {
  const session = useSessionStore();
  if (!session.loaded) await session.load();
  if ((to.meta.auth || to.meta.leader) && !session.me) return { name: "login", query: { next: to.fullPath } };
  if (to.meta.leader && !session.leaderOf(Number(to.params.shopId))) return { name: "not-found" };
  return true;
});
