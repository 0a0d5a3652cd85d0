export const en = {
  messages: {
    title: "Messages",
    empty: "No messages; pickup notices show up here",
    readAll: "Mark all read",
    unread: "Unread",
    viewOrder: "View order",
    view: "View",
  },
};
