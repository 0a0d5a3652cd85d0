export const zh = {
  menu: { fulfilment: "采购发货" },
  fulfilment: {
    title: "采购与发货", chooseCampaign: "选择已截单的团购", noCampaign: "请选择一个已成团的团购，查看它的采购单、发货单和分拣单。",
    noCampaigns: "还没有已截单的团购。团购截单并成团后，系统会自动生成采购、发货和分拣单。",
    purchase: "采购单", shipping: "发货单", sorting: "分拣单", shipments: "发货状态", print: "打印PDF", export: "导出Excel",
    generating: "正在生成单据…", generatingHint: "订单较多时需要一些时间，请稍候", product: "商品", spec: "规格", code: "编码", quantity: "数量",
    unit: "单位", cost: "采购成本", sales: "销售额", orders: "订单数", points: "自提点数", total: "合计", route: "线路", point: "自提点",
    community: "小区", address: "地址", leader: "团长", leaderPhone: "团长电话", pickupCode: "提货码", member: "团员", phoneTail: "手机尾号",
    pointCount: "{n}个自提点", orderCount: "{n}单", pieceCount: "{n}件", shipStatus: "发货状态", shipSelected: "标记选中已发货",
    shipAll: "全部标记已发货", shipOne: "标记发货", shipConfirm: "确认将{n}个自提点标记为已发货？团员订单将变为“已发货”。",
    shipAllConfirm: "确认将所有有货的自提点标记为已发货？", shipped: "已标记{n}个自提点发货", shippedAt: "发货时间", arrivedAt: "到货时间",
    statuses: { pending: "待发货", shipped: "已发货", arrived: "已到货" }, pickedUp: "已提货", emptySheet: "这个团购没有需要配送的订单。",
    generatedAt: "生成时间", pickupAt: "提货日期", failed: "生成失败，请重试", retry: "重试",
    exportQueued: "{sheet}（{format}）排队等待生成…", exportRunning: "正在生成{sheet}（{format}）…", exportDone: "{sheet}（{format}）已生成，正在下载",
    exportLater: "生成完成后会自动下载；若没有开始下载，稍后在此下载。", exportDownload: "下载文件", exportFailed: "{sheet}（{format}）生成失败",
  },
};

export const en = {
  menu: { fulfilment: "Fulfilment" },
  fulfilment: {
    title: "Purchase & shipping", chooseCampaign: "Choose a closed campaign", noCampaign: "Choose a succeeded campaign to see its purchase, shipping and sorting sheets.",
    noCampaigns: "No closed campaigns yet. Once a campaign closes and succeeds, its sheets are generated here.",
    purchase: "Purchase", shipping: "Shipping", sorting: "Sorting", shipments: "Shipments", print: "Print PDF", export: "Export Excel",
    generating: "Generating the sheet…", generatingHint: "Large campaigns take a moment", product: "Product", spec: "Spec", code: "Code", quantity: "Qty",
    unit: "Unit", cost: "Cost", sales: "Sales", orders: "Orders", points: "Points", total: "Total", route: "Route", point: "Pickup point",
    community: "Community", address: "Address", leader: "Leader", leaderPhone: "Leader phone", pickupCode: "Pickup code", member: "Member", phoneTail: "Phone",
    pointCount: "{n} points", orderCount: "{n} orders", pieceCount: "{n} pcs", shipStatus: "Status", shipSelected: "Mark selected shipped",
    shipAll: "Mark all shipped", shipOne: "Mark shipped", shipConfirm: "Mark {n} pickup points shipped? Their orders become shipped.",
    shipAllConfirm: "Mark every pickup point with goods shipped?", shipped: "{n} pickup points marked shipped", shippedAt: "Shipped", arrivedAt: "Arrived",
    statuses: { pending: "To ship", shipped: "Shipped", arrived: "Arrived" }, pickedUp: "Picked up", emptySheet: "Nothing to deliver in this campaign.",
    generatedAt: "Generated", pickupAt: "Pickup", failed: "Could not generate; try again", retry: "Retry",
    exportQueued: "{sheet} ({format}) is waiting to be generated…", exportRunning: "Generating {sheet} ({format})…", exportDone: "{sheet} ({format}) is ready; downloading",
    exportLater: "It downloads by itself when ready; if it does not, download it here later.", exportDownload: "Download file", exportFailed: "Could not generate {sheet} ({format})",
  },
};
