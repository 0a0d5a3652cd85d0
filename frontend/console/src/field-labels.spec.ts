import { describe, expect, it } from "vitest";
import { labelMessage } from "@shared/request";
import { fieldLabel } from "./field-labels";

describe("fieldLabel", () => {
  it("should name a plain field by its form label", () => {
    expect(fieldLabel("username", "zh-CN")).toBe("用户名");
    expect(fieldLabel("username", "en")).toBe("Username");
  });

  it("should name an indexed field by its row and label", () => {
    expect(fieldLabel("items.0.price_fen", "zh-CN")).toBe("第1行 价格");
    expect(fieldLabel("lines.2.quantity", "en")).toBe("Row 3 Quantity");
  });

  it("should answer null for a field it does not know", () => {
    expect(fieldLabel("mystery_field", "zh-CN")).toBeNull();
  });
});

describe("labelMessage", () => {
  const labeler = (field: string) => fieldLabel(field, "zh-CN");

  it("should replace the raw field of a 422 message with its label", () => {
    expect(labelMessage("username：必填", "username", labeler)).toBe("用户名：必填");
    expect(labelMessage("items.0.price_fen：不能大于2147483647", "items.0.price_fen", labeler)).toBe(
      "第1行 价格：不能大于2147483647",
    );
    expect(labelMessage("username: is required", "username", (f) => fieldLabel(f, "en"))).toBe("Username: is required");
  });

  it("should leave a message that already speaks in words alone", () => {
    expect(labelMessage("截单时间必须晚于开始时间", "cutoff_at", labeler)).toBe("截单时间必须晚于开始时间");
    expect(labelMessage("mystery_field：必填", "mystery_field", labeler)).toBe("mystery_field：必填");
    expect(labelMessage("username：必填", null, labeler)).toBe("username：必填");
  });
});
