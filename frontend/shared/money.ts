// Money is integer fen (分) end to end; these only convert at the edges, never through floats.

/** 12345 -> "¥123.45", 250000 -> "¥2,500.00": the one way money is shown, console and H5 alike. */
export function formatFen(fen: number, symbol = "¥"): string {
  if (!Number.isInteger(fen)) throw new TypeError(`fen must be an integer, got ${fen}`);
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  const yuan = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const rest = String(abs % 100).padStart(2, "0");
  return `${sign}${symbol}${yuan}.${rest}`;
}

/** "12.3" -> 1230; null for anything that is not a money amount with at most 2 decimals. */
export function parseYuan(text: string): number | null {
  // Thousands separators as formatFen writes them ("2,500.00") are accepted; stray commas are not.
  const plain = (text ?? "").replace(/(\d),(?=\d{3}(?!\d))/g, "$1");
  const match = /^\s*(-)?(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(plain);
  if (!match) return null;
  const fen = Number(match[2]) * 100 + Number((match[3] ?? "").padEnd(2, "0"));
  return match[1] ? -fen : fen;
}

/** Basis points to a percent label: 1000 -> "10%", 1250 -> "12.5%" */
export function formatRateBp(bp: number): string {
  const whole = Math.floor(bp / 100);
  const rest = bp % 100;
  return rest === 0 ? `${whole}%` : `${whole}.${String(rest).padStart(2, "0").replace(/0$/, "")}%`;
}
