export const zh = {
  apply: {
    plan: {
      title: "招募团长", benefits: "团长福利", requirements: "招募要求", reward: "推荐奖励",
      rewardText: "推荐的新团长在 {days} 天内业绩达到 {target}，您可获得 {reward}", minHouseholds: "小区户数需不少于 {n} 户",
      onePerCommunity: "每个小区只招一位团长", apply: "申请成为团长", mine: "查看我的申请", notFound: "招募链接无效或已下线",
    },
    form: {
      title: "团长申请", name: "姓名", namePlaceholder: "真实姓名", phone: "手机号", community: "小区名称", communityPlaceholder: "如：厦大西村",
      address: "详细地址", addressPlaceholder: "自提点所在的街道门牌", households: "小区户数", householdsPlaceholder: "约多少户",
      reach: "联系邻居的方式", reachPlaceholder: "如：业主微信群 480 人、便利店、快递驿站", referral: "推荐码", referralPlaceholder: "选填",
      location: "自提点位置", locate: "使用当前位置", locating: "定位中…", locateFailed: "无法获取位置，请选择附近地标或手动输入坐标",
      landmarks: "附近地标", lat: "纬度", lng: "经度", coords: "纬度 {lat}，经度 {lng}", noLocation: "请选择位置",
      submit: "提交申请", submitted: "申请已提交，请等待审核",
    },
    mine: {
      title: "我的团长申请", none: "您还没有提交团长申请", status: "审核状态", submittedAt: "提交时间", reviewedAt: "审核时间",
      reason: "未通过原因", pendingHint: "商家会尽快审核，请留意结果", approvedHint: "恭喜！您已成为团长", toCenter: "进入团长中心",
      again: "重新申请", community: "小区", address: "地址", households: "户数",
    },
  },
};

export const en = {
  apply: {
    plan: {
      title: "Become a leader", benefits: "What you get", requirements: "What we ask", reward: "Referral reward",
      rewardText: "When a leader you refer reaches {target} within {days} days, you earn {reward}", minHouseholds: "The community needs at least {n} households",
      onePerCommunity: "One leader per community", apply: "Apply now", mine: "My application", notFound: "This recruitment link is not valid",
    },
    form: {
      title: "Leader application", name: "Name", namePlaceholder: "Your real name", phone: "Phone", community: "Community", communityPlaceholder: "e.g. 厦大西村",
      address: "Address", addressPlaceholder: "Street and number of the pickup point", households: "Households", householdsPlaceholder: "About how many",
      reach: "How you reach neighbours", reachPlaceholder: "e.g. owners' WeChat group of 480, a shop, a parcel station", referral: "Referral code", referralPlaceholder: "Optional",
      location: "Pickup point location", locate: "Use my location", locating: "Locating…", locateFailed: "No location; pick a landmark or type the coordinates",
      landmarks: "Landmarks", lat: "Latitude", lng: "Longitude", coords: "Lat {lat}, Lng {lng}", noLocation: "Choose a location",
      submit: "Submit", submitted: "Application sent; wait for the review",
    },
    mine: {
      title: "My leader application", none: "You have not applied yet", status: "Status", submittedAt: "Submitted", reviewedAt: "Reviewed",
      reason: "Reason", pendingHint: "The shop will review it soon", approvedHint: "Congratulations, you are a leader", toCenter: "Open the leader center",
      again: "Apply again", community: "Community", address: "Address", households: "Households",
    },
  },
};
