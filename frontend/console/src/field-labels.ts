// The one place that names the API's fields as the console's forms label them: a 422 answer's
// field (`username`, `items.0.price_fen`) becomes 「用户名：…」 / 「第1行 团购价：…」 in every form.
const LABELS: Record<string, [string, string]> = {
  username: ["用户名", "Username"],
  password: ["密码", "Password"],
  display_name: ["您的称呼", "Your name"],
  name: ["名称", "Name"],
  shop_name: ["店铺名称", "Shop name"],
  category: ["主营类目", "Category"],
  category_id: ["商品分类", "Category"],
  city: ["所在城市", "City"],
  contact_name: ["联系人", "Contact"],
  contact_phone: ["联系电话", "Contact phone"],
  phone: ["手机号", "Phone"],
  role: ["角色", "Role"],
  title: ["团购标题", "Title"],
  description: ["介绍", "Description"],
  template: ["页面模板", "Template"],
  spec: ["规格", "Spec"],
  code: ["编码", "Code"],
  unit: ["单位", "Unit"],
  price_fen: ["价格", "Price"],
  cost_fen: ["成本价", "Cost"],
  stock: ["库存", "Stock"],
  delta: ["变动数量", "Change"],
  purchase_limit: ["每人限购", "Limit per member"],
  sku_id: ["商品规格", "SKU"],
  stock_allotted: ["分配库存", "Allotted stock"],
  commission_rate_bp: ["佣金比例", "Commission rate"],
  default_commission_rate_bp: ["默认佣金比例", "Default commission rate"],
  threshold_type: ["成团条件", "Threshold type"],
  threshold_value: ["成团目标", "Threshold"],
  starts_at: ["开始时间", "Start"],
  cutoff_at: ["截单时间", "Cut-off"],
  pickup_at: ["提货时间", "Pickup"],
  leader_ids: ["团长", "Leaders"],
  all_leaders: ["团长范围", "Leaders"],
  reason: ["原因", "Reason"],
  amount_fen: ["金额", "Amount"],
  quantity: ["数量", "Quantity"],
  lines: ["退款商品", "Items to refund"],
  min_households: ["小区最少户数", "Minimum households"],
  one_leader_per_community: ["一个小区一名团长", "One leader per community"],
  min_distance_between_points_m: ["自提点最小间距", "Min. distance between points"],
  payment_timeout_minutes: ["支付超时", "Payment timeout"],
  after_sales_days: ["售后期", "After-sales window"],
  pickup_notice_text: ["提货通知文案", "Pickup notice"],
  team_id: ["团队", "Team"],
  region_id: ["区域", "Region"],
  captain_id: ["队长", "Captain"],
  regional_leader_id: ["区域团长", "Regional leader"],
  route: ["线路", "Route"],
  community: ["小区", "Community"],
  address: ["地址", "Address"],
  image_ids: ["图片顺序", "Image order"],
  file: ["文件", "File"],
  days: ["天数", "Days"],
  page: ["页码", "Page"],
  status: ["状态", "Status"],
  action: ["处理方式", "Action"],
};

/** `items.0.price_fen` -> "第1行 价格" (zh) / "Row 1 Price" (en); a plain field -> its label; unknown -> null. */
export function fieldLabel(field: string, locale: string): string | null {
  const english = locale.startsWith("en");
  const parts = field.split(".");
  const leaf = [...parts].reverse().find((part) => !/^\d+$/.test(part)) ?? field;
  const entry = LABELS[leaf] ?? LABELS[parts.join("_")];
  if (!entry) return null;
  const label = english ? entry[1] : entry[0];
  const index = parts.find((part) => /^\d+$/.test(part));
  if (index === undefined) return label;
  const row = Number(index) + 1;
  return english ? `Row ${row} ${label}` : `第${row}行 ${label}`;
}
