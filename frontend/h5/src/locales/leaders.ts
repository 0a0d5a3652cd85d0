export const zh = {
  leaders: {
    title: "附近的团长",
    locating: "正在获取你的位置…",
    located: "按离你的距离排序",
    denied: "无法获取定位，请搜索小区或地址，或选择下面的小区",
    pickPlace: "本店自提点所在小区",
    searchPlaceholder: "搜索小区、街道或地址",
    noPlace: "没有找到这个地方，换个说法试试",
    useLocation: "重新定位",
    choose: "选TA",
    current: "当前团长",
    chosen: "已选择 {name} 为我的团长",
    none: "附近 50 公里内没有自提点",
    leader: "团长",
    near: "距{place}",
  },
};
