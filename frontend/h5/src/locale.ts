// The H5 ships Chinese in its first script; English (locales/en/, a third of the messages) is
// fetched only on a phone that chose it, before the switch (or before the app mounts).
import type { Composer } from "vue-i18n";
import { saveLocale, type Locale } from "@shared/i18n";

let loaded: Promise<void> | null = null;

export function loadLocale(composer: Composer, locale: string): Promise<void> {
  if (locale !== "en") return Promise.resolve();
  loaded ??= import("./locales/en/index").then(({ english }) => {
    for (const messages of english) composer.mergeLocaleMessage("en", messages);
  });
  return loaded;
}

export async function switchLocale(composer: Composer, next: Locale): Promise<void> {
  await loadLocale(composer, next);
  composer.locale.value = next;
  saveLocale(next);
}
