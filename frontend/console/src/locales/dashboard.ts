export const zh = { menu: { dashboard: "数据看板" } };
export const en = { menu: { dashboard: "Dashboard" } };
