// The first page a role may open (menu order): where "/console" and the login lead. A warehouse
// clerk without dashboard.view lands on the first page of the menu they do see.
import type { RouteRecordRaw } from "vue-router";

const modules = import.meta.glob<{ default: RouteRecordRaw[] }>("./modules/*.ts", { eager: true });
const ordered = Object.values(modules)
  .flatMap((module) => module.default)
  .filter((route) => route.meta?.title && !route.meta.hidden)
  .sort((a, b) => (a.meta?.order ?? 99) - (b.meta?.order ?? 99));

export function firstAllowedPage(can: (permission?: string | string[]) => boolean): string | null {
  const found = ordered.find((route) => can(route.meta?.permission));
  return found ? String(found.name) : null;
}
