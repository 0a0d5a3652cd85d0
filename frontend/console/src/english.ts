// Every English message in one chunk, fetched by ./locale.ts only by a browser that chose English.
// The ?en import is a module of its own, so the Chinese one (main.ts) leaves `en` out of the bundle.
import type { Messages } from "@shared/i18n";

export const english = Object.values(
  import.meta.glob<Messages>("./locales/*.ts", { eager: true, import: "en", query: "?en" }),
);
