// Both apps speak zh-CN first, English when switched; the choice is kept per browser.
import { createI18n, type I18nOptions } from "vue-i18n";
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

/** Merge each domain's {zh, en} message modules (found with import.meta.glob) into one i18n. */
export function buildI18n(modules: Record<string, { zh: Messages; en: Messages }>) {
  const zh: Messages = {};
  const en: Messages = {};
  for (const module of Object.values(modules)) {
    deepMerge(zh, structuredClone(module.zh));
    deepMerge(en, structuredClone(module.en));
  }
  const locale = initialLocale();
  setRequestLanguage(locale);
  const options = { legacy: false, locale, fallbackLocale: "zh-CN", messages: { "zh-CN": zh, en } } as I18nOptions;
  return createI18n<false, I18nOptions>(options as I18nOptions & { legacy: false });
}

export function saveLocale(locale: Locale): void {
  localStorage.setItem(STORAGE_KEY, locale);
  setRequestLanguage(locale);
}
