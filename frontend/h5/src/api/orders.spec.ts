import { describe, expect, it } from "vitest";
import { confirmDelays, newIdempotencyKey, payUrlWithReturn, refundingFen, stopsConfirming } from "./orders";

describe("orders api helpers", () => {
  it("should send the payer back to the order after the sandbox page", () => {
    expect(payUrlWithReturn("/pay/sandbox/T123", 3, 42)).toBe(
      "/pay/sandbox/T123?return_url=%2Fh5%2Fs%2F3%2Forders%2F42%3Ffrom%3Dpay",
    );
    expect(payUrlWithReturn("/pay/sandbox/T123?a=1", 3, 42)).toBe(
      "/pay/sandbox/T123?a=1&return_url=%2Fh5%2Fs%2F3%2Forders%2F42%3Ffrom%3Dpay",
    );
  });

  it("should send the payer back from WeChat Pay's h5_url by an absolute, url-encoded redirect_url", () => {
    expect(payUrlWithReturn("http://sim/pay/h5?prepay_id=wx1", 3, 42, "wechatpay", "https://tg.example")).toBe(
      "http://sim/pay/h5?prepay_id=wx1&redirect_url=https%3A%2F%2Ftg.example%2Fh5%2Fs%2F3%2Forders%2F42%3Ffrom%3Dpay",
    );
  });

  it("should look again quickly after paying, then back off to 5 s for about 90 s", () => {
    const delays = confirmDelays();
    expect(delays.slice(0, 6)).toEqual([1000, 1000, 1500, 2000, 3000, 4000]);
    expect(Math.max(...delays)).toBe(5000);
    expect(delays.reduce((sum, delay) => sum + delay, 0)).toBe(92_500);
  });

  it("should make a fresh idempotency key each time", () => {
    const first = newIdempotencyKey();
    expect(first).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(newIdempotencyKey()).not.toBe(first);
  });

  it("should stop confirming once paid, or once the provider says the payer did not pay", () => {
    expect(stopsConfirming({ status: "paid", payment_state: "paid" })).toBe(true);
    expect(stopsConfirming({ status: "pending_payment", payment_state: "closed" })).toBe(true);
    expect(stopsConfirming({ status: "pending_payment", payment_state: "notpay" })).toBe(true);
    expect(stopsConfirming({ status: "pending_payment", payment_state: "none" })).toBe(true);
    expect(stopsConfirming({ status: "pending_payment", payment_state: "unknown" })).toBe(false);
  });

  it("should add up the refunds still pending", () => {
    const pending = (amount_fen: number) => ({
      id: 1,
      amount_fen,
      status: "pending",
      status_label: "退款中",
      created_at: "2026-11-30T12:00:00Z",
    });
    expect(refundingFen({ pending_refunds: [] })).toBe(0);
    expect(refundingFen({ pending_refunds: [pending(1000), pending(290)] })).toBe(1290);
  });
});
