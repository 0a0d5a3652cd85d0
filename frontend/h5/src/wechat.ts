// Inside WeChat's browser: log in through WeChat's web authorisation, and give WeChat the share
// card (it ignores Open Graph tags) through the JS-SDK. Outside WeChat every function here does
// nothing. The JS-SDK is WeChat's own jweixin 1.6 from npm (weixin-js-sdk), bundled — no CDN — and
// loaded only inside WeChat; it talks to the app through window.WeixinJSBridge.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";

type Schemas = components["schemas"];
export type WechatStatus = Schemas["WechatStatusOut"];
export type JssdkConfig = Schemas["JssdkConfigOut"];
export type WechatScope = "snsapi_base" | "snsapi_userinfo";

export interface ShareCard {
  title: string;
  desc: string;
  link: string; // absolute, on our own host, with the sharer's ?leader=
  imgUrl: string; // absolute
}

export function inWechat(userAgent: string = navigator.userAgent): boolean {
  return /MicroMessenger/i.test(userAgent);
}

/** How a member pays from here: WeChat's pay sheet inside WeChat, a QR code to scan with WeChat
 * on a computer (Native: a phone cannot scan its own screen), else the gateway's pay page. */
export function payChannelHere(userAgent: string = navigator.userAgent): "jsapi" | "native" | "h5" {
  if (inWechat(userAgent)) return "jsapi";
  return /Android|iPhone|iPad|iPod|Mobile|HarmonyOS/i.test(userAgent) ? "h5" : "native";
}

export const getWechatStatusApi = () => http.get<WechatStatus>("auth/wechat/status");
export const getJssdkConfigApi = (url: string) => http.get<JssdkConfig>("auth/wechat/jssdk-config", { url });

/** Send the browser to WeChat's authorize page; it comes back through our callback to `next`. */
export async function startWechatLogin(next: string, scope: WechatScope = "snsapi_base"): Promise<void> {
  const { url } = await http.get<{ url: string }>("auth/wechat/authorize", { next, scope });
  window.location.assign(url);
}

// WeChat on iOS signs the JS-SDK against the address the single-page app was first opened at;
// Android against the current one.
const entryUrl = typeof location === "undefined" ? "" : location.href.split("#")[0];
function signedUrl(userAgent: string = navigator.userAgent): string {
  return /iPhone|iPad/i.test(userAgent) ? entryUrl : location.href.split("#")[0];
}

export function absoluteUrl(path: string | null | undefined): string {
  if (!path) return `${location.origin}/favicon.ico`;
  return new URL(path, location.origin).toString();
}

// One wx.config per signed address: every API and open tag the H5 uses, asked for at once (a
// second wx.config replaces the first).
const JS_API_LIST = ["updateAppMessageShareData", "updateTimelineShareData", "scanQRCode"];
const OPEN_TAG_LIST = ["wx-open-subscribe"];
type Wx = (typeof import("weixin-js-sdk"))["default"];
let configured: { url: string; ready: Promise<Wx | null> } | null = null;

/** The JS-SDK configured for this page (the open tags render only after this), or null outside
 * WeChat or when WeChat refused the configuration. */
export function wechatReady(): Promise<Wx | null> {
  if (!inWechat()) return Promise.resolve(null);
  const url = signedUrl();
  if (configured?.url === url) return configured.ready;
  const ready = (async () => {
    let config: JssdkConfig;
    try {
      config = await getJssdkConfigApi(url);
    } catch {
      return null; // WeChat not set up, or unreachable: the page works without the JS-SDK
    }
    const { default: wx } = await import("weixin-js-sdk");
    return new Promise<Wx | null>((resolve) => {
      wx.config({ debug: false, ...config, jsApiList: JS_API_LIST, openTagList: OPEN_TAG_LIST } as Parameters<
        Wx["config"]
      >[0]);
      wx.error(() => resolve(null));
      wx.ready(() => resolve(wx));
    });
  })();
  configured = { url, ready };
  return ready;
}

/** Configure the JS-SDK for this page and set the card for chats and moments. Resolves true once
 * WeChat accepted it, false outside WeChat or when the configuration failed. */
export async function setWechatShareCard(card: ShareCard): Promise<boolean> {
  const wx = await wechatReady();
  if (!wx) return false;
  wx.updateAppMessageShareData({ ...card, success: () => undefined });
  wx.updateTimelineShareData({ title: card.title, link: card.link, imgUrl: card.imgUrl, success: () => undefined });
  return true;
}

/** Scan a QR code with WeChat's own scanner (iPhones have no BarcodeDetector): its text, or null
 * when the person closed the scanner or WeChat could not start it. */
