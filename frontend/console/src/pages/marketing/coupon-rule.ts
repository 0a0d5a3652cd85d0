// How a coupon's offer reads in a list: 满50减5 / 8.5折，最多减¥12 / 无门槛减¥3.
import { formatFen, formatRateBp } from "@shared/money";

type Rules = {
  kind: string;
  threshold_fen: number;
  reduce_fen: number;
  percent_off_bp: number;
  max_discount_fen: number;
};
type T = (key: string, params?: Record<string, unknown>) => string;

export function couponRule(rules: Rules, t: T): string {
  if (rules.kind === "percent") {
    const zhe = String((10000 - rules.percent_off_bp) / 1000);
    const percent = formatRateBp(rules.percent_off_bp);
    const head = rules.threshold_fen ? t("marketing.ruleThreshold", { threshold: formatFen(rules.threshold_fen) }) : "";
    const cap = rules.max_discount_fen ? t("marketing.ruleCap", { cap: formatFen(rules.max_discount_fen) }) : "";
    return head + t("marketing.rulePercent", { zhe, percent }) + cap;
  }
  if (rules.kind === "no_threshold") return t("marketing.ruleNoThreshold", { amount: formatFen(rules.reduce_fen) });
  return t("marketing.ruleReduce", { threshold: formatFen(rules.threshold_fen), amount: formatFen(rules.reduce_fen) });
}
