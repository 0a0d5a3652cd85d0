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

/** Configure the JS-SDK for this page and set the card for chats and moments. Resolves true once
 * WeChat accepted it, false outside WeChat or when the configuration failed. */
export async function setWechatShareCard(card: ShareCard): Promise<boolean> {
  if (!inWechat()) return false;
  let config: JssdkConfig;
  try {
    config = await getJssdkConfigApi(signedUrl());
  } catch {
    return false; // WeChat not set up, or unreachable: the page works, the card is WeChat's default
  }
  const { default: wx } = await import("weixin-js-sdk");
  return new Promise((resolve) => {
    wx.config({
      debug: false,
      ...config,
      jsApiList: ["updateAppMessageShareData", "updateTimelineShareData"],
    });
    wx.error(() => resolve(false));
    wx.ready(() => {
      wx.updateAppMessageShareData({ ...card, success: () => undefined });
      wx.updateTimelineShareData({ title: card.title, link: card.link, imgUrl: card.imgUrl, success: () => undefined });
      resolve(true);
    });
  });
}

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
