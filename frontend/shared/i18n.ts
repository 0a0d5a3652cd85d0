// Both apps speak zh-CN first, English when switched; the choice is kept per browser.
import { createI18n, type I18nOptions, type MessageCompiler, type MessageContext } from "vue-i18n";
import { setRequestLanguage } from "./request";

export type Locale = "zh-CN" | "en";
export type Messages = Record<string, unknown>;

const STORAGE_KEY = "tuangou.locale";

export function initialLocale(): Locale {
  const saved = typeof localStorage !== "undefined" ? localStorage.getItem(STORAGE_KEY) : null;
  return saved === "en" ? "en" : "zh-CN";
}

function deepMerge(target: Messages, source: Messages): Messages {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (value && typeof value === "object" && existing && typeof existing === "object") {
      deepMerge(existing as Messages, value as Messages);
    } else {
      target[key] = value;
    }
  }
  return target;
}

const PLACEHOLDER = /\{\s*(\w+)\s*\}/;

/**
 * Our messages use one piece of vue-i18n's syntax, placeholders: {name} (t(key, {name})) or {0}
 * (t(key, [value])); no plurals, linked messages or literals. This compiles them, so vue-i18n's
 * own message compiler (5 kB gzip) is left out of the bundle (vite.config.ts drops it).
 */
export const messageCompiler: MessageCompiler = (message) => {
  if (typeof message !== "string") throw new Error("precompiled (AST) messages are not used");
  // split with a capture group: text at even indexes, placeholder names at odd ones
  const parts = message.split(new RegExp(PLACEHOLDER, "g"));
  if (parts.length === 1) return () => message;
  return (ctx: MessageContext) =>
    parts
      .map((part, index) => {
        if (index % 2 === 0) return part;
        const value = /^\d+$/.test(part) ? ctx.list(Number(part)) : ctx.named(part);
        return value == null ? "" : String(value);
      })
      .join("");
};

/**
 * Merge each domain's Chinese messages (found with import.meta.glob) into one i18n. English is added
 * when a browser switches to it (console/src/locale.ts, h5/src/locale.ts): not on the first screen.
 */
export function buildI18n(chinese: Record<string, Messages>) {
  const zh: Messages = {};
  for (const messages of Object.values(chinese)) deepMerge(zh, structuredClone(messages));
  const locale = initialLocale();
  setRequestLanguage(locale);
  const options = {
    legacy: false,
    locale,
    fallbackLocale: "zh-CN",
    messages: { "zh-CN": zh, en: {} },
    messageCompiler,
  } as I18nOptions;
  return createI18n<false, I18nOptions>(options as I18nOptions & { legacy: false });
}

export function saveLocale(locale: Locale): void {
  localStorage.setItem(STORAGE_KEY, locale);
  setRequestLanguage(locale);
}
