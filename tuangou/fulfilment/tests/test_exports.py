import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from tuangou.campaigns.models import Campaign
from tuangou.core import schedules
from tuangou.core.testing import ok
from tuangou.fulfilment import exports, services, tasks
from tuangou.fulfilment.models import ExportJob
from tuangou.fulfilment.tests.factories import (
    CampaignFactory,
    CampaignItemFactory,
    PickupPointFactory,
    order_with_lines,
    staff_client,
)
from tuangou.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db
J = ExportJob.Status


@pytest.fixture
def sold():
    """A succeeded campaign with two orders at two points."""
    shop = ShopFactory(name="鲜果小铺")
    campaign = CampaignFactory(shop=shop, title="周末鲜果团")
    eggs = CampaignItemFactory(campaign=campaign, sku__product__name="土鸡蛋", sku__spec="30枚", sku__code="EGG30")
    siming = PickupPointFactory(leader__shop=shop, route="思明线", name="海韵花园自提点")
    huli = PickupPointFactory(leader__shop=shop, route="湖里线", name="湖里万达自提点")
    order_with_lines(campaign=campaign, point=siming, lines=[(eggs, 2)])
    order_with_lines(campaign=campaign, point=huli, lines=[(eggs, 3)])
    client = staff_client(shop, role="warehouse")
    base = f"console/shops/{shop.id}"
    return {"shop": shop, "campaign": campaign, "eggs": eggs, "point": siming, "client": client, "base": base}


def start(sold, capture, kind="purchase", fmt="xlsx", client=None):
    """POST the export; the queued job runs inline (sync queue) once the request's transaction commits."""
    with capture(execute=True):
        response = (client or sold["client"]).post(
            f"{sold['base']}/campaigns/{sold['campaign'].id}/exports",
            {"kind": kind, "format": fmt},
        )
    return response


