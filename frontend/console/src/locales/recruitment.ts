export const zh = {
  menu: { recruitment: "团长招募" },
  recruitment: {
    templates: "从模板开始", useTemplate: "使用此模板", templateUsed: "已套用「{name}」，确认后请保存", plan: "招募计划",
    fields: { title: "标题", benefits: "团长权益", requirements: "申请条件", reward: "推荐奖励", target: "推荐考核交易额", days: "考核期（天）", published: "发布状态" },
    rewardHint: "推荐的新团长达标后，推荐人获得的现金奖励；填 0 不设奖励", daysHint: "新团长加入后多少天内达到考核交易额",
    published: "已发布", unpublished: "未发布", share: "推广", link: "招募链接", copy: "复制", copied: "链接已复制",
    qr: "二维码", poster: "招募海报", downloadQr: "下载二维码 PNG", downloadPoster: "下载海报 PNG", posterPending: "海报生成中，可先下载二维码",
    notPublishedWarning: "计划未发布：扫码的人会看到“招募已结束”。",
    errors: { money: "请输入金额，最多两位小数" },
    preview: { benefits: "团长权益", requirements: "申请条件", reward: "推荐奖励：新团长{days}天内交易额达到{target}，推荐人得{reward}", apply: "立即申请成为团长", unpublished: "预览：计划未发布", noTitle: "（未填写标题）" },
  },
};

export const en = {
  menu: { recruitment: "Recruitment" },
  recruitment: {
    templates: "Start from a template", useTemplate: "Use this template", templateUsed: "{name} applied; save to keep it", plan: "Recruitment plan",
    fields: { title: "Title", benefits: "Benefits", requirements: "Requirements", reward: "Referral reward", target: "Referral GMV target", days: "Window (days)", published: "Status" },
    rewardHint: "Paid to the referrer when the new leader hits the target; 0 for none", daysHint: "Days after joining to reach the target",
    published: "Published", unpublished: "Unpublished", share: "Share", link: "Public link", copy: "Copy", copied: "Link copied",
    qr: "QR code", poster: "Poster", downloadQr: "Download QR PNG", downloadPoster: "Download poster PNG", posterPending: "Poster not ready yet; download the QR code",
    notPublishedWarning: "Not published: people scanning see that recruitment is closed.",
    errors: { money: "Enter an amount with at most 2 decimals" },
    preview: { benefits: "What you get", requirements: "What we ask", reward: "Referral: a new leader reaching {target} within {days} days earns you {reward}", apply: "Apply to be a leader", unpublished: "Preview: not published", noTitle: "(no title)" },
  },
};
