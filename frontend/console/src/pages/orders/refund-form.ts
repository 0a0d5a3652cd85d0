// The refund dialog: everything left, chosen pieces of chosen lines, or an amount typed in yuan.
import { parseYuan } from "@shared/money";
import type { OrderDetail, OrderRefundIn } from "../../api/orders";

export type RefundMode = "full" | "lines" | "amount";
type Line = OrderDetail["lines"][number];

type Refund = OrderDetail["refunds"][number];

/** Pieces of each line in refunds still pending at the provider (退款中): not refundable again. */
export function pendingQuantities(order: { refunds?: Pick<Refund, "status" | "kind" | "lines">[] }) {
  const pieces: Record<number, number> = {};
  for (const refund of order.refunds ?? []) {
    if (refund.status !== "pending" || refund.kind !== "order") continue;
    for (const line of refund.lines as { line_id: number; quantity: number }[])
      pieces[line.line_id] = (pieces[line.line_id] ?? 0) + line.quantity;
  }
  return pieces;
}

export const refundableQuantity = (line: Pick<Line, "quantity" | "refunded_quantity">, pending = 0) =>
  Math.max(0, line.quantity - line.refunded_quantity - pending);
/** What is left to refund: paid, less refunded, less refunds still pending (退款中). */
export const refundableFen = (
  order: Pick<OrderDetail, "total_fen" | "refunded_fen"> & Partial<Pick<OrderDetail, "refunding_fen">>,
) => order.total_fen - order.refunded_fen - (order.refunding_fen ?? 0);

export interface RefundMessages {
  reasonRequired: string;
  chooseLines: string;
  invalidMoney: string;
}

/** The request body, or the field to show an error at. quantities: line id -> pieces to refund. */
export function refundPayload(
  mode: RefundMode,
  quantities: Record<number, number>,
  amountText: string,
  reason: string,
  messages: RefundMessages,
): { body: OrderRefundIn } | { field: string; message: string } {
  if (!reason.trim()) return { field: "reason", message: messages.reasonRequired };
  if (mode === "lines") {
    const lines = Object.entries(quantities)
      .filter(([, quantity]) => quantity > 0)
      .map(([lineId, quantity]) => ({ line_id: Number(lineId), quantity }));
    if (!lines.length) return { field: "lines", message: messages.chooseLines };
    return { body: { lines, reason: reason.trim() } };
  }
  if (mode === "amount") {
    const fen = parseYuan(amountText);
    if (fen === null || fen <= 0) return { field: "amount_fen", message: messages.invalidMoney };
    return { body: { amount_fen: fen, reason: reason.trim() } };
  }
  return { body: { reason: reason.trim() } };
}

/** The fen a refund body moves, to confirm it in 元 before it is sent. */
export function refundAmountFen(
  order: Pick<OrderDetail, "total_fen" | "refunded_fen" | "refunding_fen" | "lines">,
  body: OrderRefundIn,
) {
  if (typeof body.amount_fen === "number") return body.amount_fen;
  if (body.lines?.length) {
    const byId = new Map(order.lines.map((line) => [line.id, line]));
    const fen = body.lines.reduce(
      (sum, { line_id, quantity }) => sum + (byId.get(line_id)?.unit_price_fen ?? 0) * quantity,
      0,
    );
    return Math.min(fen, refundableFen(order));
  }
  return refundableFen(order);
}

export type TagType = "primary" | "success" | "warning" | "info" | "danger";
const REFUND_TAGS: Record<string, TagType> = { pending: "warning", succeeded: "success", failed: "danger" };
export const refundTagType = (status: string): TagType => REFUND_TAGS[status] ?? "info";
const ORDER_TAGS: Record<string, TagType> = {
  pending_payment: "warning",
  paid: "primary",
  confirmed: "primary",
  shipped: "primary",
  arrived: "warning",
  picked_up: "success",
  completed: "success",
  cancelled: "info",
  refunded: "danger",
};
export const orderTagType = (status: string): TagType => ORDER_TAGS[status] ?? "info";
export const REFUNDABLE = ["paid", "confirmed", "shipped", "arrived", "picked_up", "completed"];
export const ORDER_STATUSES = [
  "pending_payment",
  "paid",
  "confirmed",
  "shipped",
  "arrived",
  "picked_up",
  "completed",
  "cancelled",
  "refunded",
];
