// Where a pickup point is, when the browser cannot tell: a few landmarks, or typed coordinates.

export interface Landmark {
  name: string;
  lat: number;
  lng: number;
}

// Xiamen, where the demo shop is: enough to place a point near a known spot.
export const LANDMARKS: Landmark[] = [
  { name: "厦门大学", lat: 24.4376, lng: 118.0963 },
  { name: "中山路步行街", lat: 24.456, lng: 118.08 },
  { name: "软件园二期", lat: 24.489, lng: 118.18 },
  { name: "集美学村", lat: 24.5755, lng: 118.1002 },
  { name: "五缘湾", lat: 24.5175, lng: 118.1796 },
  { name: "厦门北站", lat: 24.6292, lng: 118.0742 },
];

/** A typed latitude or longitude within the bounds the API accepts (China), else null. */
export function parseCoordinate(text: string, min: number, max: number): number | null {
  const value = Number(String(text ?? "").trim());
  if (!String(text ?? "").trim() || !Number.isFinite(value) || value < min || value > max) return null;
  return Math.round(value * 1e6) / 1e6; // the API keeps 6 decimals
}

export const LAT_RANGE = [3, 54] as const;
export const LNG_RANGE = [73, 136] as const;
