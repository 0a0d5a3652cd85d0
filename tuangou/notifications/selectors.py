from .models import Message


def messages_for(*, shop, user):
    return Message.objects.filter(shop=shop, user=user).order_by("-id")
