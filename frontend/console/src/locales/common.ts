export const zh = {
  app: { title: "团购商家后台", logout: "退出登录", language: "English", switchShop: "切换店铺", noPermission: "没有权限" },
  common: {
    countdownFormat: "D[天] HH:mm:ss", search: "搜索", reset: "重置", create: "新建", edit: "编辑", save: "保存", cancel: "取消", confirm: "确定", delete: "删除",
    actions: "操作", status: "状态", all: "全部", export: "导出Excel", print: "打印PDF", detail: "详情", back: "返回",
    loading: "加载中…", empty: "暂无数据", saved: "已保存", createdAt: "创建时间", reason: "原因", total: "合计",
  },
  login: {
    title: "商家登录", username: "用户名", password: "密码", submit: "登录", toSignup: "还没有店铺？免费开店",
    failed: "登录失败",
  },
  signup: {
    title: "免费开店", account: "创建账号", shop: "店铺信息", username: "用户名", password: "密码（至少8位）",
    displayName: "您的称呼", shopName: "店铺名称", category: "主营类目", city: "所在城市", contactName: "联系人",
    contactPhone: "联系电话", submit: "创建店铺", toLogin: "已有账号？去登录", done: "店铺已创建",
  },
  menu: {},
};

export const en = {
  app: { title: "Tuangou Merchant Console", logout: "Log out", language: "中文", switchShop: "Switch shop", noPermission: "No permission" },
  common: {
    countdownFormat: "D[d] HH:mm:ss", search: "Search", reset: "Reset", create: "New", edit: "Edit", save: "Save", cancel: "Cancel", confirm: "OK", delete: "Delete",
    actions: "Actions", status: "Status", all: "All", export: "Export Excel", print: "Print PDF", detail: "Details", back: "Back",
    loading: "Loading…", empty: "Nothing here yet", saved: "Saved", createdAt: "Created", reason: "Reason", total: "Total",
  },
  login: {
    title: "Merchant log in", username: "Username", password: "Password", submit: "Log in", toSignup: "No shop yet? Open one free",
    failed: "Login failed",
  },
  signup: {
    title: "Open your shop", account: "Your account", shop: "Your shop", username: "Username", password: "Password (8+ characters)",
    displayName: "Your name", shopName: "Shop name", category: "Main category", city: "City", contactName: "Contact",
    contactPhone: "Contact phone", submit: "Create shop", toLogin: "Have an account? Log in", done: "Shop created",
  },
  menu: {},
};
