"""`manage.py check --deploy` checks of our own: a production setting left at its demo value."""

import os

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def production_settings(app_configs, **kwargs):
    if not settings.PRODUCTION:
        return [
            Warning(
                "TUANGOU_ENV is not production: secrets may be generated, the demo and the SMS inbox may be on.",
                hint="Set TUANGOU_ENV=production (docs/deploy.md).",
                id="tuangou.W001",
            )
        ]
    problems = []
    if settings.SMS_BACKEND == "console":
        problems.append(
            Warning(
                "SMS_BACKEND=console only writes login codes to the log.",
                hint="Set SMS_BACKEND=aliyun or tencent with its keys.",
                id="tuangou.W002",
            )
        )
    if settings.PAYMENT_PROVIDER == "sandbox":
        problems.append(
            Warning(
                "PAYMENT_PROVIDER=sandbox takes no real money.",
                hint="Set PAYMENT_PROVIDER=wechatpay or alipay with the merchant's keys.",
                id="tuangou.W003",
            )
        )
    if settings.JOB_BROKER == "redis":
        problems.append(
            Warning(
                "JOB_BROKER=redis: a job a killed worker held, or one that failed, is never run again.",
                hint="Leave JOB_BROKER unset (the database broker) unless losing jobs is acceptable (docs/deploy.md).",
                id="tuangou.W005",
            )
        )
    elif settings.Q_CLUSTER["retry"] <= settings.Q_CLUSTER["timeout"]:
        problems.append(
            Warning(
                "Q_RETRY is not above Q_TIMEOUT: a job still running would be handed to a second worker.",
                hint="Q_RETRY=180 with Q_TIMEOUT=120 (docs/deploy.md).",
                id="tuangou.W006",
            )
        )
    if not (os.environ.get("PAYMENT_SECRETS_KEY") or os.environ.get("PAYMENT_SECRETS_KEY_FILE")):
        problems.append(
            Warning(
                "PAYMENT_SECRETS_KEY is not set: the key that encrypts shops' payment keys was generated under "
                "TUANGOU_VAR_DIR, and every backup holds it beside what it encrypts.",
                hint="Set PAYMENT_SECRETS_KEY (or PAYMENT_SECRETS_KEY_FILE) to a Fernet key kept outside the "
                "machine's backups (docs/deploy.md).",
                id="tuangou.W007",
            )
        )
    if settings.SITE_URL.startswith("http://"):
        problems.append(
            Warning(
                "SITE_URL is not https: payment notify and share links would point at plain HTTP.",
                hint="SITE_URL=https://your.domain",
                id="tuangou.W004",
            )
        )
    return problems
