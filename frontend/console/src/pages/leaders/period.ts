// The leaders table's period and server-side sorting, turned into the list's query.
import type { LeaderOrdering } from "../../api/leaders";

const SORTABLE = new Set([
  "gmv_fen",
  "order_count",
  "member_count",
  "buyer_count",
  "commission_fen",
  "last_order_at",
  "name",
  "created_at",
]);

/** el-table's sort-change ({prop, order}) -> the API's ordering ("-gmv_fen"), or null for none. */
export function orderingFrom(
  prop: string | null | undefined,
  order: "ascending" | "descending" | null | undefined,
): LeaderOrdering | null {
  if (!prop || !order || !SORTABLE.has(prop)) return null;
  return (order === "descending" ? `-${prop}` : prop) as LeaderOrdering;
}

/** "YYYY-MM-DD" of a local date. */
export function isoDate(day: Date): string {
  const month = String(day.getMonth() + 1).padStart(2, "0");
  const date = String(day.getDate()).padStart(2, "0");
  return `${day.getFullYear()}-${month}-${date}`;
}

/** The last `days` days ending today (both inclusive), as the date picker's value. */
export function lastDays(days: number, today: Date = new Date()): [string, string] {
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1));
  return [isoDate(start), isoDate(today)];
}

export function periodQuery(range: [string, string] | null | undefined): { date_from?: string; date_to?: string } {
  return range && range[0] && range[1] ? { date_from: range[0], date_to: range[1] } : {};
}
