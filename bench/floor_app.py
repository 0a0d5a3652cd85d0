"""The floor of the order path in Python: a bare WSGI function, no Django, that places the API's
order with the API's ten statements (the same tables, rows and column lists, prepared on the
fifth use as `config/settings.py` does) and only the checks those reads feed. bench/floor.py
serves it under gunicorn sync workers, as `make run` serves the app, to tell what any Python
server on this machine can reach against the raw-SQL ceiling. Not served by `make run`.

Request and answer as POST /api/shops/{shop}/orders: bearer token, Idempotency-Key, JSON body.
"""

import hashlib
import json
import os
import re
from datetime import UTC, datetime, timedelta

import psycopg

PATH = re.compile(r"/api/shops/(\d+)/orders\Z")

TOKEN = (
    'SELECT t."id", t."last_used_at", u."id", u."password", u."last_login", u."is_superuser", u."username", '
    'u."first_name", u."last_name", u."email", u."is_staff", u."is_active", u."date_joined", u."phone", '
    'u."display_name" FROM "accounts_apitoken" t JOIN "accounts_user" u ON u.id = t.user_id '
    "WHERE t.key_hash = %s AND u.is_active = true"
)
SHOP = (
    'SELECT s."id", s."created_at", s."updated_at", s."name", s."category", s."city", s."contact_name", '
    's."contact_phone", s."timezone", s."status", s."min_households", s."one_leader_per_community", '
    's."min_distance_between_points_m", s."payment_timeout_minutes", s."sms_daily_budget", s."after_sales_days", '
    's."default_commission_rate_bp", s."pickup_notice_text" FROM "shops_shop" s WHERE s.id = %s AND s.status = '
    "'active'"
)
MEMBERSHIP = (
    'SELECT m.leader_id, l."id", l."shop_id", l."status", l."commission_rate_bp", p."id", p."shop_id", '
    'p."leader_id", p."name", p."address", p."is_active" FROM "leaders_membership" m LEFT JOIN "leaders_leader" l '
    'ON l.id = m.leader_id LEFT JOIN "leaders_pickuppoint" p ON p.leader_id = l.id WHERE m.shop_id = %s '
    "AND m.user_id = %s FOR UPDATE OF m"
)
CAMPAIGN = (
    'SELECT c."id", c."shop_id", c."title", c."status", c."cutoff_at", c."pickup_at", c."all_leaders", '
    'c."fulfilment_mode", ci."id", ci."price_fen", ci."purchase_limit", ci."commission_rate_bp", ci."stock_left", '
    's."spec", pr."name", pr.id, pr."category_id", pr."deal", pr."deal_limit", pr."kind" FROM "campaigns_campaign" c '
    'LEFT JOIN "campaigns_campaignitem" ci ON ci.campaign_id = c.id AND ci.shop_id = %s AND ci.id = ANY(%s) '
    'LEFT JOIN "catalog_sku" s ON s.id = ci.sku_id LEFT JOIN "catalog_product" pr ON pr.id = s.product_id '
    "WHERE c.shop_id = %s AND c.id = %s"
)
REDUCTION = (
    'SELECT fr."id", fr."created_at", fr."updated_at", fr."shop_id", fr."name", fr."status", fr."starts_at", '
    'fr."ends_at", fr."scope", fr."scope_ids", fr."tiers", fr."created_by_id" FROM "marketing_fullreduction" fr '
    "WHERE fr.shop_id = %s AND fr.status = 'active' AND fr.starts_at <= %s AND fr.ends_at > %s "
    "ORDER BY fr.id DESC LIMIT 20"
)
ORDER = (
    'INSERT INTO "orders_order" ("created_at", "updated_at", "shop_id", "campaign_id", "member_id", "leader_id", '
    '"pickup_point_id", "number", "status", "items_fen", "discount_fen", "reduction_fen", "full_reduction_id", '
    '"delivery_mode", "delivery_fee_fen", "total_fen", "refunded_fen", "pickup_code", "contact_name", '
    '"contact_phone", "note", "idempotency_key", "request_hash", "expires_at", "paid_at", "picked_up_at", '
    "\"completed_at\") VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'pending_payment', %s, 0, 0, NULL, 'pickup', 0, "
    "%s, 0, %s, %s, %s, '', %s, %s, %s, NULL, NULL, NULL) ON CONFLICT DO NOTHING RETURNING \"id\""
)
LINES = (
    'WITH also AS (INSERT INTO "orders_orderevent" ("shop_id", "type", "from_status", "to_status", "actor_id", '
    "\"data\", \"created_at\", \"order_id\") VALUES (%s, 'placed', '', 'pending_payment', %s, %s::jsonb, %s, %s)) "
    'INSERT INTO "orders_orderline" ("created_at", "updated_at", "shop_id", "order_id", "campaign_item_id", '
    '"product_name", "spec", "unit_price_fen", "quantity", "amount_fen", "reduction_fen", "coupon_fen", '
    '"refunded_quantity", "refunded_fen", "commission_rate_bp") SELECT %s, %s, %s, %s, v.item, v.name, v.spec, '
    "v.price, v.q, v.price * v.q, 0, 0, 0, 0, v.rate FROM unnest(%s::bigint[], %s::text[], %s::text[], "
    '%s::integer[], %s::integer[], %s::integer[]) v (item, name, spec, price, q, rate) RETURNING "id"'
)
STOCK = (
    'UPDATE "campaigns_campaignitem" ci SET stock_left = ci.stock_left - v.q FROM unnest(%s::bigint[], '
    "%s::integer[]) v (id, q) WHERE ci.id = v.id AND ci.stock_left >= v.q RETURNING ci.id"
)

