export const en = {
  me: {
    title: "Me",
    guest: "Not logged in",
    login: "Log in / Sign up",
    orders: "My orders",
    messages: "Messages",
    myLeader: "My leader",
    leaderCenter: "Leader center",
    apply: "My leader application",
    language: "Language / 语言",
    logout: "Log out",
    loggedOut: "Logged out",
    switchShop: "Switch shop",
  },
};
