// Nearby pickup points and "my leader"; plus the leader a shared link came from (?leader=).
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

type Schemas = components["schemas"];
export type NearbyPoint = Schemas["NearbyPointOut"];
export type MyLeader = Schemas["MyLeaderOut"];
export type Place = Schemas["PlaceOut"];

export const getNearbyPointsApi = (shopId: number, lat: number, lng: number, radiusM = 50_000) =>
  http.get<NearbyPoint[]>(`shops/${shopId}/pickup-points/nearby`, { lat, lng, radius_m: radiusM, limit: 30 });
/** Places by name or address (empty: the shop's own communities), each with its coordinates. */
export const searchPlacesApi = (shopId: number, q: string) => http.get<Place[]>(`shops/${shopId}/places`, { q });
export const getMyLeaderApi = (shopId: number) => http.get<MyLeader | null>(`shops/${shopId}/my-leader`);
export const setMyLeaderApi = (shopId: number, leaderId: number) =>
  http.put<MyLeader>(`shops/${shopId}/my-leader`, { leader_id: leaderId });

const ATTRIBUTION_KEY = "tuangou.h5.via-leader";

/** The leader whose shared link brought me to this shop (kept until I have a leader of my own). */
export function rememberAttribution(shopId: number, leaderId: number): void {
  const all = readAttributions();
  all[shopId] = leaderId;
  localStorage.setItem(ATTRIBUTION_KEY, JSON.stringify(all));
}

export function attributedLeader(shopId: number): number | null {
  return readAttributions()[shopId] ?? null;
}

function readAttributions(): Record<number, number> {
  try {
    return JSON.parse(localStorage.getItem(ATTRIBUTION_KEY) ?? "{}") as Record<number, number>;
  } catch {
    return {};
  }
}

/** "1.2km" / "350m" */
export function formatDistance(meters: number): string {
  return meters >= 1000 ? `${(meters / 1000).toFixed(1)}km` : `${meters}m`;
}
