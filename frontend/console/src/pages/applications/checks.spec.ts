import { describe, expect, it } from "vitest";
import { checkTags, checksFailed } from "./checks";

describe("checkTags", () => {
  it("should list the checks in reading order with their detail", () => {
    const checks = {
      referral: { ok: true, detail: "未填写推荐码" },
      distance: { ok: false, detail: "最近的自提点相距120米", nearest_m: 120 },
      households: { ok: true, detail: "小区800户" },
      one_per_community: { ok: true, detail: "该小区暂无团长" },
    };
    expect(checkTags(checks)).toEqual([
      { key: "households", ok: true, detail: "小区800户" },
      { key: "one_per_community", ok: true, detail: "该小区暂无团长" },
      { key: "distance", ok: false, detail: "最近的自提点相距120米" },
      { key: "referral", ok: true, detail: "未填写推荐码" },
    ]);
    expect(checksFailed(checks)).toBe(1);
  });

  it("should keep checks it does not know, after the known ones", () => {
    expect(
      checkTags({ blacklist: { ok: false, detail: "x" }, households: { ok: true, detail: "y" } }).map((t) => t.key),
    ).toEqual(["households", "blacklist"]);
  });

  it("should give nothing for missing checks", () => {
    expect(checkTags(null)).toEqual([]);
    expect(checksFailed(undefined)).toBe(0);
  });
});
