import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, http, RETRY_503_BUDGET_MS, setRetrySleep, withQuery } from "./request";

afterEach(() => vi.unstubAllGlobals());

function respond(status: number, body: unknown) {
  return Promise.resolve(new Response(body === null ? "" : JSON.stringify(body), { status }));
}

describe("request", () => {
  it("should send the CSRF cookie back as a header on writes", async () => {
    document.cookie = "csrftoken=abc123";
    const fetchMock = vi.fn(() => respond(201, { id: 7 }));
    vi.stubGlobal("fetch", fetchMock);

    const result = await http.post<{ id: number }>("shops", { name: "鲜果" });

    expect(result).toEqual({ id: 7 });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/shops");
    expect((init.headers as Record<string, string>)["X-CSRFToken"]).toBe("abc123");
    expect(init.body).toBe(JSON.stringify({ name: "鲜果" }));
  });

  it("should turn the API error shape into an ApiError with its field", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(() => respond(400, { code: "price_negative", message: "价格不能为负数", field: "skus.0.price_fen" })),
    );

    const error = await http.get("console/shops/1/products").catch((e) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.code).toBe("price_negative");
    expect(error.field).toBe("skus.0.price_fen");
    expect(error.message).toBe("价格不能为负数");
  });

  it("should send an order again after a 503's Retry-After, with the same Idempotency-Key", async () => {
    const waits: number[] = [];
    setRetrySleep(async (ms) => void waits.push(ms));
    const unavailable = () =>
      Promise.resolve(
        new Response(JSON.stringify({ code: "service_unavailable", message: "系统正忙", field: null }), {
          status: 503,
          headers: { "Retry-After": "5" },
        }),
      );
    const fetchMock = vi
      .fn()
      .mockImplementationOnce(unavailable)
      .mockImplementationOnce(unavailable)
      .mockImplementationOnce(() => respond(201, { id: 9 }));
    vi.stubGlobal("fetch", fetchMock);

    const order = await http.post<{ id: number }>("shops/1/orders", { campaign_id: 2 }, { "Idempotency-Key": "k-1" });

    expect(order).toEqual({ id: 9 });
    expect(waits).toEqual([5000, 5000]);
    const keys = fetchMock.mock.calls.map(([, init]) => (init as RequestInit).headers as Record<string, string>);
    expect(keys.map((headers) => headers["Idempotency-Key"])).toEqual(["k-1", "k-1", "k-1"]);
  });

  it("should not send a write without an Idempotency-Key again, and should give up after the budget", async () => {
    const waits: number[] = [];
    setRetrySleep(async (ms) => void waits.push(ms));
    const unavailable = vi.fn(() =>
      Promise.resolve(
        new Response(JSON.stringify({ code: "service_unavailable", message: "系统正忙", field: null }), {
          status: 503,
          headers: { "Retry-After": "5" },
        }),
      ),
    );
    vi.stubGlobal("fetch", unavailable);

    const write = await http.post("shops/1/orders/3/cancel", { reason: "" }).catch((e) => e);
    expect(write.status).toBe(503);
    expect(unavailable).toHaveBeenCalledTimes(1);

    const read = await http.get("shops/1/orders").catch((e) => e);
    expect(read.code).toBe("service_unavailable");
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(RETRY_503_BUDGET_MS);
    expect(unavailable).toHaveBeenCalledTimes(1 + 1 + RETRY_503_BUDGET_MS / 5000);
  });

  it("should leave empty query values out", () => {
    expect(withQuery("orders", { status: "paid", phone: "", page: 2, leader_id: undefined })).toBe(
      "orders?status=paid&page=2",
    );
  });
});
