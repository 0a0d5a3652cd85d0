export const zh = {
  menu: { staff: "员工与角色" },
  staff: {
    invite: "邀请员工", name: "员工", role: "角色", me: "我", active: "在职", inactive: "已停用",
    deactivate: "停用", reactivate: "恢复", deactivateConfirm: "停用 {name}？停用后无法再登录本店后台。",
    deactivated: "已停用", reactivated: "已恢复", invited: "已邀请 {name}（{role}）",
    rolesTitle: "角色权限", rolesHint: "每个角色只能看到和操作自己有权限的菜单与按钮；后台接口同样会拒绝越权操作。", permission: "权限",
    username: "用户名", displayName: "称呼", password: "初始密码", passwordHint: "已有账号的用户只需填用户名；新账号需设置初始密码（至少8位），请告知员工登录后修改。",
  },
};

export const en = {
  menu: { staff: "Staff & roles" },
  staff: {
    invite: "Invite staff", name: "Staff", role: "Role", me: "me", active: "Active", inactive: "Deactivated",
    deactivate: "Deactivate", reactivate: "Reactivate", deactivateConfirm: "Deactivate {name}? They can no longer log in to this shop.",
    deactivated: "Deactivated", reactivated: "Reactivated", invited: "{name} invited as {role}",
    rolesTitle: "Roles and permissions", rolesHint: "Each role sees only the menu entries and buttons it may use; the API refuses the rest anyway.", permission: "Permission",
    username: "Username", displayName: "Name", password: "First password", passwordHint: "For an existing account the username is enough; a new account needs a first password (8+ characters) to change after logging in.",
  },
};
