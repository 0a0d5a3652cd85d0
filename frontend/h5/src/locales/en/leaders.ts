export const en = {
  leaders: {
    title: "Nearby leaders",
    locating: "Finding your location…",
    located: "Sorted by distance from you",
    denied: "Location unavailable: search a community or address, or pick one below",
    pickPlace: "Communities with a pickup point",
    searchPlaceholder: "Search a community, street or address",
    noPlace: "Nothing found; try other words",
    useLocation: "Locate me",
    choose: "Choose",
    current: "My leader",
    chosen: "{name} is now your leader",
    none: "No pickup point within 50 km",
    leader: "Leader",
    near: "Near {place}",
  },
};
