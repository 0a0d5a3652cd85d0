// The member shop's entry: the shop's public card, and which shops this phone has visited (the
// API keeps no "my shops" list, so /h5/ offers the ones opened here plus those I lead).
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

export type ShopCard = components["schemas"]["ShopPublicOut"];

export const getShopApi = (shopId: number) => http.get<ShopCard>(`shops/${shopId}`);

const VISITED_KEY = "tuangou.h5.shops";

export interface VisitedShop {
  id: number;
  name: string;
}

export function visitedShops(): VisitedShop[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(VISITED_KEY) ?? "[]");
    return Array.isArray(parsed) ? (parsed as VisitedShop[]) : [];
  } catch {
    return [];
  }
}

export function rememberShop(shop: VisitedShop): void {
  const others = visitedShops().filter((entry) => entry.id !== shop.id);
  localStorage.setItem(VISITED_KEY, JSON.stringify([{ id: shop.id, name: shop.name }, ...others].slice(0, 10)));
}

/** "11-28 18:00" in the phone's time zone (the shop's, for the people who use it). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
