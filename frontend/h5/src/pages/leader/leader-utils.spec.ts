import { afterEach, describe, expect, it, vi } from "vitest";
import { copyText, orderedStatusCounts, pickupCodeFromScan, scanSupported, shareLink } from "./leader-utils";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("pickupCodeFromScan", () => {
  it("should take a bare code as it is", () => {
    expect(pickupCodeFromScan(" 70001234 ")).toBe("70001234");
  });

  it("should take the code from a link's ?code= or its last path part", () => {
    expect(pickupCodeFromScan("https://tuangou.example.cn/h5/pickup?code=70001234")).toBe("70001234");
    expect(pickupCodeFromScan("https://tuangou.example.cn/h5/pickup/70001234")).toBe("70001234");
  });
});

describe("orderedStatusCounts", () => {
  it("should list statuses in the order orders move through them, without zeros", () => {
    expect(orderedStatusCounts({ picked_up: 2, paid: 0, arrived: 3, refunded: 1 })).toEqual([
      ["arrived", 3],
      ["picked_up", 2],
      ["refunded", 1],
    ]);
  });
});

describe("shareLink", () => {
  it("should use the system share sheet when the browser has one", async () => {
    const share = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal("navigator", { share });
    expect(await shareLink({ title: "周末鲜蛋团", url: "https://x/?leader=3" })).toBe("shared");
    expect(share).toHaveBeenCalledWith({ title: "周末鲜蛋团", url: "https://x/?leader=3" });
  });

  it("should copy the link when there is no share sheet", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal("navigator", { clipboard: { writeText } });
    expect(await shareLink({ title: "周末鲜蛋团", url: "https://x/?leader=3" })).toBe("copied");
    expect(writeText).toHaveBeenCalledWith("https://x/?leader=3");
  });

  it("should report a cancelled share without copying", async () => {
    const writeText = vi.fn();
    vi.stubGlobal("navigator", {
      share: vi.fn().mockRejectedValue(new DOMException("no", "AbortError")),
      clipboard: { writeText },
    });
    expect(await shareLink({ title: "t", url: "u" })).toBe("cancelled");
    expect(writeText).not.toHaveBeenCalled();
  });
});

describe("copyText", () => {
  it("should fall back to a hidden textarea when the Clipboard API is refused", async () => {
    vi.stubGlobal("navigator", { clipboard: { writeText: vi.fn().mockRejectedValue(new Error("denied")) } });
    const execCommand = vi.fn().mockReturnValue(true);
    (document as unknown as { execCommand: typeof execCommand }).execCommand = execCommand;
    expect(await copyText("1. 张** 土鸡蛋×2")).toBe(true);
    expect(execCommand).toHaveBeenCalledWith("copy");
    expect(document.querySelector("textarea")).toBeNull();
  });
});

describe("scanSupported", () => {
  it("should be false without BarcodeDetector", async () => {
    vi.stubGlobal("navigator", { mediaDevices: { getUserMedia: vi.fn() } });
    expect(await scanSupported()).toBe(false);
  });

  it("should be true with a QR-capable BarcodeDetector and a camera", async () => {
    vi.stubGlobal("BarcodeDetector", { getSupportedFormats: () => Promise.resolve(["ean_13", "qr_code"]) });
    vi.stubGlobal("navigator", { mediaDevices: { getUserMedia: vi.fn() } });
    expect(await scanSupported()).toBe(true);
  });

  it("should be false when the detector cannot read QR codes", async () => {
    vi.stubGlobal("BarcodeDetector", { getSupportedFormats: () => Promise.resolve(["ean_13"]) });
    vi.stubGlobal("navigator", { mediaDevices: { getUserMedia: vi.fn() } });
    expect(await scanSupported()).toBe(false);
  });
});
