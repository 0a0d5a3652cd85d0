// Coordinates as the API takes them. Places come from the shop's own pickup points and the
// address search (GET /api/shops/{id}/places), never from a fixed list of one city's landmarks.

/** A latitude or longitude within the bounds the API accepts (China), else null. */
export function parseCoordinate(text: string, min: number, max: number): number | null {
  const value = Number(String(text ?? "").trim());
  if (!String(text ?? "").trim() || !Number.isFinite(value) || value < min || value > max) return null;
  return Math.round(value * 1e6) / 1e6; // the API keeps 6 decimals
}

export const LAT_RANGE = [3, 54] as const;
export const LNG_RANGE = [73, 136] as const;