def test_excel_export_runs_in_the_background_to_a_file_that_reopens(sold, django_capture_on_commit_callbacks):
    started = ok(start(sold, django_capture_on_commit_callbacks), 202)

    assert (started["status"], started["progress"], started["download_url"]) == ("queued", 0, None)
    job = ok(sold["client"].get(f"{sold['base']}/exports/{started['id']}"))
    assert (job["status"], job["progress"], job["error"], job["kind"], job["format"]) == (
        "done",
        100,
        None,
        "purchase",
        "xlsx",
    )
    assert job["download_url"] == f"/api/console/shops/{sold['shop'].id}/exports/{started['id']}/download"
    response = sold["client"].get(job["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        f'attachment; filename="campaign-{sold["campaign"].id}-purchase.xlsx"; '
        f"filename*=UTF-8''{quote('周末鲜果团-采购单.xlsx', safe='')}"
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[4][1:5] == ("土鸡蛋", "30枚", "EGG30", 5)
    saved = ExportJob.objects.get(pk=started["id"])
    assert saved.file.name.startswith(f"exports/{sold['shop'].id}/") and saved.file.name.endswith(".xlsx")
    assert saved.finished_at is not None


def test_pdf_export_of_the_sorting_list_is_a_pdf(sold, django_capture_on_commit_callbacks):
    started = ok(start(sold, django_capture_on_commit_callbacks, kind="sorting", fmt="pdf"), 202)

    job = ok(sold["client"].get(f"{sold['base']}/exports/{started['id']}"))
    response = sold["client"].get(job["download_url"])

    assert (job["status"], job["progress"]) == ("done", 100)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def _purchase_sheet(rows: int) -> dict:
    items = [
        {
            "product_name": f"商品{n}",
            "spec": "",
            "sku_code": f"C{n}",
            "quantity": 1,
            "unit": "件",
            "cost_fen": 100,
            "amount_fen": 200,
            "order_count": 1,
            "point_count": 1,
        }
        for n in range(rows)
    ]
    now = timezone.now()
    return {
        "shop_name": "店",
        "campaign_title": "团",
        "campaign_id": 1,
        "pickup_at": now,
        "cutoff_at": now,
        "generated_at": now,
        "items": items,
        "totals": {"quantity": rows, "cost_fen": 100 * rows, "amount_fen": 200 * rows},
    }


def test_a_long_pdf_keeps_only_its_current_page_as_text_and_numbers_every_page():
    # Each finished page is deflated at once (a 5,000-page sorting list held 90 MiB of page text
    # until output); the page numbers, known only at the end, come as each page's second stream.
    pdf = exports._sheet_pdf("purchase", _purchase_sheet(300), "Asia/Shanghai", None)
    pages = list(pdf.pages.values())
    assert len(pages) > 5
    assert all(isinstance(page.contents, exports._Deflated) for page in pages[:-1])

    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    texts = [page.extract_text().replace("\x00", "") for page in reader.pages]
    assert len(texts) == len(pages)
    assert [text.rsplit("\n", 1)[-1] for text in texts] == [
        f"第 {n} / {len(pages)} 页" for n in range(1, len(pages) + 1)
    ]
    assert "商品0" in texts[0] and "商品299" in texts[-1] and "合计" in texts[-1]


def test_builders_report_progress_every_500_rows_and_at_the_end():
    sheet = _purchase_sheet(1200)
    calls = []

    exports.sheet_xlsx("purchase", sheet, progress=lambda done, total: calls.append((done, total)))

    assert calls == [(500, 1200), (1000, 1200), (1200, 1200)]


def test_progress_is_written_as_whole_percentages_only(sold, django_assert_num_queries):
    job = ExportJob.objects.create(
        shop=sold["shop"],
        campaign=sold["campaign"],
        kind="purchase",
        format="xlsx",
        status=J.RUNNING,
        attempts=1,
        orders_fingerprint="x",
    )
    writer = services._ProgressWriter(job.id, 1)
    report = writer.between(15, 90)

    with django_assert_num_queries(2):  # 15 + 75*500/1200 = 46, then 90; the repeats write nothing
        report(500, 1200)
        report(500, 1200)
        report(1200, 1200)

    assert ExportJob.objects.get(pk=job.id).progress == 90


def test_an_unchanged_campaign_reuses_the_done_file(sold, django_capture_on_commit_callbacks):
    first = ok(start(sold, django_capture_on_commit_callbacks), 202)

    again = ok(start(sold, django_capture_on_commit_callbacks), 202)

    assert (again["id"], again["status"]) == (first["id"], "done")
    assert ExportJob.objects.count() == 1


def test_a_new_paid_order_makes_a_new_file_and_the_old_one_goes(sold, django_capture_on_commit_callbacks):
    first = ok(start(sold, django_capture_on_commit_callbacks), 202)
    old_file = ExportJob.objects.get(pk=first["id"]).file.name
    order_with_lines(campaign=sold["campaign"], point=sold["point"], lines=[(sold["eggs"], 4)])

    second = ok(start(sold, django_capture_on_commit_callbacks), 202)

    assert second["id"] != first["id"]
    job = ok(sold["client"].get(f"{sold['base']}/exports/{second['id']}"))
    rows = list(
        load_workbook(io.BytesIO(b"".join(sold["client"].get(job["download_url"]).streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[4][4] == 9
    assert list(ExportJob.objects.values_list("id", flat=True)) == [second["id"]]
    assert not default_storage.exists(old_file)
    assert sold["client"].get(f"{sold['base']}/exports/{first['id']}").status_code == 404


def test_a_builder_that_raises_marks_the_job_failed_with_the_reason(
    sold, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(exports, "sheet_xlsx", broken)

    started = ok(start(sold, django_capture_on_commit_callbacks), 202)

    job = ok(sold["client"].get(f"{sold['base']}/exports/{started['id']}"))
    assert (job["status"], job["error"], job["download_url"]) == ("failed", "生成失败：RuntimeError: 磁盘已满", None)
    saved = ExportJob.objects.get(pk=started["id"])
    assert (saved.file.name, saved.error) == ("", "RuntimeError: 磁盘已满")
    download = sold["client"].get(f"{sold['base']}/exports/{started['id']}/download")
    assert (download.status_code, download.json()["code"]) == (409, "export_not_ready")


def test_a_failed_job_is_not_reused_asking_again_makes_a_new_one(sold, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(exports, "sheet_xlsx", lambda *a, **k: 1 / 0)
    failed = ok(start(sold, django_capture_on_commit_callbacks), 202)
    monkeypatch.undo()

    again = ok(start(sold, django_capture_on_commit_callbacks), 202)

    assert again["id"] != failed["id"]
    assert ok(sold["client"].get(f"{sold['base']}/exports/{again['id']}"))["status"] == "done"


def test_a_campaign_that_cannot_have_sheets_any_more_fails_the_job_in_the_readers_language(sold):
    job = services.export_job_start(campaign=sold["campaign"], kind="shipping", fmt="xlsx", actor=None)
    Campaign.objects.filter(pk=sold["campaign"].pk).update(status=Campaign.Status.LIVE)

    tasks.export_job_run(job.id)

    job.refresh_from_db()
    assert (job.status, job.error) == (J.FAILED, "团购当前状态为「进行中」，不能生成采购/发货/分拣单")
    sold["client"].language = "en"
    body = ok(sold["client"].get(f"{sold['base']}/exports/{job.id}"))
    assert body["error"] == "Generation failed: 团购当前状态为「进行中」，不能生成采购/发货/分拣单"


def test_the_job_is_safe_to_run_twice_and_a_dead_workers_job_is_taken_over(sold):
    job = services.export_job_start(campaign=sold["campaign"], kind="purchase", fmt="xlsx", actor=None)
    assert tasks.export_job_run(job.id) == "done"
    finished = ExportJob.objects.get(pk=job.id)

    assert tasks.export_job_run(job.id) is None  # done: skipped, the file stays
    assert ExportJob.objects.get(pk=job.id).file.name == finished.file.name

    alive = ExportJob.objects.create(
        shop=sold["shop"],
        campaign=sold["campaign"],
        kind="sorting",
        format="pdf",
        status=J.RUNNING,
        progress=40,
        orders_fingerprint="x",
    )
    assert tasks.export_job_run(alive.id) is None  # its worker still reports progress
    assert ExportJob.objects.get(pk=alive.id).progress == 40

    ExportJob.objects.filter(pk=alive.id).update(updated_at=timezone.now() - timedelta(minutes=11))
    assert tasks.export_job_run(alive.id) == "done"
    assert ExportJob.objects.get(pk=alive.id).progress == 100


def test_a_live_campaign_is_refused_and_no_job_is_made(sold, django_capture_on_commit_callbacks):
    Campaign.objects.filter(pk=sold["campaign"].pk).update(status=Campaign.Status.LIVE)

    response = start(sold, django_capture_on_commit_callbacks)

    assert (response.status_code, response.json()["code"]) == (409, "campaign_state")
    assert ExportJob.objects.count() == 0


def test_another_shops_export_is_the_same_404_as_a_missing_one(sold, django_capture_on_commit_callbacks):
    started = ok(start(sold, django_capture_on_commit_callbacks), 202)
    other = ShopFactory(name="别家小铺")
    stranger = staff_client(other)
    mine = f"console/shops/{other.id}/exports"

    foreign, missing = stranger.get(f"{mine}/{started['id']}"), stranger.get(f"{mine}/987654321")
    foreign_file = stranger.get(f"{mine}/{started['id']}/download")

    assert foreign.status_code == missing.status_code == foreign_file.status_code == 404
    assert foreign.json() == missing.json() == foreign_file.json()
    assert (
        stranger.get(f"console/shops/{sold['shop'].id}/exports/{started['id']}").status_code == 404
    )  # not their shop at all


def test_a_role_without_fulfilment_view_is_refused_everything(sold, django_capture_on_commit_callbacks):
    started = ok(start(sold, django_capture_on_commit_callbacks), 202)
    finance = staff_client(sold["shop"], role="finance")

    responses = [
        start(sold, django_capture_on_commit_callbacks, kind="sorting", client=finance),
        finance.get(f"{sold['base']}/exports/{started['id']}"),
        finance.get(f"{sold['base']}/exports/{started['id']}/download"),
    ]

    assert [(r.status_code, r.json()["code"]) for r in responses] == [(403, "permission_denied")] * 3
    assert list(ExportJob.objects.values_list("id", flat=True)) == [started["id"]]


def test_export_files_are_not_served_from_the_public_media_url(settings, tmp_path):
    from django.test import Client

    (tmp_path / "media" / "exports").mkdir(parents=True, exist_ok=True)
    (tmp_path / "media" / "exports" / "sheet.xlsx").write_bytes(b"phones")
    (tmp_path / "media" / "posters").mkdir(parents=True, exist_ok=True)
    (tmp_path / "media" / "posters" / "p.png").write_bytes(b"png")
    settings.MEDIA_ROOT = tmp_path / "media"

    assert Client().get("/media/exports/sheet.xlsx").status_code == 404
    assert Client().get("/media/posters/p.png").status_code == 200


# --- a worker killed while it builds a file (issue 7 item 23) ---------------------------------


def _left_running(sold, *, attempts=1, silent_for=timedelta(minutes=4), **fields):
    """A job as a killed worker leaves it: running at 24 %, no heartbeat since."""
    job = ExportJob.objects.create(
        shop=sold["shop"],
        campaign=sold["campaign"],
        kind=fields.pop("kind", "sorting"),
        format=fields.pop("format", "pdf"),
        status=J.RUNNING,
        progress=24,
        attempts=attempts,
        orders_fingerprint=fields.pop("orders_fingerprint", "x"),
        started_at=timezone.now() - silent_for,
    )
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - silent_for)
    return job


def test_the_redelivered_task_of_a_killed_worker_takes_its_job_over_and_finishes_it(sold):
    job = _left_running(sold)

    assert tasks.export_job_run(job.id) == "done"  # the broker delivers the unacknowledged task again

    job.refresh_from_db()
    assert (job.status, job.progress, job.attempts, job.error) == (J.DONE, 100, 2, "")
    assert job.file.name.endswith(".pdf")


def test_a_run_that_was_taken_over_stops_and_cannot_overwrite_its_successor(sold):
    job = _left_running(sold)
    dead_run = services._ProgressWriter(job.id, 1)
    assert tasks.export_job_run(job.id) == "done"
    finished = ExportJob.objects.get(pk=job.id)

    with pytest.raises(services._TakenOver):
        dead_run.set(50)
    services._export_job_finish(job_id=job.id, content=b"stale", attempt=1)
    services._export_job_fail(job_id=job.id, reason="stale", attempt=1)

    job.refresh_from_db()
    assert (job.status, job.progress, job.file.name, job.error) == (J.DONE, 100, finished.file.name, "")


def test_the_schedule_runs_a_dead_job_again(sold):
    job = _left_running(sold, kind="shipping", format="xlsx")
    fresh = _left_running(sold, kind="purchase", format="xlsx", silent_for=timedelta(seconds=30))

    result = tasks.export_jobs_recover()  # the queue runs inline in tests

    assert result == {"retried": [job.id], "failed": []}
    job.refresh_from_db()
    assert (job.status, job.progress, job.attempts) == (J.DONE, 100, 2)
    assert ExportJob.objects.get(pk=fresh.id).status == J.RUNNING  # its worker is still reporting
    assert ("tuangou.fulfilment.tasks.export_jobs_recover", 1) in [(f, m) for _, f, m in schedules.JOBS]


def test_a_job_whose_worker_died_every_time_fails_with_a_reason_the_merchant_reads(sold):
    job = _left_running(sold, attempts=services.EXPORT_MAX_ATTEMPTS)

    assert tasks.export_jobs_recover() == {"retried": [], "failed": [job.id]}

    body = ok(sold["client"].get(f"{sold['base']}/exports/{job.id}"))
    assert (body["status"], body["progress"], body["download_url"]) == ("failed", 24, None)
    assert body["error"] == "生成失败：后台任务中断（已尝试生成3次），请重新生成"
    assert tasks.export_job_run(job.id) is None  # a late re-delivery leaves it failed
    assert ExportJob.objects.get(pk=job.id).status == J.FAILED


def test_a_redelivered_task_of_a_job_out_of_attempts_fails_it(sold):
    job = _left_running(sold, attempts=services.EXPORT_MAX_ATTEMPTS)

    assert tasks.export_job_run(job.id) is None

    job.refresh_from_db()
    assert (job.status, job.error) == (J.FAILED, "后台任务中断（已尝试生成3次），请重新生成")


def test_a_job_no_worker_started_fails_after_half_an_hour(sold):
    job = ExportJob.objects.create(
        shop=sold["shop"], campaign=sold["campaign"], kind="purchase", format="pdf", orders_fingerprint="x"
    )
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=31))

    assert tasks.export_jobs_recover() == {"retried": [], "failed": [job.id]}
    assert ExportJob.objects.get(pk=job.id).error == "排队超时，后台任务未能开始，请重新生成"


def test_asking_again_does_not_hand_back_a_stale_job(sold, django_capture_on_commit_callbacks):
    fingerprint = services.campaign_orders_fingerprint(sold["campaign"])
    stale = _left_running(sold, kind="purchase", format="xlsx", orders_fingerprint=fingerprint)

    started = ok(start(sold, django_capture_on_commit_callbacks), 202)

    assert started["id"] != stale.id
    assert ok(sold["client"].get(f"{sold['base']}/exports/{started['id']}"))["status"] == "done"
    stale.refresh_from_db()
    assert (stale.status, stale.error) == (J.FAILED, "后台任务中断（已尝试生成1次），请重新生成")


def test_a_run_writes_its_heartbeat_every_10_seconds_even_when_the_percentage_stands_still(sold):
    job = _left_running(sold, silent_for=timedelta(seconds=11))
    run = services._ProgressWriter(job.id, 1)
    run.set(24)  # 24 % written
    before = ExportJob.objects.get(pk=job.id).updated_at

    run.set(24)  # within 10 s of the last write: nothing
    assert ExportJob.objects.get(pk=job.id).updated_at == before
    run.written_at -= services.EXPORT_HEARTBEAT
    run.set(24)

    assert ExportJob.objects.get(pk=job.id).updated_at > before


def _download(sold, job_id: int):
    job = ok(sold["client"].get(f"{sold['base']}/exports/{job_id}"))
    assert job["status"] == "done", job
    response = sold["client"].get(job["download_url"])
    return response, b"".join(response.streaming_content)


def test_a_sheet_file_is_built_in_the_language_it_was_asked_in_and_each_language_is_its_own_job(
    sold, django_capture_on_commit_callbacks
):
    sold["client"].language = "en"
    english = ok(start(sold, django_capture_on_commit_callbacks, kind="sorting"), 202)
    sold["client"].language = None
    chinese = ok(start(sold, django_capture_on_commit_callbacks, kind="sorting"), 202)
    sold["client"].language = "en"
    english_again = ok(start(sold, django_capture_on_commit_callbacks, kind="sorting"), 202)

    assert english["id"] != chinese["id"]
    assert english_again["id"] == english["id"]  # the done English file is reused, not the Chinese one
    assert dict(ExportJob.objects.values_list("id", "language")) == {english["id"]: "en", chinese["id"]: "zh-hans"}
    response, body = _download(sold, english["id"])
    assert response["Content-Disposition"] == (
        f'attachment; filename="campaign-{sold["campaign"].id}-sorting.xlsx"; '
        f"filename*=UTF-8''{quote('周末鲜果团-Sorting list.xlsx', safe='')}"
    )
    sheet = load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Sorting list"
    assert rows[0][0] == "鲜果小铺 · 周末鲜果团 · Sorting list"
    assert rows[1][0].startswith("Pickup date: ")
    assert rows[3] == (
        "Route",
        "Pickup point",
        "Pickup code",
        "Member",
        "Phone (last 4)",
        "Product",
        "Spec",
        "Quantity",
    )
    assert rows[-1][:3] == ("Total", "2 pickup points", "2 orders")
    sold["client"].language = None  # the Chinese file is Chinese, asked for and read in Chinese
    response, body = _download(sold, chinese["id"])
    assert response["Content-Disposition"].endswith(quote("周末鲜果团-分拣单.xlsx", safe=""))
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert rows[3] == ("线路", "自提点", "提货码", "团员", "手机尾号", "商品", "规格", "数量")
    assert rows[-1][:3] == ("合计", "2个自提点", "2单")


@pytest.mark.parametrize(
    ("language", "words", "not_there"),
    [
        (
            "en",
            ["Shipping sheet · 海韵花园自提点", "Route: 思明线", "Product", "Quantity", "Total", "Page 1 / 2"],
            "发货单",
        ),
        (None, ["发货单 · 海韵花园自提点", "线路：思明线", "商品", "数量", "合计", "第 1 / 2 页"], "Shipping sheet"),
    ],
)
def test_a_pdf_sheet_is_written_in_the_language_it_was_asked_in(
    sold, django_capture_on_commit_callbacks, language, words, not_there
):
    from pypdf import PdfReader

    sold["client"].language = language
    started = ok(start(sold, django_capture_on_commit_callbacks, kind="shipping", fmt="pdf"), 202)

    _, body = _download(sold, started["id"])
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).replace("\x00", "")
    assert [word for word in words if word not in text] == []
    assert not_there not in text
