import secrets

from django.conf import settings
from django.db import models

from tuangou.core.i18n import CHINESE, ENGLISH
from tuangou.core.labels import bilingual
from tuangou.core.models import ShopScopedModel


class Shipment(ShopScopedModel):
    """A campaign's goods for one pickup point: shipped by the merchant, received by the leader."""

    class Status(models.TextChoices):
        SHIPPED = "shipped", bilingual("已发货", "Shipped")
        ARRIVED = "arrived", bilingual("已到货", "Arrived")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="shipments", verbose_name="团购活动"
    )
    pickup_point = models.ForeignKey(
        "leaders.PickupPoint", on_delete=models.PROTECT, related_name="shipments", verbose_name="提货点"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SHIPPED, verbose_name="状态")
    shipped_at = models.DateTimeField(verbose_name="发货时间")
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="发货人"
    )
    arrived_at = models.DateTimeField(null=True, blank=True, verbose_name="到货时间")
    notice_sent_at = models.DateTimeField(null=True, blank=True, verbose_name="提货通知时间")

    class Meta:
        verbose_name = "发货记录"
        verbose_name_plural = "发货记录"
        constraints = [models.UniqueConstraint(fields=["campaign", "pickup_point"], name="shipment_once_per_point")]


def export_file_path(job: "ExportJob", filename: str) -> str:
    # /media/ serves MEDIA_ROOT as is: an unguessable name keeps a sheet (leaders' phones) from
    # being fetched by id; the console downloads through the API, which checks the shop.
    return f"exports/{job.shop_id}/{secrets.token_urlsafe(24)}.{job.format}"


class ExportJob(ShopScopedModel):
    """A sheet file (purchase / shipping / sorting, Excel or PDF) built by a background job, because
    a large campaign takes minutes. The console polls its progress and downloads the file when it is
    done; a done job is handed out again while the campaign's orders stay as they were."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", bilingual("采购单", "Purchase summary")
        SHIPPING = "shipping", bilingual("发货单", "Shipping sheet")
        SORTING = "sorting", bilingual("分拣单", "Sorting list")

    class Format(models.TextChoices):
        XLSX = "xlsx", bilingual("Excel", "Excel")
        PDF = "pdf", bilingual("PDF", "PDF")

    class Language(models.TextChoices):
        CHINESE = CHINESE, bilingual("中文", "Chinese")
        ENGLISH = ENGLISH, bilingual("英文", "English")

    class Status(models.TextChoices):
        QUEUED = "queued", bilingual("排队中", "Queued")  # waiting for a worker
        # a worker builds it; updated_at is its heartbeat (written at least every few seconds)
        RUNNING = "running", bilingual("生成中", "Generating")
        DONE = "done", bilingual("已完成", "Completed")  # the file is there
        FAILED = "failed", bilingual("失败", "Failed")  # error says why; asking again makes a new job

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="export_jobs", verbose_name="团购活动"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name="类型")
    format = models.CharField(max_length=10, choices=Format.choices, verbose_name="格式")
    # The language it was asked in (the request's): the file's words, title and name are in it.
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.CHINESE, verbose_name="语言")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, verbose_name="状态")
    progress = models.PositiveSmallIntegerField(default=0, verbose_name="进度")  # percent, 0–100
    file = models.FileField(upload_to=export_file_path, max_length=200, blank=True, verbose_name="文件")
    error = models.TextField(blank=True, verbose_name="错误信息")
    # Runs started (claims): a run writes only while the job's count is still its own, so a run
    # that was taken over cannot overwrite its successor; past the limit the job fails.
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name="生成次数")
    # The campaign's orders when the job was asked for (count, last change): equal means reusable.
    orders_fingerprint = models.CharField(max_length=100, verbose_name="订单指纹")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="发起人"
    )
    started_at = models.DateTimeField(null=True, blank=True, verbose_name="开始时间")
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name="完成时间")

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        indexes = [models.Index(fields=["campaign", "kind", "format", "status"], name="export_job_lookup")]
