"""The demo shop's group polls (群投票): one the merchant ran that became a draft campaign (the
winners opened in the wizard), and one a leader is running now for their group, votes coming in."""

from datetime import timedelta

from tuangou.catalog.models import Product
from tuangou.demo import pictures
from tuangou.polls import services as poll_services
from tuangou.polls.models import PollOption

FRUIT = ["阳光玫瑰葡萄", "丹东99草莓", "佳沛绿奇异果", "烟台红富士苹果"]


def demo_polls(*, shop, owner, leaders, members, random, now) -> None:
    products = dict(Product.objects.filter(shop=shop, name__in=FRUIT).values_list("name", "id"))
    done = poll_services.poll_create(
        shop=shop,
        actor=owner,
        title="下周团什么水果？",
        description="票数最高的两样下周开团，团长们拉群里的邻居来投票吧！",
        closes_at=now + timedelta(days=1),
        options=[{"product_id": products[name]} for name in FRUIT] + [{"name": "妃子笑荔枝"}],
    )
    lychee = PollOption.objects.get(poll=done, name="妃子笑荔枝")
    poll_services.poll_option_image_set(
        shop=shop, poll_id=done.id, option_id=lychee.id, upload=pictures.product_picture("妃子笑荔枝", "水果")
    )
    options = list(done.options.order_by("sort"))
    weights = [30, 22, 9, 6, 14]  # 葡萄 and 草莓 win; the lychee is not in the catalogue yet
    for user, _leader in random.sample(members, 81):
        (option,) = random.choices(options, weights=weights)
        poll_services.poll_vote(poll=done, user=user, option_id=option.id)
    poll_services.poll_to_campaign(poll=done, actor=owner, top=2)

    leader = leaders[0]
    running = poll_services.poll_create(
        shop=shop,
        actor=leader.user,
        leader=leader,
        title="周末早餐想吃什么？",
        closes_at=now + timedelta(days=2),
        options=[{"name": "手工全麦吐司"}, {"name": "现烤可颂"}, {"name": "杂粮馒头"}],
    )
    own = [user for user, bound in members if bound.pk == leader.pk]
    options = list(running.options.order_by("sort"))
    for user in random.sample(own, min(len(own), 17)):
        poll_services.poll_vote(poll=running, user=user, option_id=random.choice(options).id)
