import { describe, expect, it } from "vitest";
import { createI18n } from "vue-i18n";
import { messageCompiler } from "./i18n";

function t(message: string, values?: Record<string, unknown> | unknown[]) {
  const i18n = createI18n({ legacy: false, locale: "zh-CN", messages: { "zh-CN": { m: message } }, messageCompiler });
  return values === undefined ? i18n.global.t("m") : i18n.global.t("m", values as Record<string, unknown>);
}

describe("messageCompiler", () => {
  it("fills named placeholders, as often as they appear", () => {
    expect(t("{name} 于 {time} 下单（{name}）", { name: "王女士", time: "10:05" })).toBe(
      "王女士 于 10:05 下单（王女士）",
    );
  });

  it("fills list placeholders and numbers", () => {
    expect(t("已售 {0} / {1} 份", [12, 30])).toBe("已售 12 / 30 份");
    expect(t("还差 { count } 人成团", { count: 0 })).toBe("还差 0 人成团");
  });

  it("leaves plain text alone and shows a missing value as nothing", () => {
    expect(t("立即购买")).toBe("立即购买");
    expect(t("¥{amount}", {})).toBe("¥");
  });
});