# FLOOR_MERGED=1: the same reads in one statement and the same writes in one more (three round
# trips with the COMMIT instead of ten): the least any server can send for this order.
MERGED = os.environ.get("FLOOR_MERGED") == "1"
READ_ALL = (
    'SELECT u."id", u."display_name", u."phone", m.leader_id, l."status", l."commission_rate_bp", p."id", '
    'p."name", p."address", p."is_active", c."title", c."status", c."cutoff_at", c."pickup_at", ci."id", '
    'ci."price_fen", ci."purchase_limit", ci."commission_rate_bp", ci."stock_left", sk."spec", pr."name", '
    "(SELECT count(*) FROM \"marketing_fullreduction\" fr WHERE fr.shop_id = s.id AND fr.status = 'active' "
    "AND fr.starts_at <= now() AND fr.ends_at > now()) "
    'FROM "accounts_apitoken" t JOIN "accounts_user" u ON u.id = t.user_id AND u.is_active '
    "JOIN \"shops_shop\" s ON s.id = %s AND s.status = 'active' "
    'JOIN "leaders_membership" m ON m.shop_id = s.id AND m.user_id = u.id '
    'LEFT JOIN "leaders_leader" l ON l.id = m.leader_id LEFT JOIN "leaders_pickuppoint" p ON p.leader_id = l.id '
    'JOIN "campaigns_campaign" c ON c.id = %s AND c.shop_id = s.id '
    'LEFT JOIN "campaigns_campaignitem" ci ON ci.campaign_id = c.id AND ci.shop_id = s.id AND ci.id = ANY(%s) '
    'LEFT JOIN "catalog_sku" sk ON sk.id = ci.sku_id LEFT JOIN "catalog_product" pr ON pr.id = sk.product_id '
    "WHERE t.key_hash = %s FOR UPDATE OF m"
)
WRITE_ALL = (
    "WITH o AS (" + ORDER.replace(" ON CONFLICT DO NOTHING", "") + "), "
    'e AS (INSERT INTO "orders_orderevent" ("shop_id", "type", "from_status", "to_status", "actor_id", "data", '
    "\"created_at\", \"order_id\") SELECT %s, 'placed', '', 'pending_payment', %s, %s::jsonb, %s, o.id FROM o), "
    'li AS (INSERT INTO "orders_orderline" ("created_at", "updated_at", "shop_id", "order_id", "campaign_item_id", '
    '"product_name", "spec", "unit_price_fen", "quantity", "amount_fen", "reduction_fen", "coupon_fen", '
    '"refunded_quantity", "refunded_fen", "commission_rate_bp") SELECT %s, %s, %s, o.id, v.item, v.name, v.spec, '
    "v.price, v.q, v.price * v.q, 0, 0, 0, 0, v.rate FROM o, unnest(%s::bigint[], %s::text[], %s::text[], "
    "%s::integer[], %s::integer[], %s::integer[]) v (item, name, spec, price, q, rate)) "
    'UPDATE "campaigns_campaignitem" ci SET stock_left = ci.stock_left - v.q FROM unnest(%s::bigint[], '
    "%s::integer[]) v (id, q) WHERE ci.id = v.id AND ci.stock_left >= v.q RETURNING ci.id, (SELECT id FROM o)"
)

