import { describe, expect, it } from "vitest";
import { can, staffPermissions, type Me } from "./auth";

const me = {
  id: 1,
  username: "cangku",
  display_name: "王大海",
  phone: null,
  is_platform_operator: false,
  staff_of: [
    {
      shop_id: 1,
      shop_name: "鹭岛鲜生",
      role: "warehouse",
      permissions: ["fulfilment.ship", "fulfilment.view", "orders.view"],
    },
    { shop_id: 2, shop_name: "另一家", role: "finance", permissions: ["withdrawals.manage"] },
  ],
  leader_of: [],
} as Me;

describe("permissions", () => {
  it("should hold only the permissions of the role in the current shop", () => {
    const permissions = staffPermissions(me, 1);
    expect(can(permissions, "fulfilment.ship")).toBe(true);
    expect(can(permissions, "withdrawals.manage")).toBe(false);
  });

  it("should allow an entry when any of its permissions is held", () => {
    expect(can(staffPermissions(me, 2), ["orders.refund", "withdrawals.manage"])).toBe(true);
  });

  it("should hold nothing in a shop where the person is not staff", () => {
    expect(staffPermissions(me, 99).size).toBe(0);
    expect(staffPermissions(null, 1).size).toBe(0);
  });
});
