export const zh = {
  common: { countdownFormat: "DD天HH:mm:ss", notFound: "页面不存在", home: "回到首页", loading: "加载中…", empty: "暂无内容", retry: "重试", confirm: "确定", cancel: "取消" },
  login: {
    title: "手机号登录", welcome: "欢迎来到社区团购", phone: "手机号", phonePlaceholder: "请输入手机号", code: "验证码",
    codePlaceholder: "请输入短信验证码", send: "获取验证码", sent: "验证码已发送", submit: "登录", devHint: "开发环境验证码见",
  },
};
export const en = {
  common: { countdownFormat: "DDd HH:mm:ss", notFound: "Page not found", home: "Home", loading: "Loading…", empty: "Nothing here yet", retry: "Retry", confirm: "OK", cancel: "Cancel" },
  login: {
    title: "Log in", welcome: "Welcome to the community group buy", phone: "Phone", phonePlaceholder: "Your mobile number", code: "Code",
    codePlaceholder: "SMS code", send: "Get code", sent: "Code sent", submit: "Log in", devHint: "Development codes at",
  },
};
