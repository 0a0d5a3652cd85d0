// Rates are basis points in the API (1000 = 10 %); people type percents. Converted as text, never through floats.

/** "12.5" -> 1250, "10" -> 1000, "0.05" -> 5; null when not a percent with at most 2 decimals. */
export function percentToBp(text: string): number | null {
  const match = /^\s*(\d{1,3})(?:\.(\d{1,2}))?\s*%?\s*$/.exec(text ?? "");
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

/** 1250 -> "12.5", 1000 -> "10", 5 -> "0.05" */
export function bpToPercent(bp: number): string {
  const whole = Math.floor(bp / 100);
  const rest = String(bp % 100)
    .padStart(2, "0")
    .replace(/0+$/, "");
  return rest ? `${whole}.${rest}` : String(whole);
}

/** The pickup notice's placeholders; {code} is required (the member shows it at pickup). */
export const NOTICE_PLACEHOLDERS = [
  { name: "{campaign}", required: false },
  { name: "{point}", required: false },
  { name: "{code}", required: true },
] as const;

/** The notice as a member would read it, with sample values in the placeholders. */
export function noticePreview(text: string, sample: { campaign: string; point: string; code: string }): string {
  return text
    .split("{campaign}")
    .join(sample.campaign)
    .split("{point}")
    .join(sample.point)
    .split("{code}")
    .join(sample.code);
}
