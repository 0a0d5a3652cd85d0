"""Status labels (get_status_display, kept per field by core.models.TimeStampedModel) follow the
language of the request, as Django's own do."""

from django.utils import translation

from tuangou.orders.models import Order


def test_a_status_label_is_in_the_active_language_and_an_unknown_value_shows_as_it_is():
    order = Order(status=Order.Status.PAID)
    assert order.get_status_display() == "已付款"
    with translation.override("en"):
        assert order.get_status_display() == "Paid"
        order.status = Order.Status.PICKED_UP
        assert order.get_status_display() == "Picked up"
    assert order.get_status_display() == "已提货"
    order.status = "lost"
    assert order.get_status_display() == "lost"
