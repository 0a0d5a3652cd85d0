// What a role may see: the menu entries of the console and the role × permission matrix of the staff page.
import type { RouteRecordRaw } from "vue-router";

export type Can = (needed?: string | string[]) => boolean;

/** The menu entries a person may use: titled, not hidden, and allowed by their permissions. */
export function visibleMenu(routes: RouteRecordRaw[], can: Can): RouteRecordRaw[] {
  return routes.filter((route) => Boolean(route.meta?.title) && !route.meta?.hidden && can(route.meta?.permission));
}

export interface RoleLike {
  role: string;
  label: string;
  permissions: string[];
}

export interface MatrixRow {
  permission: string;
  label: string;
  granted: Record<string, boolean>;
}

/** One row per permission (in the API's order), one column per role. */
export function permissionMatrix(roles: RoleLike[], labels: Record<string, string>): MatrixRow[] {
  return Object.entries(labels).map(([permission, label]) => ({
    permission,
    label,
    granted: Object.fromEntries(roles.map((role) => [role.role, role.permissions.includes(permission)])),
  }));
}

/** The roles this person may hand out: only an owner makes owners (the API refuses the rest anyway). */
export function grantableRoles(roles: RoleLike[], myRole: string | undefined): RoleLike[] {
  if (myRole === "owner") return roles;
  if (myRole === "admin") return roles.filter((role) => role.role !== "owner");
  return [];
}
