export const zh = {
  menu: { products: "商品管理" },
  products: {
    title: "商品管理", searchPlaceholder: "搜索商品名称", category: "分类", allCategories: "全部分类", status: "状态",
    onShelf: "上架", offShelf: "下架", putOn: "上架", takeOff: "下架", create: "新建商品", edit: "编辑商品", name: "商品名称",
    cover: "图片", price: "价格", stock: "库存", skus: "规格", unit: "单位", purchaseLimit: "每人限购", purchaseLimitHint: "0 为不限",
    description: "商品描述", spec: "规格名", code: "商品编码", salePrice: "售价（元）", cost: "成本（元）", openingStock: "库存",
    active: "启用", addSku: "添加规格", removeSku: "移除", images: "商品图片", uploadHint: "JPG/PNG/GIF/WebP，不超过5MB；保存商品后可上传",
    uploaded: "图片已上传", stockAdjust: "库存调整", delta: "变动数量", deltaHint: "正数入库，负数出库", reason: "原因", note: "备注",
    reasons: { purchase: "采购入库", adjustment: "盘点调整", damage: "损耗" }, movements: "库存流水", stockAfter: "变动后库存",
    actor: "操作人", time: "时间", adjusted: "库存已调整", created: "商品已创建", updated: "商品已保存", invalidMoney: "请输入正确的金额（最多两位小数）",
    empty: "还没有商品。点击“新建商品”添加第一件商品，再用它开团。", newCategory: "新建分类", categoryName: "分类名称",
    uncategorised: "未分类", shelfChanged: "已更新上下架状态", skuCount: "{n}个规格", fromPrice: "起",
  },
};

export const en = {
  menu: { products: "Products" },
  products: {
    title: "Products", searchPlaceholder: "Search by name", category: "Category", allCategories: "All categories", status: "Status",
    onShelf: "On shelf", offShelf: "Off shelf", putOn: "Put on shelf", takeOff: "Take off shelf", create: "New product", edit: "Edit product", name: "Name",
    cover: "Image", price: "Price", stock: "Stock", skus: "SKUs", unit: "Unit", purchaseLimit: "Limit per member", purchaseLimitHint: "0 = no limit",
    description: "Description", spec: "Spec", code: "SKU code", salePrice: "Price (¥)", cost: "Cost (¥)", openingStock: "Stock",
    active: "Active", addSku: "Add SKU", removeSku: "Remove", images: "Images", uploadHint: "JPG/PNG/GIF/WebP up to 5 MB; save the product first",
    uploaded: "Image uploaded", stockAdjust: "Adjust stock", delta: "Change", deltaHint: "Positive adds, negative removes", reason: "Reason", note: "Note",
    reasons: { purchase: "Purchase", adjustment: "Stock count", damage: "Damage" }, movements: "Stock movements", stockAfter: "Stock after",
    actor: "By", time: "Time", adjusted: "Stock adjusted", created: "Product created", updated: "Product saved", invalidMoney: "Enter an amount with at most 2 decimals",
    empty: "No products yet. Click \"New product\" to add your first one, then start a campaign with it.", newCategory: "New category", categoryName: "Category name",
    uncategorised: "Uncategorised", shelfChanged: "Shelf status updated", skuCount: "{n} SKUs", fromPrice: "from",
  },
};
