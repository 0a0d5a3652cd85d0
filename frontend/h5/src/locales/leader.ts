export const zh = {
  leader: {
    title: "团长中心",
    point: "自提点",
    members: "团员 {n} 人",
    rate: "佣金比例 {rate}",
    noPoint: "尚未设置自提点",
    suspended: "您的团长资格已暂停：{reason}",
    commissionSummary: { pending: "待结算", withdrawable: "可提现", earned: "累计佣金", more: "佣金明细" },
    entries: { orders: "团员订单", verify: "核销提货", commission: "我的佣金", recruit: "邀请团长" },
    campaigns: {
      title: "可开团的团购", empty: "暂时没有可参与的团购，商家开团后会出现在这里", joined: "已参团", join: "参团",
      joinedToast: "参团成功，快去分享吧", cutoff: "截单 {time}", pickup: "提货 {time}", mine: "我的订单 {n} 单 · {amount}",
      progress: "成团进度 {current}/{target}", share: "分享", poster: "海报", jielong: "接龙",
    },
    share: {
      title: "分享团购", tabLink: "分享链接", tabPoster: "海报", tabJielong: "接龙",
      from: "起", linkLabel: "我的专属链接（带团长标识）", shareButton: "分享给邻居", copyLink: "复制链接",
      copied: "已复制，去群里粘贴吧", shared: "已分享", copyFailed: "复制失败，请长按文字手动复制",
      posterHint: "长按图片保存到相册，发到朋友圈；邻居扫码即可在您这里下单", download: "下载海报", posterLoading: "海报生成中…",
      jielongHint: "按付款顺序排列，新订单进来后点「刷新」", copyJielong: "复制接龙", refresh: "刷新", refreshed: "已更新，共 {n} 单",
    },
    orders: {
      title: "团员订单", empty: "还没有团员下单，去分享团购吧", count: "{n} 单 · {quantity} 件 · {amount}",
      arrived: "确认到货", arrivedConfirm: "确认「{title}」的货已送到自提点？", arrivedToast: "已确认到货，{n} 笔订单待提货",
      notice: "一键通知提货", noticeSent: "已通知 {n} 位团员来提货", noticeAt: "已于 {time} 发送提货通知",
      waiting: "待提货 {n} 单", notShipped: "商家尚未发货", shipStatus: "发货状态", showOrders: "查看订单明细",
    },
    status: {
      paid: "已付款", confirmed: "已成团", shipped: "已发货", arrived: "待提货", picked_up: "已提货", completed: "已完成",
      refunded: "已退款", cancelled: "已取消", pending_payment: "待付款",
    },
    verify: {
      title: "核销提货", code: "提货码", placeholder: "输入团员出示的提货码", submit: "核销", scan: "扫码核销",
      scanning: "将团员的提货二维码对准取景框", cameraFailed: "无法打开摄像头，请手动输入提货码", stop: "取消扫码",
      done: "核销成功", order: "订单 {number}", member: "团员", next: "继续核销",
    },
    commission: {
      title: "我的佣金", pending: "待结算", settled: "已结算", withdrawable: "可提现", withdrawn: "已提现", earned: "累计佣金",
      pendingHint: "售后期结束后自动结算为可提现", history: "佣金明细", withdrawals: "提现记录", withdraw: "申请提现",
      amount: "提现金额", amountPlaceholder: "最多 {max}", all: "全部", account: "收款账户", accountPlaceholder: "如：微信零钱 / 支付宝 手机号",
      submit: "提交申请", requested: "提现申请已提交，等待商家审核", amountInvalid: "请输入正确的金额（最多两位小数）",
      amountTooMuch: "不能超过可提现金额", emptyHistory: "还没有佣金，团员下单后这里会有记录", emptyWithdrawals: "还没有提现记录",
      finished: "没有更多了", reason: "原因：{reason}",
    },
    recruit: {
      title: "邀请团长", intro: "邀请邻居、朋友成为团长，对方通过审核并达成业绩后，您可获得推荐奖励。", code: "我的推荐码",
      link: "我的推荐链接", copy: "复制链接", qr: "推荐二维码", qrHint: "让对方用手机扫码，即可填写团长申请（已带上您的推荐码）",
    },
  },
};

