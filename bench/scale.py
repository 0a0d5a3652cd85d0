#!/usr/bin/env python
"""City-scale data and what the console does with it (issue 10, goal 5).

Generates, once, into its own PostgreSQL database (created if missing, migrated; the data is kept
between runs — it takes minutes — and found again by the shop's name):

  * a big shop: 1,000 leaders with their pickup points, 20,000 members, 10 products;
  * a succeeded campaign of 100,000 orders (2 lines each) over those 1,000 points (the sheets);
  * 1,000,000 more orders over the past year, one weekly campaign each week (the order list,
    the dashboard), by a fifth of the members at first and by all of them at the end (cohorts);
  * another shop with 100,000 active pickup points around Xiamen (nearby search).

Rows go in with COPY (not the order API). Then it measures through the console's and the H5's
real URLs (django.test.Client: the same handler, middleware and auth as the server) and prints
p50/p95 with the peak memory the request added (resident set, reset before each request).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tuangou_scale_bench .venv/bin/python bench/scale.py
    .venv/bin/python bench/scale.py --quick      # fewer repeats
    .venv/bin/python bench/scale.py --regenerate # drop the generated shops first

Figures only; nothing asserted.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tuangou_scale_bench"
BIG_SHOP = "城市规模压测鲜果团"
NEAR_SHOP = "城市规模压测附近自提点"
POINTS = 1_000
MEMBERS = 20_000
CAMPAIGN_ORDERS = 100_000
HISTORY_ORDERS = 1_000_000
NEARBY_POINTS = 100_000
PRODUCTS = 10
# Xiamen and around: a 60 km square.
CENTRE_LAT, CENTRE_LNG, SPAN = 24.50, 118.10, 0.55


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats of each measure")
    parser.add_argument("--regenerate", action="store_true", help="delete the generated shops and make them again")
    parser.add_argument("--only", default="", help="comma list: sheets,nearby,orders,dashboard")
    parser.add_argument("--sheets", default="purchase,shipping,sorting", help="which sheets (comma list)")
    return parser.parse_args()


def ensure_database(url: str) -> None:
    name = conninfo_to_dict(url).get("dbname") or ""
    if "bench" not in name:
        sys.exit(f"scale: refusing database {name!r}; its name must contain 'bench'")
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


# --- generating ----------------------------------------------------------------------------------


class Copier:
    """COPY rows of a model: every column from one template instance (its defaults, auto_now and
    all), the columns named in `vary` from each row; ids handed out here so children can point at
    their parents without a round trip."""

    def __init__(self, connection):
        self.connection = connection

    def next_id(self, model) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
            return cursor.fetchone()[0]

    def copy(self, model, template: dict, vary: list[str], rows) -> int:
        obj = model(**template)
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        base = {f.attname: f.get_db_prep_save(f.pre_save(obj, add=True), self.connection) for f in fields}
        fixed = [f for f in fields if f.attname not in vary]
        columns = ["id", *vary, *(f.column for f in fixed)]
        columns = [model._meta.get_field(c).column if c != "id" else "id" for c in columns]
        tail = tuple(base[f.attname] for f in fixed)
        table = model._meta.db_table
        count = 0
        raw = self.connection.connection  # the psycopg connection under Django's
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *tail))
                count += 1
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        return count


def generate(regenerate: bool) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from tuangou.accounts.models import User
    from tuangou.campaigns.models import Campaign, CampaignItem
    from tuangou.catalog.models import Product, Sku
    from tuangou.leaders.models import Leader, PickupPoint
    from tuangou.orders.models import Order, OrderLine
    from tuangou.shops.models import Shop

    if regenerate:
        with connection.cursor() as cursor:
            for name in (BIG_SHOP, NEAR_SHOP):
                cursor.execute("SELECT id FROM shops_shop WHERE name = %s", [name])
                for (shop_id,) in cursor.fetchall():
                    print(f"scale: deleting shop {shop_id} ({name}) …", flush=True)
                    _delete_shop(cursor, shop_id)
    if Shop.objects.filter(name=BIG_SHOP).exists() and Shop.objects.filter(name=NEAR_SHOP).exists():
        print("scale: data present (--regenerate to make it again)")
        return

    rng = random.Random(10)
    copier = Copier(connection)
    now = timezone.now()
    started = time.perf_counter()

    def step(label: str, count: int):
        print(f"scale: {label:<44} {count:>9,} rows  {time.perf_counter() - started:7.1f} s", flush=True)

    with transaction.atomic():
        # People first: leaders' users, members, the nearby shop's leaders' users.
        user_id = copier.next_id(User)
        n_users = POINTS + MEMBERS + NEARBY_POINTS
        stamp = int(time.time())
        step(
            "users",
            copier.copy(
                User,
                {"password": "!", "is_active": True},
                ["username", "display_name"],
                ((user_id + i, f"scale{stamp}-{i}", f"会员{i}") for i in range(n_users)),
            ),
        )
        leader_users = range(user_id, user_id + POINTS)
        members = range(user_id + POINTS, user_id + POINTS + MEMBERS)
        near_users = range(user_id + POINTS + MEMBERS, user_id + n_users)

        shop = Shop.objects.create(name=BIG_SHOP, category="生鲜果蔬", city="厦门")
        owner = User.objects.create(username=f"scale-owner-{stamp}", password="!", display_name="压测店主")
        shop.staff.create(user=owner, role="owner")
        near = Shop.objects.create(name=NEAR_SHOP, category="生鲜果蔬", city="厦门")

        def leaders_and_points(target, users, routes: int):
            first = copier.next_id(Leader)
            step(
                f"leaders of {target.name}",
                copier.copy(
                    Leader,
                    {"shop": target, "status": Leader.Status.ACTIVE},
                    ["user_id", "name", "phone", "referral_code"],
                    ((first + i, uid, f"团长{i}", f"137{i:08d}", f"S{target.id}-{i}") for i, uid in enumerate(users)),
                ),
            )
            point_first = copier.next_id(PickupPoint)
            step(
                f"pickup points of {target.name}",
                copier.copy(
                    PickupPoint,
                    {"shop": target, "lat": Decimal(0), "lng": Decimal(0), "is_active": True, "households": 800},
                    ["leader_id", "name", "community", "address", "route", "lat", "lng"],
                    (
                        (
                            point_first + i,
                            first + i,
                            f"第{i}号自提点",
                            f"小区{i}",
                            f"厦门市思明区压测路{i}号",
                            f"线路{i % routes + 1}",
                            Decimal(f"{CENTRE_LAT + rng.uniform(-SPAN / 2, SPAN / 2):.6f}"),
                            Decimal(f"{CENTRE_LNG + rng.uniform(-SPAN / 2, SPAN / 2):.6f}"),
                        )
                        for i in range(len(users))
                    ),
                ),
            )
            return range(first, first + len(users)), range(point_first, point_first + len(users))

        leaders, points = leaders_and_points(shop, leader_users, routes=20)
        leaders_and_points(near, near_users, routes=1)

        products = [Product.objects.create(shop=shop, name=f"压测水果{i + 1}", unit="份") for i in range(PRODUCTS)]
        skus = [
            Sku.objects.create(shop=shop, product=p, spec="标准装", price_fen=990 + 100 * i, cost_fen=600, stock=0)
            for i, p in enumerate(products)
        ]

        def campaign(title, status, starts_at):
            made = Campaign.objects.create(
                shop=shop,
                title=title,
                status=status,
                starts_at=starts_at,
                cutoff_at=starts_at + timedelta(days=2),
                pickup_at=starts_at + timedelta(days=3),
                all_leaders=True,
            )
            items = CampaignItem.objects.bulk_create(
                [
                    CampaignItem(
                        shop=shop,
                        campaign=made,
                        sku=sku,
                        price_fen=sku.price_fen,
                        sort=i,
                        stock_allotted=10_000_000,
                        stock_left=10_000_000,
                    )
                    for i, sku in enumerate(skus)
                ]
            )
            return made, items

        first_order, first_line = copier.next_id(Order), copier.next_id(OrderLine)
        # The year: one campaign a week, orders spread evenly over the 365 days before today.
        weeks = [
            campaign(f"第{w + 1}周团购", Campaign.Status.SUCCEEDED, now - timedelta(days=365 - 7 * w))
            for w in range(53)
        ]
        big, big_items = campaign("万单大团（压测）", Campaign.Status.SUCCEEDED, now - timedelta(days=3))
        names = {item.id: item.sku.product.name for _, items in [*weeks, (big, big_items)] for item in items}
        statuses = [Order.Status.COMPLETED] * 90 + [Order.Status.REFUNDED] * 3 + [Order.Status.CANCELLED] * 7

        def plan():
            """(order row, its line rows), the same every time it is walked (a fixed seed): orders
            and lines are copied in two walks instead of holding a million rows in memory."""
            rng = random.Random(11)
            line_id = first_line
            for n in range(HISTORY_ORDERS + CAMPAIGN_ORDERS):
                if n < HISTORY_ORDERS:
                    created = now - timedelta(seconds=365 * 86400 * (HISTORY_ORDERS - n) / HISTORY_ORDERS)
                    camp, items = weeks[min(max((created - weeks[0][0].starts_at).days // 7, 0), len(weeks) - 1)]
                    status, lines = statuses[n % 100], 1
                else:
                    camp, items = big, big_items
                    created = big.starts_at + timedelta(seconds=n - HISTORY_ORDERS)  # a day and a bit
                    status, lines = Order.Status.CONFIRMED, 2
                order = first_order + n
                picked = rng.sample(items, lines)
                quantities = [rng.randint(1, 3) for _ in picked]
                total = sum(item.price_fen * q for item, q in zip(picked, quantities))
                point = rng.randrange(POINTS)
                # The shop grows: a fifth of the members buy from the start, the rest join over the
                # year (repeat purchase's cohorts are then not empty); the big campaign, all of them.
                joined = (
                    MEMBERS if n >= HISTORY_ORDERS else MEMBERS // 5 + (MEMBERS - MEMBERS // 5) * n // HISTORY_ORDERS
                )
                row = (
                    order,
                    camp.id,
                    members[rng.randrange(max(1, joined))],
                    leaders[point],
                    points[point],
                    f"S{stamp}{order:09d}",
                    status,
                    total,
                    total,
                    f"{order:012d}",
                    f"139{order % 100_000_000:08d}",
                    created,
                    created,
                    created + timedelta(minutes=1) if status != Order.Status.CANCELLED else None,
                )
                line_rows = []
                for item, q in zip(picked, quantities):
                    line_rows.append(
                        (line_id, order, item.id, names[item.id], item.price_fen, q, item.price_fen * q, created)
                    )
                    line_id += 1
                yield row, line_rows

        order_vary = [
            "campaign_id",
            "member_id",
            "leader_id",
            "pickup_point_id",
            "number",
            "status",
            "items_fen",
            "total_fen",
            "pickup_code",
            "contact_phone",
            "created_at",
            "updated_at",
            "paid_at",
        ]
        step(
            "orders",
            copier.copy(Order, {"shop": shop, "items_fen": 0, "total_fen": 0}, order_vary, (o for o, _ in plan())),
        )
        template = {"shop": shop, "unit_price_fen": 0, "quantity": 0, "amount_fen": 0, "commission_rate_bp": 1000}
        line_vary = ["order_id", "campaign_item_id", "product_name", "unit_price_fen", "quantity", "amount_fen"]
        step(
            "order lines",
            copier.copy(
                OrderLine, template, [*line_vary, "created_at"], (line for _, lines in plan() for line in lines)
            ),
        )
    with connection.cursor() as cursor:
        for model in (Order, OrderLine, PickupPoint, Leader, User, CampaignItem):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")  # index-only scans need the visibility map
    step("analyzed", 0)


def _delete_shop(cursor, shop_id: int) -> None:
    """The generated rows in child-first order (a cascade through the ORM would take hours)."""
    from django.apps import apps

    rollups = [model._meta.db_table for model in apps.get_app_config("insights").get_models()]
    for table in (
        *rollups,  # they name the shop's items, campaigns, products, leaders and members
        "orders_orderline",
        "orders_order",
        "campaigns_campaignitem",
        "campaigns_campaign",
        "catalog_sku",
        "catalog_product",
        "leaders_pickuppoint",
        "leaders_leader",
        "shops_staff",
    ):
        cursor.execute(f"DELETE FROM {table} WHERE shop_id = %s", [shop_id])
    cursor.execute("DELETE FROM shops_shop WHERE id = %s", [shop_id])


# --- measuring ------------------------------------------------------------------------------------


def machine_load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets VmHWM, the peak resident set
    except OSError:
        pass


def timed_get(client, url: str, headers: dict) -> tuple[float, int, int, int, float]:
    """(milliseconds, status, bytes, peak RSS added in MiB, CPU milliseconds of this process) of
    one GET, its body read to the end. The CPU time is what the request cost the app on a machine
    other work shares (the database's own time is in its process, so only in the wall time)."""
    _reset_peak()
    before = _rss_kib("VmRSS:")
    cpu = time.process_time()
    start = time.perf_counter()
    response = client.get(url, **headers)
    size = 0
    if getattr(response, "streaming", False):
        for chunk in response.streaming_content:
            size += len(chunk)
    else:
        size = len(response.content)
    elapsed = (time.perf_counter() - start) * 1000
    cpu = (time.process_time() - cpu) * 1000
    peak = max(0, _rss_kib("VmHWM:") - before) // 1024
    return elapsed, response.status_code, size, peak, cpu


def measured(client, url: str, headers: dict, n: int) -> list[tuple[float, int, int, int]]:
    """n timed GETs of url after one untimed (the first request of a process warms imports and caches)."""
    timed_get(client, url, headers)
    return [timed_get(client, url, headers) for _ in range(n)]


def report(label: str, runs: list[tuple[float, int, int, int, float]], goal_ms: float) -> None:
    times = sorted(r[0] for r in runs)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    statuses = sorted({r[1] for r in runs})
    print(
        f"{label:<38} p50 {statistics.median(times):8.1f} ms  p95 {p95:8.1f} ms  n={len(times):<4}"
        f" {'ok ' if p95 < goal_ms else 'MISS'} (< {goal_ms:g} ms)  cpu p50 {statistics.median(r[4] for r in runs):8.1f} ms"
        f"  {max(r[2] for r in runs) / 1024:9.0f} KiB"
        f"  +{max(r[3] for r in runs)} MiB peak  http {','.join(map(str, statuses))}  [{machine_load()}]",
        flush=True,
    )


def measure(args) -> None:
    from django.test import Client

    from tuangou.accounts.models import ApiToken
    from tuangou.campaigns.models import Campaign
    from tuangou.shops.models import Shop, Staff

    shop = Shop.objects.get(name=BIG_SHOP)
    near = Shop.objects.get(name=NEAR_SHOP)
    owner = Staff.objects.get(shop=shop, role="owner").user
    key = ApiToken.new_key()
    ApiToken.objects.create(user=owner, key_hash=ApiToken.hash_key(key), name="scale bench")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client = Client()
    big = Campaign.objects.get(shop=shop, title="万单大团（压测）")
    only = set(filter(None, args.only.split(",")))
    repeat = 2 if args.quick else 5
    rng = random.Random(5)
    base = f"/api/console/shops/{shop.id}"

    if not only or "sheets" in only:
        for kind in args.sheets.split(","):
            for suffix in ("", ".xlsx", ".pdf"):
                url = f"{base}/campaigns/{big.id}/sheets/{kind}{suffix}"
                runs = [
                    timed_get(client, url, headers) for _ in range(1 if suffix == ".pdf" and args.quick else repeat)
                ]
                report(f"sheet {kind}{suffix or ' (JSON)'}", runs, 5000)

    if not only or "nearby" in only:
        runs = []
        timed_get(client, f"/api/shops/{near.id}/pickup-points/nearby?lat={CENTRE_LAT}&lng={CENTRE_LNG}", {})
        for _ in range(60 if args.quick else 300):
            lat = CENTRE_LAT + rng.uniform(-SPAN / 2, SPAN / 2)
            lng = CENTRE_LNG + rng.uniform(-SPAN / 2, SPAN / 2)
            runs.append(timed_get(client, f"/api/shops/{near.id}/pickup-points/nearby?lat={lat:.6f}&lng={lng:.6f}", {}))
        report("nearby among 100,000 points", runs, 20)

    if not only or "orders" in only:
        measure_orders(client, base, headers, big, repeat * 4)

    if not only or "dashboard" in only:
        from tuangou.insights.models import RollupState
        from tuangou.insights.rollups import rollups_rebuild

        RollupState.objects.filter(shop=shop).delete()  # first without rollups: every day read live
        for days in (1, 7, 30):
            runs = measured(client, f"{base}/dashboard?days={days}", headers, repeat)
            report(f"dashboard days={days} (live, no rollups)", runs, 300)
        for page in ("margins?days=365", "repeat"):
            runs = measured(client, f"{base}/analytics/{page}", headers, repeat)
            report(f"analytics {page} (live, no rollups)", runs, 300)
        start = time.perf_counter()
        rows = rollups_rebuild(shop=shop)
        print(f"rollups rebuilt (the hourly job, one shop): {rows:,} rows in {time.perf_counter() - start:.1f} s")
        for days in (1, 7, 30):
            runs = measured(client, f"{base}/dashboard?days={days}", headers, repeat * 2)
            report(f"dashboard days={days} (rollups + today live)", runs, 300)
        # The analysis pages reach a whole year: margins from the item rollups, repeat purchase from
        # the buyer records and the cohorts' activity; pickup reads the window's shipments.
        for page in ("margins?days=365", "repeat", "pickup?days=365"):
            runs = measured(client, f"{base}/analytics/{page}", headers, repeat)
            report(f"analytics {page}", runs, 300)


def measure_orders(client, base: str, headers: dict, big, n: int) -> None:
    """The console's order list: first pages, deep pages by number, and walking by cursor."""
    import json

    url = f"{base}/orders"
    from tuangou.orders.models import Order

    first = client.get(url, **headers).json()
    count, count_all = first["count"], Order.objects.filter(shop_id=big.shop_id).count()
    last = (count + 19) // 20
    capped = " (capped: count_capped)" if first.get("count_capped") else ""
    print(f"console order list: {count_all:,} orders; the pager shows {count:,}{capped}, {last:,} pages of 20")
    for label, page in (("page 1", 1), ("page 2", 2), ("middle page", last // 2), ("last page", last)):
        report(f"orders {label}", measured(client, f"{url}?page={page}", headers, n), 100)
    for label, query in (
        ("campaign filter page 1", f"campaign_id={big.id}"),
        ("status filter page 1", "status=refunded"),
        ("phone search", "phone=13900012345"),
    ):
        report(f"orders {label}", measured(client, f"{url}?{query}", headers, n), 100)
    # Walk by cursor from the start, then from deep inside.
    runs, cursor = [], first.get("next_cursor")
    for _ in range(n):
        if not cursor:
            break
        run = timed_get(client, f"{url}?cursor={cursor}", headers)
        runs.append(run)
        cursor = json.loads(client.get(f"{url}?cursor={cursor}", **headers).content).get("next_cursor")
    if runs:
        report("orders next page by cursor", runs, 100)
    # Deep inside the million by cursor (what the capped pager leaves to narrower searches or cursors).
    ids = Order.objects.filter(shop_id=big.shop_id).order_by("id").values_list("id", flat=True)
    for label, at in (("middle", 0.5), ("oldest end", 0.00005)):
        cursor = ids[int(count_all * at)]
        report(f"orders by cursor at the {label}", measured(client, f"{url}?cursor={cursor}", headers, n), 100)


def main() -> int:
    args = parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    ensure_database(url)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    print(f"scale: database {conninfo_to_dict(url).get('dbname')}  [{machine_load()}]", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    generate(args.regenerate)
    measure(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
