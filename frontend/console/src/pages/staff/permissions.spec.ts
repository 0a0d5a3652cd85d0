import { describe, expect, it } from "vitest";
import type { RouteRecordRaw } from "vue-router";
import { can } from "@shared/auth";
import { grantableRoles, permissionMatrix, visibleMenu } from "./permissions";

const page = { render: () => null };
const routes: RouteRecordRaw[] = [
  { path: "dashboard", component: page, meta: { title: "menu.dashboard", permission: "shop.view" } },
  { path: "products", component: page, meta: { title: "menu.products", permission: "catalog.view" } },
  {
    path: "commissions",
    component: page,
    meta: { title: "menu.commissions", permission: ["commissions.view", "withdrawals.manage"] },
  },
  { path: "staff", component: page, meta: { title: "menu.staff", permission: "staff.manage" } },
  { path: "leaders/:id", component: page, meta: { title: "menu.leaders", permission: "leaders.view", hidden: true } },
  { path: "help", component: page, meta: {} },
];

const paths = (permissions: string[]) =>
  visibleMenu(routes, (needed) => can(new Set(permissions), needed)).map((r) => r.path);

describe("visibleMenu", () => {
  it("should show finance its pages and hide products and staff", () => {
    expect(paths(["shop.view", "commissions.view", "withdrawals.manage", "leaders.view"])).toEqual([
      "dashboard",
      "commissions",
    ]);
  });

  it("should hide the finance pages from a warehouse role", () => {
    expect(paths(["shop.view", "catalog.view", "fulfilment.view"])).toEqual(["dashboard", "products"]);
  });

  it("should show an entry when any one of its permissions is held", () => {
    expect(paths(["withdrawals.manage"])).toEqual(["commissions"]);
  });

  it("should never list hidden or untitled routes", () => {
    expect(paths(["shop.view", "catalog.view", "commissions.view", "staff.manage", "leaders.view"])).toEqual([
      "dashboard",
      "products",
      "commissions",
      "staff",
    ]);
  });

  it("should show nothing to someone without permissions", () => {
    expect(paths([])).toEqual([]);
  });
});

describe("permissionMatrix", () => {
  it("should mark for each permission which roles hold it", () => {
    const roles = [
      { role: "owner", label: "店主", permissions: ["shop.view", "staff.manage"] },
      { role: "finance", label: "财务", permissions: ["shop.view"] },
    ];
    expect(permissionMatrix(roles, { "shop.view": "查看店铺", "staff.manage": "管理员工" })).toEqual([
      { permission: "shop.view", label: "查看店铺", granted: { owner: true, finance: true } },
      { permission: "staff.manage", label: "管理员工", granted: { owner: true, finance: false } },
    ]);
  });
});

describe("grantableRoles", () => {
  const roles = ["owner", "admin", "finance"].map((role) => ({ role, label: role, permissions: [] }));

  it("should let an owner grant every role and an admin all but owner", () => {
    expect(grantableRoles(roles, "owner").map((r) => r.role)).toEqual(["owner", "admin", "finance"]);
    expect(grantableRoles(roles, "admin").map((r) => r.role)).toEqual(["admin", "finance"]);
  });

  it("should let other roles grant nothing", () => {
    expect(grantableRoles(roles, "finance")).toEqual([]);
  });
});
