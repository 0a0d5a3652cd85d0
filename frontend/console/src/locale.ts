// The console ships Chinese in its first script; English (the `en` half of each locales/*.ts, and
// Element Plus's own) is fetched only by a browser that chose it, before the switch (or the mount).
// The ?en import is a module of its own, so the Chinese one (main.ts) leaves `en` out of the bundle.
import { shallowRef } from "vue";
import type { Composer } from "vue-i18n";
import type { Language } from "element-plus/es/locale";
import { saveLocale, type Locale, type Messages } from "@shared/i18n";

const english = import.meta.glob<Messages>("./locales/*.ts", { import: "en", query: "?en" });
let loaded: Promise<void> | null = null;

/** Element Plus's English (pagination, date picker…), once loaded; App.vue hands it to the config provider. */
export const elementEnglish = shallowRef<Language | null>(null);

export function loadLocale(composer: Composer, locale: string): Promise<void> {
  if (locale !== "en") return Promise.resolve();
  loaded ??= Promise.all([
    Promise.all(Object.values(english).map((load) => load())),
    import("element-plus/es/locale/lang/en"),
  ]).then(([parts, element]) => {
    for (const messages of parts) composer.mergeLocaleMessage("en", messages);
    elementEnglish.value = element.default;
  });
  return loaded;
}

export async function switchLocale(composer: Composer, next: Locale): Promise<void> {
  await loadLocale(composer, next);
  composer.locale.value = next;
  saveLocale(next);
}
