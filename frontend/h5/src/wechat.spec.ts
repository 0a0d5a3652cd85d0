import { afterEach, describe, expect, it, vi } from "vitest";
import {
  absoluteUrl,
  acceptedTemplates,
  inWechat,
  payChannelHere,
  setWechatShareCard,
  wechatScanQRCode,
} from "./wechat";

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

describe("payChannelHere", () => {
  it("pays by WeChat's pay sheet inside WeChat, by the pay page on a phone, by a QR code on a computer", () => {
    expect(payChannelHere(WECHAT_UA)).toBe("jsapi");
    const android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36";
    expect(payChannelHere(android)).toBe("h5");
    const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
    expect(payChannelHere(iphone)).toBe("h5");
    const mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15";
    expect(payChannelHere(mac)).toBe("native");
  });
});
