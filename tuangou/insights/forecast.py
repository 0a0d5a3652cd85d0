"""采购预测: before the cut-off, the quantity each SKU will have sold by it, with a range, so the
merchant can order from suppliers early.

The shop's own past campaigns give the shape: for each, the share of its final quantity it had
sold by the same point of its selling window (elapsed time ÷ start-to-cut-off). Today's quantity
divided by the median share is the forecast; divided by the upper and lower quartiles, the range.
With fewer than three past campaigns there is no shape to trust: the forecast is the straight line
(quantity ÷ elapsed share) with a wide range, and says so. No SKU is forecast beyond its stock.

`backtest` measures the error the way it would have been seen: each past campaign replayed at
25 %, 50 % and 75 % of its window with only the campaigns that had ended before it started.
"""

from datetime import datetime
from statistics import median, quantiles

from django.db.models import F, Q, Sum
from django.utils import timezone

from tuangou.campaigns.models import Campaign, CampaignItem
from tuangou.orders.models import OrderLine

HISTORY = 20  # past campaigns that make the shape
MIN_HISTORY = 3
STEPS = 20  # the shape is read at every 5 % of the window
BACKTEST = 10
BACKTEST_AT = (0.25, 0.5, 0.75)
LINEAR_RANGE = (0.6, 1.6)  # without history: a wide range around the straight line
ENDED = (Campaign.Status.CLOSED, Campaign.Status.SUCCEEDED, Campaign.Status.FAILED)


def _elapsed(campaign: Campaign, at: datetime) -> float:
    span = (campaign.cutoff_at - campaign.starts_at).total_seconds()
    return min(1.0, max(0.0, (at - campaign.starts_at).total_seconds() / span)) if span > 0 else 1.0


def _moment(campaign: Campaign, share: float) -> datetime:
    return campaign.starts_at + (campaign.cutoff_at - campaign.starts_at) * share


def _paid_lines(campaign: Campaign):
    return OrderLine.objects.filter(order__campaign_id=campaign.id, order__paid_at__isnull=False)


def _curve(campaign: Campaign) -> list[float] | None:
    """The share of its final quantity the campaign had sold at 0 %, 5 %, … 100 % of its window
    (one query); None when it sold nothing."""
    marks = {
        f"q{k}": Sum("quantity", filter=Q(order__created_at__lte=_moment(campaign, k / STEPS)))
        for k in range(STEPS + 1)
    }
    sums = _paid_lines(campaign).filter(order__created_at__lte=campaign.cutoff_at).aggregate(**marks)
    total = sums[f"q{STEPS}"] or 0
    return [(sums[f"q{k}"] or 0) / total for k in range(STEPS + 1)] if total else None


def _share_at(curve: list[float], share: float) -> float:
    position = share * STEPS
    low = min(int(position), STEPS - 1)
    return curve[low] + (curve[low + 1] - curve[low]) * (position - low)


def _history(shop, *, before: datetime, exclude: int | None = None, memo: dict | None = None) -> list[list[float]]:
    past = (
        Campaign.objects.filter(shop=shop, status__in=ENDED, cutoff_at__lte=before)
        .exclude(pk=exclude)
        .order_by("-cutoff_at")[:HISTORY]
    )
    memo = {} if memo is None else memo
    curves = [memo[c.id] if c.id in memo else memo.setdefault(c.id, _curve(c)) for c in past]
    return [curve for curve in curves if curve]


def _ratios(curves: list[list[float]], share: float) -> list[float]:
    return [r for r in (_share_at(curve, share) for curve in curves) if r > 0]


def _scale(ratios: list[float], share: float) -> tuple[str, float, float, float] | None:
    """How today's quantity scales to the final one: (method, middle, low, high) multipliers."""
    if len(ratios) >= MIN_HISTORY:
        q1, _, q3 = quantiles(ratios, n=4, method="inclusive")
        return "history", 1 / median(ratios), 1 / q3, 1 / q1
    if share >= 0.05:
        return "linear", 1 / share, LINEAR_RANGE[0] / share, LINEAR_RANGE[1] / share
    return None


def campaign_forecast(*, campaign: Campaign, now: datetime | None = None) -> dict:
    """Per SKU of a campaign: sold so far (paid), and the forecast at the cut-off with its range."""
    now = now or timezone.now()
    share = _elapsed(campaign, now)
    sold = dict(
        _paid_lines(campaign)
        .values("campaign_item_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("campaign_item_id", "quantity")
    )
    ratios = [] if share >= 1 else _ratios(_history(campaign.shop, before=now, exclude=campaign.id), share)
    scale = ("final", 1.0, 1.0, 1.0) if share >= 1 else _scale(ratios, share)
    items = []
    for item in CampaignItem.objects.filter(campaign=campaign).select_related("sku__product").order_by("sort", "id"):
        quantity = sold.get(item.id, 0)
        ceiling = quantity + item.stock_left  # nothing sells beyond the stock
        row = {
            "campaign_item_id": item.id,
            "sku_id": item.sku_id,
            "product_name": item.sku.product.name,
            "spec": item.sku.spec,
            "sold": quantity,
            "forecast": None,
            "low": None,
            "high": None,
            "stock_bound": False,
        }
        if scale:
            _, middle, low, high = scale
            expected = round(quantity * middle)
            row.update(
                forecast=min(expected, ceiling),
                low=min(round(quantity * low), ceiling),
                high=min(round(quantity * high), ceiling),
                stock_bound=expected >= ceiling and share < 1,
            )
        items.append(row)
    return {
        "campaign_id": campaign.id,
        "elapsed_bp": round(share * 10000),
        "method": scale[0] if scale else "too_early",
        "history": len(ratios),
        "items": items,
    }


def backtest(*, shop, limit: int = BACKTEST) -> dict:
    """The forecast's error on the shop's past campaigns, as it would have been seen at the time:
    per share of the window, the weighted absolute percentage error over SKUs (Σ|forecast − sold|
    ÷ Σ sold) and how many campaigns were replayed."""
    replayed = Campaign.objects.filter(shop=shop, status__in=ENDED).order_by("-cutoff_at")[:limit]
    errors = {share: [0, 0, 0] for share in BACKTEST_AT}  # share -> [Σ|error|, Σ sold, campaigns]
    memo = {}  # a campaign's curve is read once, however many replays use it
    for campaign in replayed:
        finals = _paid_lines(campaign).filter(order__created_at__lte=campaign.cutoff_at)
        by_sku = finals.values(item=F("campaign_item_id")).annotate(
            final=Sum("quantity"),
            **{
                f"at{i}": Sum("quantity", filter=Q(order__created_at__lte=_moment(campaign, share)))
                for i, share in enumerate(BACKTEST_AT)
            },
        )
        rows = list(by_sku)
        if not rows:
            continue
        curves = _history(shop, before=campaign.starts_at, exclude=campaign.id, memo=memo)
        for i, share in enumerate(BACKTEST_AT):
            scale = _scale(_ratios(curves, share), share)
            if scale is None:
                continue
            for row in rows:
                errors[share][0] += abs(round((row[f"at{i}"] or 0) * scale[1]) - row["final"])
                errors[share][1] += row["final"]
            errors[share][2] += 1
    return {
        "points": [
            {
                "elapsed_bp": round(share * 10000),
                "campaigns": count,
                "wape_bp": round(error * 10000 / sold) if sold else None,
            }
            for share, (error, sold, count) in errors.items()
        ]
    }