export const en = {
  leader: {
    title: "Leader center",
    point: "Pickup point",
    members: "{n} members",
    rate: "Commission {rate}",
    noPoint: "No pickup point yet",
    suspended: "Your leader status is suspended: {reason}",
    commissionSummary: { pending: "Pending", withdrawable: "Withdrawable", earned: "Earned", more: "Details" },
    entries: { orders: "Orders", verify: "Verify pickup", commission: "Commission", recruit: "Invite leaders" },
    campaigns: {
      title: "Campaigns to run", empty: "No campaigns to run yet; they appear here when the shop opens one", joined: "Joined", join: "Join",
      joinedToast: "Joined — now share it", cutoff: "Cut-off {time}", pickup: "Pickup {time}", mine: "My orders {n} · {amount}",
      progress: "Progress {current}/{target}", share: "Share", poster: "Poster", jielong: "Jielong",
    },
    share: {
      title: "Share campaign", tabLink: "Link", tabPoster: "Poster", tabJielong: "Jielong list",
      from: "from", linkLabel: "My link (carries my leader id)", shareButton: "Share with neighbours", copyLink: "Copy link",
      copied: "Copied — paste it in the group chat", shared: "Shared", copyFailed: "Copy failed; long-press the text to copy",
      posterHint: "Long-press the image to save it, then post it to Moments; neighbours scan it to order through you", download: "Download poster", posterLoading: "Drawing the poster…",
      jielongHint: "In order of payment; tap Refresh after new orders", copyJielong: "Copy list", refresh: "Refresh", refreshed: "Updated: {n} orders",
    },
    orders: {
      title: "Members' orders", empty: "No orders yet — share a campaign", count: "{n} orders · {quantity} items · {amount}",
      arrived: "Goods arrived", arrivedConfirm: "Confirm the goods of “{title}” arrived at your point?", arrivedToast: "Arrival confirmed; {n} orders to pick up",
      notice: "Send pickup notice", noticeSent: "{n} members notified to pick up", noticeAt: "Pickup notice sent at {time}",
      waiting: "{n} to pick up", notShipped: "Not shipped yet", shipStatus: "Shipment", showOrders: "Order details",
    },
    status: {
      paid: "Paid", confirmed: "Confirmed", shipped: "Shipped", arrived: "To pick up", picked_up: "Picked up", completed: "Completed",
      refunded: "Refunded", cancelled: "Cancelled", pending_payment: "Unpaid",
    },
    verify: {
      title: "Verify pickup", code: "Pickup code", placeholder: "The code the member shows", submit: "Verify", scan: "Scan QR",
      scanning: "Point the camera at the member's pickup QR code", cameraFailed: "The camera is not available; type the code instead", stop: "Stop scanning",
      done: "Picked up", order: "Order {number}", member: "Member", next: "Next",
    },
    commission: {
      title: "My commission", pending: "Pending", settled: "Settled", withdrawable: "Withdrawable", withdrawn: "Withdrawn", earned: "Earned",
      pendingHint: "Becomes withdrawable when the after-sales window closes", history: "History", withdrawals: "Withdrawals", withdraw: "Withdraw",
      amount: "Amount", amountPlaceholder: "At most {max}", all: "All", account: "Account", accountPlaceholder: "e.g. WeChat balance / Alipay phone",
      submit: "Submit", requested: "Withdrawal requested; waiting for the shop", amountInvalid: "Enter an amount with at most two decimals",
      amountTooMuch: "More than the withdrawable amount", emptyHistory: "No commission yet; it appears when members order", emptyWithdrawals: "No withdrawals yet",
      finished: "No more", reason: "Reason: {reason}",
    },
    recruit: {
      title: "Invite leaders", intro: "Invite neighbours and friends to become leaders; when they are approved and reach the target you earn the referral reward.", code: "My referral code",
      link: "My referral link", copy: "Copy link", qr: "Referral QR code", qrHint: "Let them scan it to apply (your referral code is filled in)",
    },
  },
};
