import { describe, expect, it } from "vitest";
import { newIdempotencyKey, payUrlWithReturn } from "./orders";

describe("orders api helpers", () => {
  it("should send the payer back to the order after the sandbox page", () => {
    expect(payUrlWithReturn("/pay/sandbox/T123", 3, 42)).toBe(
      "/pay/sandbox/T123?return_url=%2Fh5%2Fs%2F3%2Forders%2F42",
    );
    expect(payUrlWithReturn("/pay/sandbox/T123?a=1", 3, 42)).toBe(
      "/pay/sandbox/T123?a=1&return_url=%2Fh5%2Fs%2F3%2Forders%2F42",
    );
  });

  it("should make a fresh idempotency key each time", () => {
    const first = newIdempotencyKey();
    expect(first).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(newIdempotencyKey()).not.toBe(first);
  });
});