export async function wechatScanQRCode(): Promise<string | null> {
  const wx = await wechatReady();
  if (!wx) return null;
  return new Promise((resolve) => {
    wx.scanQRCode({
      needResult: 1,
      scanType: ["qrCode"],
      success: (result: { resultStr?: string }) => resolve(result?.resultStr ?? null),
      fail: () => resolve(null),
      cancel: () => resolve(null),
    } as Parameters<Wx["scanQRCode"]>[0]);
  });
}

/** The template ids a wx-open-subscribe success event reports as accepted: its detail carries
 * subscribeDetails, a JSON object of template id -> a JSON string {"status": "accept" | "reject" |
 * "cancel" | "filter"}. */
export function acceptedTemplates(detail: unknown): string[] {
  let details: Record<string, unknown>;
  try {
    const raw = (detail as { subscribeDetails?: unknown })?.subscribeDetails;
    details = (typeof raw === "string" ? JSON.parse(raw) : raw) as Record<string, unknown>;
  } catch {
    return [];
  }
  if (!details || typeof details !== "object") return [];
  return Object.entries(details)
    .filter(([, value]) => {
      try {
        const parsed = typeof value === "string" ? JSON.parse(value) : value;
        return (parsed as { status?: string })?.status === "accept";
      } catch {
        return false;
      }
    })
    .map(([templateId]) => templateId);
}

export type SubscribeTemplates = Schemas["SubscribeTemplatesOut"];
/** Where the member is asked: at checkout (pickup, refund, campaign result) or applying to lead (its result). */
export type SubscribeMoment = "checkout" | "leader_application";
export const getSubscribeTemplatesApi = (shopId: number, moment: SubscribeMoment = "checkout") =>
  http.get<SubscribeTemplates>(`shops/${shopId}/wechat/subscribe-templates?moment=${moment}`);
export const recordSubscribeAcceptancesApi = (shopId: number, templateIds: string[]) =>
  http.post<Schemas["SubscribeAcceptancesOut"]>(`shops/${shopId}/wechat/subscribe-acceptances`, {
    template_ids: templateIds,
  });

export type JsapiParams = NonNullable<Schemas["PaymentStartOut"]["jsapi"]>;
export type WechatPayOutcome = "ok" | "cancel" | "fail";

interface WeixinJSBridgeApi {
  invoke(name: string, params: unknown, callback: (result: { err_msg?: string }) => void): void;
}

function bridge(): Promise<WeixinJSBridgeApi> {
  const ready = (window as unknown as { WeixinJSBridge?: WeixinJSBridgeApi }).WeixinJSBridge;
  if (ready) return Promise.resolve(ready);
  return new Promise((resolve) => {
    document.addEventListener(
      "WeixinJSBridgeReady",
      () => resolve((window as unknown as { WeixinJSBridge: WeixinJSBridgeApi }).WeixinJSBridge),
      { once: true },
    );
  });
}

/** Pay a JSAPI trade in WeChat's own pay sheet (WeixinJSBridge getBrandWCPayRequest). "ok" only
 * means the sheet closed after paying: the order is paid when WeChat Pay's notify (or a query)
 * says so. "cancel": the member closed the sheet; "fail": WeChat refused the parameters. */
export async function wechatPay(params: JsapiParams): Promise<WechatPayOutcome> {
  const jsBridge = await bridge();
  return new Promise((resolve) => {
    jsBridge.invoke("getBrandWCPayRequest", { ...params }, (result) => {
      const message = result?.err_msg ?? "";
      if (message === "get_brand_wcpay_request:ok") resolve("ok");
      else if (message === "get_brand_wcpay_request:cancel") resolve("cancel");
      else resolve("fail");
    });
  });
}

export type TransferConfirm = NonNullable<Schemas["LeaderWithdrawalOut"]["confirm"]>;

/** Confirm receipt of a merchant transfer (商家转账 WAIT_USER_CONFIRM) in WeChat's own page:
 * WeixinJSBridge requestMerchantTransfer with {mchId, appId, package}. "ok" only means the page
 * closed after confirming: the withdrawal is paid when WeChat Pay says so (notify or query). */
export async function wechatConfirmTransfer(confirm: TransferConfirm): Promise<WechatPayOutcome> {
  const jsBridge = await bridge();
  return new Promise((resolve) => {
    jsBridge.invoke(
      "requestMerchantTransfer",
      { mchId: confirm.mch_id, appId: confirm.app_id, package: confirm.package },
      (result) => {
        const message = result?.err_msg ?? "";
        if (message === "requestMerchantTransfer:ok") resolve("ok");
        else if (message === "requestMerchantTransfer:cancel") resolve("cancel");
        else resolve("fail");
      },
    );
  });
}