_conn = None
_sequence = iter(range(10**5))


def next_number(now: datetime) -> tuple[str, str]:
    """The order's number and pickup code, unique among the workers: random ones clash with the
    unique indexes (the pickup code's 8 digits, per shop) a few times in 10,000 orders."""
    n = next(_sequence)
    return now.strftime("%Y%m%d") + f"{os.getpid() % 10**5:05d}{n:05d}", f"{os.getpid() % 1000:03d}{n:05d}"


def connection():
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(os.environ["DATABASE_URL"], prepare_threshold=5)
    return _conn


def answer(start_response, status: str, body: dict):
    data = json.dumps(body, ensure_ascii=False).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def refuse(start_response, status: str, code: str, field: str = ""):
    return answer(start_response, status, {"code": code, "message": code, "field": field})


def parse(environ) -> dict | tuple[str, str, str]:
    """The order request's parts, or the refusal (status, code, field)."""
    match = PATH.match(environ.get("PATH_INFO", ""))
    if environ["REQUEST_METHOD"] != "POST" or not match:
        return "404 Not Found", "not_found", ""
    raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    try:
        body = json.loads(raw)
        wanted = {int(i["campaign_item_id"]): int(i["quantity"]) for i in body["items"]}
        campaign_id, leader_id = int(body["campaign_id"]), int(body["leader_id"])
    except (ValueError, KeyError, TypeError):
        return "422 Unprocessable Entity", "invalid", "body"
    return {
        "shop_id": int(match[1]),
        "auth": environ.get("HTTP_AUTHORIZATION", ""),
        "key": environ.get("HTTP_IDEMPOTENCY_KEY", ""),
        "raw": raw,
        "campaign_id": campaign_id,
        "leader_id": leader_id,
        "wanted": wanted,
    }


def placed_answer(start_response, order: dict, lines: list[tuple]):
    """201 with the order as the API answers it; `lines`: (item, product name, spec, price, quantity)."""
    total, now = order["total_fen"], order["created_at"]
    body = {
        "status": "pending_payment",
        "status_label": "待付款",
        **order,
        "items_fen": total,
        "discount_fen": 0,
        "reduction_fen": 0,
        "delivery_mode": "pickup",
        "delivery_fee_fen": 0,
        "delivery": None,
        "has_goods": True,
        "refunded_fen": 0,
        "note": "",
        "expires_at": (now + timedelta(minutes=15)).isoformat(),
        "paid_at": None,
        "picked_up_at": None,
        "created_at": now.isoformat(),
        "lines": [
            {
                "campaign_item_id": item,
                "product_name": name,
                "spec": spec,
                "unit_price_fen": price,
                "quantity": quantity,
                "amount_fen": price * quantity,
                "refunded_quantity": 0,
                "refunded_fen": 0,
            }
            for item, name, spec, price, quantity in lines
        ],
    }
    return answer(start_response, "201 Created", body)


