import { afterEach, describe, expect, it, vi } from "vitest";
import { absoluteUrl, acceptedTemplates, inWechat, setWechatShareCard, wechatScanQRCode } from "./wechat";

const WECHAT_UA =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 " +
  "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.50.2600(0x28003237) NetType/WIFI Language/zh_CN";

describe("inWechat", () => {
  it("should recognise WeChat's browser by MicroMessenger in the user agent", () => {
    expect(inWechat(WECHAT_UA)).toBe(true);
    expect(inWechat("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1")).toBe(false);
  });
});

describe("setWechatShareCard", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("should do nothing outside WeChat", async () => {
    const fetchSpy = vi.fn();
    vi.stubGlobal("fetch", fetchSpy);
    const done = await setWechatShareCard({ title: "t", desc: "d", link: "http://x/", imgUrl: "http://x/i.png" });
    expect(done).toBe(false);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("should make image paths absolute for WeChat", () => {
    expect(absoluteUrl("/media/p.png")).toBe(`${location.origin}/media/p.png`);
  });
});

describe("acceptedTemplates", () => {
  it("should keep the templates the wx-open-subscribe success event reports as accepted", () => {
    const detail = {
      subscribeDetails: JSON.stringify({
        tmplPickup: JSON.stringify({ status: "accept" }),
        tmplRefund: JSON.stringify({ status: "reject" }),
        tmplResult: JSON.stringify({ status: "filter" }),
      }),
    };
    expect(acceptedTemplates(detail)).toEqual(["tmplPickup"]);
  });

  it("should find nothing in a malformed event", () => {
    expect(acceptedTemplates({ subscribeDetails: "{not json" })).toEqual([]);
    expect(acceptedTemplates(null)).toEqual([]);
    expect(acceptedTemplates({ subscribeDetails: JSON.stringify({ t: "{bad" }) })).toEqual([]);
  });
});

describe("wechatScanQRCode", () => {
  it("should answer null outside WeChat (the page falls back to BarcodeDetector or typing)", async () => {
    expect(await wechatScanQRCode()).toBeNull();
  });
});
