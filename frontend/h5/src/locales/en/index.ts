// Every English message in one chunk (one request, not one per domain), fetched by ../../locale.ts
// only on a phone that chose English.
import type { Messages } from "@shared/i18n";

export const english = Object.values(
  import.meta.glob<Messages>(["./*.ts", "!./index.ts"], { eager: true, import: "en" }),
);