def app(environ, start_response):
    if MERGED:
        return merged_app(environ, start_response)
    request = parse(environ)
    if isinstance(request, tuple):
        return refuse(start_response, *request)
    shop_id, auth, key, raw = request["shop_id"], request["auth"], request["key"], request["raw"]
    campaign_id, leader_id, wanted = request["campaign_id"], request["leader_id"], request["wanted"]
    conn = connection()
    with conn.cursor() as cur:
        cur.execute(TOKEN, (hashlib.sha256(auth.removeprefix("Bearer ").encode()).hexdigest(),))
        user = cur.fetchone()
        if user is None:
            conn.rollback()
            return refuse(start_response, "401 Unauthorized", "unauthorized")
        cur.execute(SHOP, (shop_id,))
        shop = cur.fetchone()
        conn.commit()  # the reads before BEGIN run in autocommit in the API
        if shop is None:
            return refuse(start_response, "404 Not Found", "shop_not_found")
        now = datetime.now(UTC)
        member_id = user[2]
        try:
            cur.execute(MEMBERSHIP, (shop_id, member_id))
            membership = cur.fetchone()
            if membership is None or membership[0] != leader_id or not membership[10]:
                conn.rollback()
                return refuse(start_response, "409 Conflict", "leader_mismatch", "leader_id")
            cur.execute(CAMPAIGN, (shop_id, list(wanted), shop_id, campaign_id))
            rows = cur.fetchall()
            if not rows or rows[0][3] != "live" or rows[0][4] <= now:
                conn.rollback()
                return refuse(start_response, "409 Conflict", "campaign_closed", "campaign_id")
            items = {r[8]: r for r in rows if r[8] is not None}
            for item_id, quantity in wanted.items():
                row = items.get(item_id)
                if row is None:
                    conn.rollback()
                    return refuse(start_response, "422 Unprocessable Entity", "item_not_found", "items")
                if quantity < 1 or (row[10] and quantity > row[10]) or row[12] < quantity:
                    conn.rollback()
                    return refuse(start_response, "409 Conflict", "stock_insufficient", "items")
            cur.execute(REDUCTION, (shop_id, now, now))
            cur.fetchall()
            ids = sorted(wanted)
            total = sum(items[i][9] * wanted[i] for i in ids)
            number, pickup_code = next_number(now)
            request_hash = hashlib.sha256(raw).hexdigest()
            cur.execute(
                ORDER,
                (
                    now,
                    now,
                    shop_id,
                    campaign_id,
                    member_id,
                    leader_id,
                    membership[5],
                    number,
                    total,
                    total,
                    pickup_code,
                    user[14],
                    user[13],
                    key,
                    request_hash,
                    now + timedelta(minutes=15),
                ),
            )
            placed = cur.fetchone()
            if placed is None:
                conn.rollback()
                return refuse(start_response, "409 Conflict", "idempotency_key_reused")
            order_id = placed[0]
            event = json.dumps(
                {"total_fen": total, "items": [{"campaign_item_id": i, "quantity": wanted[i]} for i in ids]}
            )
            cur.execute(
                LINES,
                (
                    shop_id,
                    member_id,
                    event,
                    now,
                    order_id,
                    now,
                    now,
                    shop_id,
                    order_id,
                    ids,
                    [items[i][14] for i in ids],
                    [items[i][13] for i in ids],
                    [items[i][9] for i in ids],
                    [wanted[i] for i in ids],
                    [items[i][11] or membership[4] for i in ids],
                ),
            )
            cur.fetchall()
            cur.execute(STOCK, (ids, [wanted[i] for i in ids]))
            if len(cur.fetchall()) != len(ids):
                conn.rollback()
                return refuse(start_response, "409 Conflict", "stock_insufficient", "items")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    campaign = rows[0]
    order = {
        "id": order_id,
        "number": number,
        "campaign_id": campaign_id,
        "campaign_title": campaign[2],
        "leader_id": leader_id,
        "pickup_point_name": membership[8],
        "pickup_point_address": membership[9],
        "pickup_at": campaign[5].isoformat(),
        "total_fen": total,
        "contact_name": user[14],
        "created_at": now,
        "pickup_code": pickup_code,
    }
    return placed_answer(start_response, order, [(i, items[i][14], items[i][13], items[i][9], wanted[i]) for i in ids])


