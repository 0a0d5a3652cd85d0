export const en = {
  cart: {
    title: "Checkout",
    reduction: "Spend & save",
    empty: "Your cart is empty",
    backToCampaign: "Pick some goods",
    pickupPoint: "Pickup point",
    noLeader: "No pickup point chosen",
    chooseLeader: "Choose a pickup point",
    contactName: "Picked up by",
    contactNamePlaceholder: "Optional; your nickname by default",
    note: "Note",
    notePlaceholder: "Optional",
    submit: "Place order",
    paying: "Opening the payment page…",
    unavailable: "Unavailable",
    pickupAt: "Pickup time",
  },
};
