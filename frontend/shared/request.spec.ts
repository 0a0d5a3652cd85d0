import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, http, withQuery } from "./request";

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

  it("should leave empty query values out", () => {
    expect(withQuery("orders", { status: "paid", phone: "", page: 2, leader_id: undefined })).toBe(
      "orders?status=paid&page=2",
    );
  });
});