def merged_app(environ, start_response):
    request = parse(environ)
    if isinstance(request, tuple):
        return refuse(start_response, *request)
    shop_id, auth, key, raw = request["shop_id"], request["auth"], request["key"], request["raw"]
    campaign_id, leader_id, wanted = request["campaign_id"], request["leader_id"], request["wanted"]
    conn = connection()
    now = datetime.now(UTC)
    ids = sorted(wanted)
    with conn.cursor() as cur:
        try:
            cur.execute(
                READ_ALL, (shop_id, campaign_id, ids, hashlib.sha256(auth.removeprefix("Bearer ").encode()).hexdigest())
            )
            rows = cur.fetchall()
            if not rows:
                conn.rollback()
                return refuse(start_response, "401 Unauthorized", "unauthorized")
            first = rows[0]
            if first[3] != leader_id or not first[9]:
                conn.rollback()
                return refuse(start_response, "409 Conflict", "leader_mismatch", "leader_id")
            if first[11] != "live" or first[12] <= now:
                conn.rollback()
                return refuse(start_response, "409 Conflict", "campaign_closed", "campaign_id")
            items = {r[14]: r for r in rows if r[14] is not None}
            for item_id, quantity in wanted.items():
                row = items.get(item_id)
                if row is None or quantity < 1 or (row[16] and quantity > row[16]) or row[18] < quantity:
                    conn.rollback()
                    return refuse(start_response, "409 Conflict", "stock_insufficient", "items")
            total = sum(items[i][15] * wanted[i] for i in ids)
            number, pickup_code = next_number(now)
            event = json.dumps(
                {"total_fen": total, "items": [{"campaign_item_id": i, "quantity": wanted[i]} for i in ids]}
            )
            cur.execute(
                WRITE_ALL,
                (
                    now,
                    now,
                    shop_id,
                    campaign_id,
                    first[0],
                    leader_id,
                    first[6],
                    number,
                    total,
                    total,
                    pickup_code,
                    first[1],
                    first[2],
                    key,
                    hashlib.sha256(raw).hexdigest(),
                    now + timedelta(minutes=15),
                    shop_id,
                    first[0],
                    event,
                    now,
                    now,
                    now,
                    shop_id,
                    ids,
                    [items[i][20] for i in ids],
                    [items[i][19] for i in ids],
                    [items[i][15] for i in ids],
                    [wanted[i] for i in ids],
                    [items[i][17] or first[5] for i in ids],
                    ids,
                    [wanted[i] for i in ids],
                ),
            )
            taken = cur.fetchall()
            if len(taken) != len(ids):
                conn.rollback()
                return refuse(start_response, "409 Conflict", "stock_insufficient", "items")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    order = {
        "id": taken[0][1],
        "number": number,
        "campaign_id": campaign_id,
        "campaign_title": first[10],
        "leader_id": leader_id,
        "pickup_point_name": first[7],
        "pickup_point_address": first[8],
        "pickup_at": first[13].isoformat(),
        "total_fen": total,
        "contact_name": first[1],
        "created_at": now,
        "pickup_code": pickup_code,
    }
    return placed_answer(start_response, order, [(i, items[i][20], items[i][19], items[i][15], wanted[i]) for i in ids])
