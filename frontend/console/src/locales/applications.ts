export const zh = {
  menu: { applications: "团长审核" },
  applications: {
    status: { pending: "待审核", approved: "已通过", rejected: "已拒绝" },
    applicant: "申请人", community: "小区 / 地址", households: "{n}户", reach: "触达邻居方式", referralCode: "推荐码",
    checksTitle: "门槛检查", approve: "通过", reject: "拒绝", viewLeader: "查看团长",
    checks: { households: "户数", one_per_community: "一区一团长", distance: "点位间距", referral: "推荐人" },
    selected: "已选 {n} 条", bulkApprove: "批量通过", bulkReject: "批量拒绝",
    approveTitle: "通过 {name} 的申请", rejectTitle: "拒绝 {name} 的申请", bulkApproveTitle: "批量通过 {n} 条申请", bulkRejectTitle: "批量拒绝 {n} 条申请",
    rate: "佣金比例", ratePlaceholder: "留空使用店铺默认", pointName: "自提点名称", route: "配送线路", routePlaceholder: "如：思明线",
    reasonPlaceholder: "申请人会看到这个原因", failedWarning: "该申请有未满足的门槛，确认仍要通过？",
    approved: "已通过 {name}，已创建团长与自提点", rejected: "已拒绝 {name}",
    outcomes: "处理结果：成功 {ok} / 共 {total}", outcome: "结果", done: "成功",
    emptyPending: "没有待审核的申请。发布招募计划并分享二维码，新的申请会出现在这里。",
    errors: { reason: "请填写拒绝原因", rate: "请输入 0–50 之间的百分比，最多两位小数" },
  },
};

export const en = {
  menu: { applications: "Applications" },
  applications: {
    status: { pending: "Pending", approved: "Approved", rejected: "Rejected" },
    applicant: "Applicant", community: "Community / address", households: "{n} households", reach: "Reach", referralCode: "Referral code",
    checksTitle: "Threshold checks", approve: "Approve", reject: "Reject", viewLeader: "View leader",
    checks: { households: "Households", one_per_community: "One per community", distance: "Distance", referral: "Referral" },
    selected: "{n} selected", bulkApprove: "Approve selected", bulkReject: "Reject selected",
    approveTitle: "Approve {name}", rejectTitle: "Reject {name}", bulkApproveTitle: "Approve {n} applications", bulkRejectTitle: "Reject {n} applications",
    rate: "Commission rate", ratePlaceholder: "Empty = shop default", pointName: "Pickup point name", route: "Delivery route", routePlaceholder: "e.g. Siming line",
    reasonPlaceholder: "The applicant sees this reason", failedWarning: "This application misses some thresholds. Approve anyway?",
    approved: "{name} approved: leader and pickup point created", rejected: "{name} rejected",
    outcomes: "Results: {ok} of {total} succeeded", outcome: "Outcome", done: "Done",
    emptyPending: "No applications waiting. Publish the recruitment plan and share its QR code; new applications show up here.",
    errors: { reason: "Give a reason", rate: "Enter a percent between 0 and 50, at most 2 decimals" },
  },
};
