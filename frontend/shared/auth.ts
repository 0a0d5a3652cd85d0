// Who is logged in, and what they may do in each shop (from GET /api/auth/me).
import type { components } from "./api-types";
import { ApiError, http } from "./request";

export type Me = components["schemas"]["MeOut"];

export async function fetchMe(): Promise<Me | null> {
  try {
    return await http.get<Me>("auth/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** The permissions a person holds in a shop as staff (empty when not staff there). */
export function staffPermissions(me: Me | null, shopId: number | null): Set<string> {
  const staff = me?.staff_of.find((entry) => entry.shop_id === shopId);
  return new Set(staff?.permissions ?? []);
}

export function can(permissions: Set<string>, needed: string | string[] | undefined): boolean {
  if (!needed) return true;
  const list = Array.isArray(needed) ? needed : [needed];
  return list.some((permission) => permissions.has(permission));
}
