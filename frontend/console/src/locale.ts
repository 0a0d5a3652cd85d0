// The console ships Chinese in its first script; English (the `en` half of each locales/*.ts, and
// Element Plus's own) is fetched only by a browser that chose it, before the switch (or the mount).
import { shallowRef } from "vue";
import type { Composer } from "vue-i18n";
import type { Language } from "element-plus/es/locale";
import { saveLocale, type Locale } from "@shared/i18n";

let loaded: Promise<void> | null = null;

/** Element Plus's English (pagination, date picker…), once loaded; App.vue hands it to the config provider. */
export const elementEnglish = shallowRef<Language | null>(null);

export function loadLocale(composer: Composer, locale: string): Promise<void> {
  if (locale !== "en") return Promise.resolve();
  loaded ??= Promise.all([import("./english"), import("element-plus/es/locale/lang/en")]).then(
    ([messages, element]) => {
      for (const part of messages.english) composer.mergeLocaleMessage("en", part);
      elementEnglish.value = element.default;
    },
  );
  return loaded;
}

export async function switchLocale(composer: Composer, next: Locale): Promise<void> {
  await loadLocale(composer, next);
  composer.locale.value = next;
  saveLocale(next);
}
