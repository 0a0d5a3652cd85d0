// The H5 ships Chinese in its first script; English (locales/en/, a third of the messages) is
// fetched only on a phone that chose it, before the switch (or before the app mounts).
import type { Composer } from "vue-i18n";
import { saveLocale, type Locale, type Messages } from "@shared/i18n";

const english = import.meta.glob<Messages>("./locales/en/*.ts", { import: "en" });
let loaded: Promise<void> | null = null;

export function loadLocale(composer: Composer, locale: string): Promise<void> {
  if (locale !== "en") return Promise.resolve();
  loaded ??= Promise.all(Object.values(english).map((load) => load())).then((parts) => {
    for (const messages of parts) composer.mergeLocaleMessage("en", messages);
  });
  return loaded;
}

export async function switchLocale(composer: Composer, next: Locale): Promise<void> {
  await loadLocale(composer, next);
  composer.locale.value = next;
  saveLocale(next);
}
