export const zh = {
  leaders: {
    title: "附近的团长", locating: "正在获取你的位置…", located: "按离你的距离排序", denied: "无法获取定位，请选择一个地点或输入坐标",
    pickPlace: "选择地点", typeCoords: "输入坐标", lat: "纬度", lng: "经度", search: "查找", badCoords: "请输入有效的纬度和经度",
    useLocation: "重新定位", choose: "选TA", current: "当前团长", chosen: "已选择 {name} 为我的团长", none: "附近 50 公里内没有自提点",
    leader: "团长", near: "距{place}",
  },
};
export const en = {
  leaders: {
    title: "Nearby leaders", locating: "Finding your location…", located: "Sorted by distance from you", denied: "Location unavailable: pick a place or type coordinates",
    pickPlace: "Pick a place", typeCoords: "Type coordinates", lat: "Latitude", lng: "Longitude", search: "Search", badCoords: "Enter a valid latitude and longitude",
    useLocation: "Locate me", choose: "Choose", current: "My leader", chosen: "{name} is now your leader", none: "No pickup point within 50 km",
    leader: "Leader", near: "Near {place}",
  },
};
