"""Settings, read from the environment only (see .env.example for every variable)."""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TUANGOU_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_secret(name: str, default: str = "") -> str:
    """A secret from the environment, or from the file that NAME_FILE names (docker/systemd secrets)."""
    if os.environ.get(name):
        return os.environ[name]
    if os.environ.get(f"{name}_FILE"):
        return Path(os.environ[f"{name}_FILE"]).read_text().strip()
    return default


def _development_secret(name: str) -> str:
    """A secret generated on first run and kept under var/, so none lives in the repo."""
    path = VAR_DIR / f"{name}.secret"
    if not path.exists():
        path.touch(mode=0o600)  # readable by the app's user alone
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


# TUANGOU_ENV=production (docs/deploy.md): no generated SECRET_KEY, no DEBUG, no demo, no development
# SMS inbox, HTTPS-only cookies and HSTS. `manage.py check --deploy` is clean under it (a test runs it).
PRODUCTION = os.environ.get("TUANGOU_ENV", "development") == "production"
if PRODUCTION and not env_secret("SECRET_KEY"):
    raise ImproperlyConfigured(
        "TUANGOU_ENV=production needs SECRET_KEY (or SECRET_KEY_FILE naming a file that holds it): "
        "50+ random characters, e.g. from `python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
if PRODUCTION and env_bool("DEBUG", False):
    raise ImproperlyConfigured("TUANGOU_ENV=production refuses DEBUG=1: it shows tracebacks and settings to anyone.")
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY") or _development_secret("django")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# `make run` serves the live feed from its own ASGI process on this port of the same host (manage.py
# serve); the H5 page is told it and opens its EventSource there. 0: the feed is on the page's origin
# (production: nginx routes its path to the feed service).
FEED_PORT = int(os.environ.get("FEED_PORT") or 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "axes",
    # Only for its static files: /api/docs serves Swagger UI from our own /static/ninja/ (no CDN).
    "ninja",
    "tuangou.core",
    "tuangou.accounts",
    "tuangou.shops",
    "tuangou.audit",
    "tuangou.catalog",
    "tuangou.leaders",
    "tuangou.campaigns",
    "tuangou.marketing",
    "tuangou.orders",
    "tuangou.payments",
    "tuangou.fulfilment",
    "tuangou.warehouses",
    "tuangou.commissions",
    "tuangou.vouchers",
    "tuangou.notifications",
    "tuangou.sharing",
    "tuangou.insights",
    "tuangou.polls",
    "tuangou.integrations",
    "tuangou.feedback",
    "tuangou.market",
    # The project's own commands (serve, load_demo, export_openapi): they wire every app together,
    # so they live on top, in config, not in tuangou.core.
    "config",
]

MIDDLEWARE = [
    "tuangou.core.middleware.RequestIdMiddleware",
    "tuangou.core.metrics.RequestMetricsMiddleware",
    # Inside the metrics and the request id: a 503 for a database gone away is counted and logged.
    "tuangou.core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tuangou.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tuangou.core.admin_language.AdminLanguageMiddleware",
    "tuangou.core.middleware.ApiErrorShapeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tuangou.audit.context.AuditContextMiddleware",  # who and from where, for the 操作日志
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login it locked out into our lockout answer (tuangou.accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: embedded SQLite unless DATABASE_URL is set -------------------------
DATABASE_URL = env_secret("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))}
    # Failover (docs/deploy.md, "High availability"; bench/ha_test.py): a persistent connection outlives the
    # server behind it when pgbouncer is repointed to a new primary or PostgreSQL restarts. With health checks
    # Django tries it at its first use in a request (tuangou/core/postgresql reads its socket, where Django
    # would send SELECT 1) and opens a new one if it is dead, instead of failing that request with "server
    # closed the connection"; under DB_POOL the pool checks a connection
    # before handing it out. connect_timeout: a primary that does not answer fails the request in seconds
    # (the member's retry with its idempotency key comes later), not after the kernel's TCP timeout.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("CONN_HEALTH_CHECKS", True)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "tuangou.core.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
    # Behind pgbouncer in transaction mode (deploy/): no server-side cursors across transactions.
    _behind_pgbouncer = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = _behind_pgbouncer
    # Prepared statements. PostgreSQL plans every statement it is sent as text, and planning checkout's joins
    # cost more than running them (pg_stat_statements: 1.0 of 1.6 ms of an order). Bound server-side, psycopg
    # prepares a statement on its Nth use on a connection, then PostgreSQL keeps its plan. Django turns this
    # off by default for poolers: pgbouncer in transaction mode keeps prepared statements only from 1.21 on
    # (max_prepared_statements; Debian 12 ships 1.18), so behind it (DISABLE_SERVER_SIDE_CURSORS) they stay
    # off unless DB_PREPARE_THRESHOLD is set. DB_PREPARE_THRESHOLD=0 turns them off anywhere.
    _prepare = int(os.environ.get("DB_PREPARE_THRESHOLD") or (0 if _behind_pgbouncer else 5))
    if _prepare > 0:
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=_prepare)
    # PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost: the dashboard of a big
    # shop spent 40 ms compiling one query that then ran in 15 (EXPLAIN ANALYZE; bench/scale.py: days=30 from
    # 270 to 196 ms). Off for the app's sessions, by a startup option; pgbouncer refuses those, so behind it
    # the role carries it (ALTER ROLE … SET jit = off, docs/deploy.md). DB_JIT=1 leaves the server's setting.
    if not env_bool("DB_JIT") and not _behind_pgbouncer:
        DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
    # Under the ASGI server (manage.py serve) each request runs on a thread of its own, so one
    # persistent connection per thread would pile up: DB_POOL=1 shares a psycopg pool per process.
    if env_bool("DB_POOL", False):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
            "max_size": int(os.environ.get("DB_POOL_MAX", "8")),
            "timeout": 10,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
            # BEGIN so two writers queue instead of failing to upgrade a read lock.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }
# Reports (sheets, dashboard, exports) read from a replica when DATABASE_REPLICA_URL names one: the `replica`
# alias, settings as the primary's. tuangou.core.replica routes them, and falls back to the primary when the
# replica is unset, does not answer (then for REPLICA_RETRY_SECONDS) or the report runs inside a transaction.
DATABASE_REPLICA_URL = env_secret("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    _where = dj_database_url.parse(DATABASE_REPLICA_URL)
    DATABASES["replica"] = {
        **DATABASES["default"],
        **{key: _where[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT") if key in _where},
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # Tests have no replica of their own: the alias reads the test database.
        "TEST": {"MIRROR": "default"},
    }
REPLICA_RETRY_SECONDS = int(os.environ.get("REPLICA_RETRY_SECONDS", "30"))
DATABASE_ROUTERS = ["tuangou.core.replica.ReplicaRouter"]
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# The covering indexes (include=) are PostgreSQL's; SQLite builds them without the extra columns,
# which is all it needs at one machine's size: not a warning for every `make run`.
SILENCED_SYSTEM_CHECKS = [] if IS_POSTGRES else ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis (optional): cache and task broker -----------------------------------------
REDIS_URL = env_secret("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Checkout takes campaign-item stock from Redis counters first (tuangou/campaigns/hotstock.py,
# docs/hot-stock.md); PostgreSQL's conditional UPDATE stays the guard. Off: the database alone.
HOT_STOCK = bool(REDIS_URL) and env_bool("HOT_STOCK", True)

Q_CLUSTER = {
    "name": "tuangou",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    # A job running longer is stopped. Q_RETRY: a job taken but not acknowledged this long after (its
    # worker was killed) is handed out again (the database broker only); longer than the timeout.
    "timeout": int(os.environ.get("Q_TIMEOUT", "120")),
    "retry": int(os.environ.get("Q_RETRY", "180")),
    "max_attempts": 3,
    "catch_up": False,
    "label": "Tasks",
    "poll": 0.5,
}
# Production runs the scheduler as a process of its own (deploy/): Q_SCHEDULER=0 on job workers.
Q_CLUSTER["scheduler"] = env_bool("Q_SCHEDULER", True)
# JOB_BROKER: `orm` keeps queued jobs in PostgreSQL (django_q_ormq); a row goes only when its job
# succeeded, so a killed worker's jobs come back after Q_RETRY (bench/broker.py: the cost). `redis`
# is faster but has no acknowledgement: a job taken by a worker that dies is gone. Production
# defaults to `orm`; development uses Redis when REDIS_URL is set.
JOB_BROKER = os.environ.get("JOB_BROKER") or ("redis" if REDIS_URL and not PRODUCTION else "orm")
if JOB_BROKER not in {"orm", "redis"}:
    raise ImproperlyConfigured(f"JOB_BROKER must be orm or redis, not {JOB_BROKER!r}")
if JOB_BROKER == "redis":
    if not REDIS_URL:
        raise ImproperlyConfigured("JOB_BROKER=redis needs REDIS_URL")
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
# Tests (and anyone who wants no worker) run queued jobs inline.
if env_bool("Q_SYNC", False):
    Q_CLUSTER["sync"] = True

# --- Auth, sessions -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Staff password login (API and admin): after this many failures for one account, or from one IP
# (each counted on its own, in the database), login is refused for the cool-off time.
AXES_FAILURE_LIMIT = int(os.environ.get("STAFF_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("STAFF_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "tuangou.core.net.client_ip"
AXES_LOCKOUT_CALLABLE = "tuangou.accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Axes' own admin pages are English; tuangou.accounts.admin shows its rows in Chinese instead.
AXES_ENABLE_ADMIN = False
# Proxies (IPs or CIDR networks, comma-separated) whose X-Forwarded-For is believed. Empty: the
# connecting address is the client (a forged header is ignored). See tuangou.core.net.client_ip.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the web clients read it to send X-CSRFToken

# --- HTTPS and security headers (on in production; nginx terminates TLS, docs/deploy.md) -----
# nginx sets X-Forwarded-Proto; only believed from TRUSTED_PROXIES' side of the socket in practice,
# since the app listens on a local port or socket nginx alone reaches.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# nginx answers plain HTTP with a redirect itself; /healthz and /metrics are asked over the loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600) if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every HTML page (tuangou/core/security.py); 1: report only, to try a change.
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)

# --- i18n ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# The built front ends (frontend/dist: console/, h5/, assets/) are static files too.
FRONTEND_DIST = Path(os.environ.get("FRONTEND_DIST", BASE_DIR / "frontend" / "dist"))
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.exists() else []
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Object storage for uploads and exports (django-storages, S3 API: Aliyun OSS, Tencent COS, MinIO)
# when STORAGE_S3_BUCKET is set; else MEDIA_ROOT on local disk. Product images are read through
# plain URLs (the bucket lets anyone read products/ and campaigns/), exports/ only through signed
# URLs that live EXPORT_URL_SECONDS (tuangou/core/storage.py).
STORAGE_S3_BUCKET = os.environ.get("STORAGE_S3_BUCKET", "")
EXPORT_URL_SECONDS = int(os.environ.get("EXPORT_URL_SECONDS", "300"))
if STORAGE_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "tuangou.core.storage.ObjectStorage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            "endpoint_url": os.environ.get("STORAGE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("STORAGE_S3_REGION") or None,
            "access_key": env_secret("STORAGE_S3_ACCESS_KEY"),
            "secret_key": env_secret("STORAGE_S3_SECRET_KEY"),
            "custom_domain": os.environ.get("STORAGE_S3_CUSTOM_DOMAIN") or None,
            # Aliyun OSS wants virtual-hosted addressing; MinIO path-style (the default here).
            "addressing_style": os.environ.get("STORAGE_S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "querystring_expire": EXPORT_URL_SECONDS,
            "file_overwrite": False,
            "default_acl": None,
        },
    }

# --- Integrations -------------------------------------------------------------------
# SMS: "console" writes codes to the log and keeps the last ones for the demo page.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
SMS_OUTBOX = VAR_DIR / "sms_outbox.jsonl"  # where the console backend writes (the dev inbox reads it)
SMS_CODE_TTL_SECONDS = int(os.environ.get("SMS_CODE_TTL_SECONDS", "300"))
SMS_SEND_LIMIT_PER_PHONE_HOUR = int(os.environ.get("SMS_SEND_LIMIT_PER_PHONE_HOUR", "5"))
SMS_SEND_LIMIT_PER_IP_HOUR = int(os.environ.get("SMS_SEND_LIMIT_PER_IP_HOUR", "20"))
SMS_VERIFY_MAX_ATTEMPTS = int(os.environ.get("SMS_VERIFY_MAX_ATTEMPTS", "5"))
SMS_VERIFY_LIMIT_PER_IP_HOUR = int(os.environ.get("SMS_VERIFY_LIMIT_PER_IP_HOUR", "60"))
# Wrong codes per phone in 24 hours, across codes: asking for a new code does not reset it.
SMS_VERIFY_FAILURES_PER_PHONE_DAY = int(os.environ.get("SMS_VERIFY_FAILURES_PER_PHONE_DAY", "10"))
# Shows development SMS codes at /dev/sms (never on in production).
SMS_SHOW_CODES = env_bool("SMS_SHOW_CODES", DEBUG) and not PRODUCTION
# A message is a vendor template + parameters + signature name (tuangou/accounts/sms.py TEMPLATES).
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "团购")
SMS_TIMEOUT_SECONDS = float(os.environ.get("SMS_TIMEOUT_SECONDS", "5"))
# Each vendor's template ids per template name: "login_code=SMS_1,pickup_notice=SMS_2,…".
SMS_TEMPLATES_ALIYUN = os.environ.get("SMS_TEMPLATES_ALIYUN", "")
SMS_TEMPLATES_TENCENT = os.environ.get("SMS_TEMPLATES_TENCENT", "")
SMS_ALIYUN_ACCESS_KEY_ID = os.environ.get("SMS_ALIYUN_ACCESS_KEY_ID", "")
SMS_ALIYUN_ACCESS_KEY_SECRET = env_secret("SMS_ALIYUN_ACCESS_KEY_SECRET")
SMS_ALIYUN_ENDPOINT = os.environ.get("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_ALIYUN_REGION = os.environ.get("SMS_ALIYUN_REGION", "cn-hangzhou")
SMS_TENCENT_SECRET_ID = os.environ.get("SMS_TENCENT_SECRET_ID", "")
SMS_TENCENT_SECRET_KEY = env_secret("SMS_TENCENT_SECRET_KEY")
SMS_TENCENT_SDK_APP_ID = os.environ.get("SMS_TENCENT_SDK_APP_ID", "")
SMS_TENCENT_ENDPOINT = os.environ.get("SMS_TENCENT_ENDPOINT", "https://sms.tencentcloudapi.com/")
SMS_TENCENT_REGION = os.environ.get("SMS_TENCENT_REGION", "ap-guangzhou")
# Delivery receipts are posted to /api/sms/receipts/<vendor>/<token>: neither vendor signs its
# receipt push, so the callback URL configured with the vendor carries this secret.
SMS_RECEIPT_TOKEN = env_secret("SMS_RECEIPT_TOKEN") or _development_secret("sms_receipt")
# Notification SMS per shop per day (0: no limit); a shop's own sms_daily_budget overrides it.
SMS_DAILY_BUDGET_PER_SHOP = int(os.environ.get("SMS_DAILY_BUDGET_PER_SHOP", "1000"))
# Code sends from one client IP in an hour before an image captcha is asked for (0: never).
SMS_CAPTCHA_AFTER_SENDS = int(os.environ.get("SMS_CAPTCHA_AFTER_SENDS", "3"))
SMS_CAPTCHA_TTL_SECONDS = int(os.environ.get("SMS_CAPTCHA_TTL_SECONDS", "300"))

# WeChat (Official Account web authorisation and JS-SDK; mini-program code2session). Unset app id:
# the H5 shows no WeChat login and no share card. The bases point at the local simulator in tests
# and the demo (simulators/wechat); production leaves them at WeChat's own hosts.
WECHAT_APP_ID = os.environ.get("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = env_secret("WECHAT_APP_SECRET")
WECHAT_MINIPROGRAM_APP_ID = os.environ.get("WECHAT_MINIPROGRAM_APP_ID", "")
WECHAT_MINIPROGRAM_APP_SECRET = env_secret("WECHAT_MINIPROGRAM_APP_SECRET")
WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_OPEN_BASE = os.environ.get("WECHAT_OPEN_BASE", "https://open.weixin.qq.com")
WECHAT_TIMEOUT_SECONDS = float(os.environ.get("WECHAT_TIMEOUT_SECONDS", "5"))

PAYMENT_PROVIDER = os.environ.get("PAYMENT_PROVIDER", "sandbox")
# How an approved withdrawal is paid (tuangou/commissions/services.py): "manual" (finance pays
# outside and marks it paid) or "wechat_transfer" (WeChat Pay's merchant transfer, 商家转账, to the
# leader's openid under WECHATPAY["APPID"]; WECHATPAY["TRANSFER_SCENE_ID"] the approved scene).
WITHDRAWAL_PAYOUT = os.environ.get("WITHDRAWAL_PAYOUT", "manual")
PAYMENT_SANDBOX_SECRET = env_secret("PAYMENT_SANDBOX_SECRET") or _development_secret("payment_sandbox")
PAYMENT_SANDBOX_MERCHANT_ID = os.environ.get("PAYMENT_SANDBOX_MERCHANT_ID", "sandbox-mch-001")
# Encrypts shops' payment secrets at rest (tuangou/payments/secret_box.py): Fernet keys, comma-separated,
# the first encrypts and all decrypt (rotation: put the new key first, run `manage.py payment_secrets_rotate`,
# then drop the old one). In development a passphrase under var/ stands in (hashed into a key).
# Production warns without one (tuangou.W007): a generated key would sit in var/ and in every backup, beside
# the secrets it encrypts.
PAYMENT_SECRETS_KEY = env_secret("PAYMENT_SECRETS_KEY") or _development_secret("payment_secrets")


# WeChat Pay API v3 (tuangou/payments/providers/wechatpay.py), PAYMENT_PROVIDER=wechatpay. MODE "direct"
# (MCHID/APPID are the merchant's) or "partner" (服务商: MCHID/APPID are sp_mchid/sp_appid, each shop's
# sub_mchid in SUB_MCHIDS {shop id: sub_mchid}). PLATFORM_KEYS {serial or PUB_KEY_ID_…: PEM or path}
# lists every platform certificate / WeChat Pay public key accepted (several during a switch-over).
def _json_env(name: str, default):
    value = os.environ.get(name, "")
    return json.loads(value) if value else default


WECHATPAY = {
    "API_BASE": os.environ.get("WECHATPAY_API_BASE", "https://api.mch.weixin.qq.com"),
    "MODE": os.environ.get("WECHATPAY_MODE", "direct"),
    "MCHID": os.environ.get("WECHATPAY_MCHID", ""),
    "APPID": os.environ.get("WECHATPAY_APPID", ""),
    "MERCHANT_SERIAL": os.environ.get("WECHATPAY_MERCHANT_SERIAL", ""),
    "MERCHANT_PRIVATE_KEY": env_secret("WECHATPAY_MERCHANT_PRIVATE_KEY"),  # PEM or a file path
    "APIV3_KEY": env_secret("WECHATPAY_APIV3_KEY"),
    "PLATFORM_KEYS": _json_env("WECHATPAY_PLATFORM_KEYS", {}),
    "SUB_MCHIDS": _json_env("WECHATPAY_SUB_MCHIDS", {}),
    "MINIPROGRAM_APPID": WECHAT_MINIPROGRAM_APP_ID,  # its JSAPI trades (wx.requestPayment) carry this app id
    "NOTIFY_BASE": os.environ.get("WECHATPAY_NOTIFY_BASE", SITE_URL),
    "TRANSFER_SCENE_ID": os.environ.get("WECHATPAY_TRANSFER_SCENE_ID", "1000"),
    "TIMEOUT_SECONDS": 10,
}

# Phone top-up vendor (tuangou/vouchers/topup.py; `python -m simulators.topup` plays one). No gateway:
# a sandbox that succeeds at once. KEY signs requests and checks the vendor's callbacks (MD5, sorted params).
TOPUP = {
    "GATEWAY": os.environ.get("TOPUP_GATEWAY", ""),
    "MERCHANT_ID": os.environ.get("TOPUP_MERCHANT_ID", ""),
    "KEY": env_secret("TOPUP_KEY"),
    "NOTIFY_BASE": os.environ.get("TOPUP_NOTIFY_BASE", SITE_URL),
    "TIMEOUT_SECONDS": float(os.environ.get("TOPUP_TIMEOUT_SECONDS", "5")),
}

# Alipay open platform, RSA2 (tuangou/payments/providers/alipay.py), PAYMENT_PROVIDER=alipay. APP_PRIVATE_KEY
# signs our requests; ALIPAY_PUBLIC_KEY (Alipay's, from the open platform) verifies its answers and notifies;
# SELLER_ID is the merchant's 2088… partner id a notify must name. Keys: PEM text or a file path.
ALIPAY = {
    "GATEWAY": os.environ.get("ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do"),
    "APP_ID": os.environ.get("ALIPAY_APP_ID", ""),
    "SELLER_ID": os.environ.get("ALIPAY_SELLER_ID", ""),
    "APP_PRIVATE_KEY": env_secret("ALIPAY_APP_PRIVATE_KEY"),
    "ALIPAY_PUBLIC_KEY": os.environ.get("ALIPAY_PUBLIC_KEY", ""),
    "NOTIFY_BASE": os.environ.get("ALIPAY_NOTIFY_BASE", SITE_URL),
    "TIMEOUT_SECONDS": 10,
}

# Address search for members and applicants (tuangou/leaders/geocoding.py): "offline" searches the
# shop's own pickup points and communities; "amap" asks Amap's geocoder (needs AMAP_KEY) first.
GEOCODER = os.environ.get("GEOCODER", "offline")
AMAP_KEY = env_secret("AMAP_KEY")

# Webhooks (tuangou.integrations) refuse addresses that resolve to private, loopback or reserved
# networks (SSRF), unless DEBUG or this is on (a receiver on the same machine or LAN, tests).
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", DEBUG)
AMAP_GEOCODE_URL = os.environ.get("AMAP_GEOCODE_URL", "https://restapi.amap.com/v3/geocode/geo")
AMAP_TIMEOUT_SECONDS = float(os.environ.get("AMAP_TIMEOUT_SECONDS", "3"))

NOTIFICATION_CHANNELS = [c for c in os.environ.get("NOTIFICATION_CHANNELS", "inapp,sms").split(",") if c]
# WeChat subscribe-message templates (订阅通知 of the official account WECHAT_APP_ID, 订阅消息 of the
# mini-program) per app id and purpose: {"wx…": {"pickup_notice": "<template id>", "refund": …,
# "campaign_result": …, "application_result": …}}. With "wechat" in NOTIFICATION_CHANNELS a person bound
# to WeChat who accepted the template gets it there, everyone else (and anyone WeChat refuses) by SMS.
WECHAT_SUBSCRIBE_TEMPLATES = _json_env("WECHAT_SUBSCRIBE_TEMPLATES", {})

# --- Logging: one JSON line per request, with its request id -----------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tuangou.core.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "tuangou.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "django_q": {"level": "WARNING"},
        "django-q": {"level": "WARNING"},
    },
}

# --- Operations: health, metrics, error tracking, backups (docs/deploy.md, docs/runbook.md) ----
# /healthz answers 503 when the worker's heartbeat (a job every minute) or the most overdue schedule
# is older than these.
HEALTH_HEARTBEAT_MAX_SECONDS = int(os.environ.get("HEALTH_HEARTBEAT_MAX_SECONDS", "300"))
HEALTH_SCHEDULE_LAG_MAX_SECONDS = int(os.environ.get("HEALTH_SCHEDULE_LAG_MAX_SECONDS", "300"))
# /metrics (Prometheus) answers only these client addresses (CIDRs); nginx does not pass it on.
METRICS_ALLOWED_IPS = [
    n.strip() for n in os.environ.get("METRICS_ALLOWED_IPS", "127.0.0.1/32,::1/128").split(",") if n.strip()
]
# Errors to Sentry (or a self-hosted one) when set; the request id goes with each event as a tag.
SENTRY_DSN = env_secret("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("TUANGOU_ENV", "development"),
        release=os.environ.get("TUANGOU_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,  # members' phones and addresses stay out of it
    )
# make backup / the scheduled backup: archives here, the newest BACKUP_KEEP kept.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))
BACKUP_EVERY_MINUTES = int(os.environ.get("BACKUP_EVERY_MINUTES", "0"))
# Copies each archive off the machine: the command gets the archive's path as its last argument.
BACKUP_COPY_COMMAND = os.environ.get("BACKUP_COPY_COMMAND", "")
