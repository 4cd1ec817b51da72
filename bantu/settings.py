"""Bantu settings, read from the environment.

With no environment at all the service runs embedded: SQLite, local-memory cache, in-memory channel layer,
eager Celery and the sandbox payment gateway. `DATABASE_URL` and `REDIS_URL` switch each part to PostgreSQL and
Redis. Every variable is listed in the README and in `.env.example`.
"""

from datetime import timedelta
from pathlib import Path

import environ

from bantu.core.redis_connection import CancellableSendConnection

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# A clearly insecure key for the embedded default; `check --deploy` fails while it is in use (bantu.core.checks).
DEV_SECRET_KEY = "insecure-dev-only-key-change-me-0123456789abcdefghijklmnop"
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "backoffice",  # before the admin: its templates (admin/base_site.html) override the admin's
    "backoffice.apps.BackofficeAdminConfig",  # django.contrib.admin with the operator console as its site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from our own static files, no CDN
    "channels",
    "bantu.core.apps.CoreConfig",
    "accounts",
    "taxonomy",
    "companies",
    "freelancers",
    "jobs",
    "proposals",
    "notifications",
    "chat",
    "payments",
    "reviews",
    "audit",
    "seeding",  # the top layer: imports the apps, no app imports it
]

MIDDLEWARE = [
    "bantu.core.middleware.RequestSanityMiddleware",
    "bantu.core.exceptions.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Sessions, the CSRF check, Django's request.user and messages on the admin's paths only (the API uses JWTs).
    "bantu.core.middleware.AdminSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "bantu.core.middleware.AdminCsrfViewMiddleware",
    "bantu.core.middleware.AdminAuthenticationMiddleware",
    "bantu.core.middleware.AdminMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bantu.core.middleware.OperatorTimeZoneMiddleware",
    "bantu.core.middleware.SyncChainMiddleware",  # last: see its docstring
]

ROOT_URLCONF = "bantu.urls"
ASGI_APPLICATION = "bantu.asgi.application"
WSGI_APPLICATION = "bantu.wsgi.application"

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

# --- Database ---------------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A pool per process (psycopg_pool through Django): a request borrows a connection and gives it back when it
    # ends. Without one, every request opened a connection of its own (CONN_MAX_AGE=0; persistent connections
    # stay open per ASGI thread until garbage collection), which cost the escrow benchmark about a quarter of its
    # throughput (docs/benchmarks.md). A request waits up to DB_POOL_TIMEOUT seconds for a free connection, then
    # gets 503 database_unavailable. DB_POOL_MAX_SIZE=0 turns the pool off (for PgBouncer in transaction mode).
    _pool_max = env.int("DB_POOL_MAX_SIZE", default=8)
    if _pool_max > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections: Django must not
        # With a pool Django turns this into the pool's check on checkout: one round trip, and a connection the
        # server dropped (restart, failover) is replaced instead of failing the request that borrows it.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(env.int("DB_POOL_MIN_SIZE", default=2), _pool_max),
            "max_size": _pool_max,
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
            "max_idle": 300,
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
        "DATABASE_TEST_NAME", default=f"test_{DATABASES['default']['NAME']}")
else:
    # The embedded default under concurrent writes: WAL lets readers go on beside a writer; IMMEDIATE makes a
    # writing transaction take the write lock when it begins, so writers queue (for up to `timeout` seconds)
    # instead of failing with "database is locked" when a read lock cannot be upgraded (Django ≥ 5.1).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# --- Redis: cache, channel layer, Celery broker --------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="bantu"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "bantu.core.channel_layer.BantuChannelLayer",
            "CONFIG": {
                # redis-py 8 defaults socket_timeout to 5 s, the same as channels-redis's blocking receive
                # (BZPOPMIN 5 s): reads then time out and crash consumers (redis-py#4091). Give reads headroom.
                # The connection class keeps a consumer's cancelled receive from reading on at shutdown.
                # One blocking pool per server process, shared by all its sockets: a burst (a thousand sockets
                # closing at once) waits up to pool_timeout seconds for a connection instead of failing
                # (bantu/core/channel_layer.py says how it is sized). RESP2: redis-py 8.1 with RESP3 skips its
                # pool's check for a connection the server closed while it sat idle (after a Redis restart, say),
                # and the next command on it fails (redis-py#4252, fixed after 8.1.0).
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 5, "protocol": 2,
                           "connection_class": CancellableSendConnection,
                           "max_connections": env.int("CHANNELS_REDIS_MAX_CONNECTIONS", default=32),
                           "pool_timeout": env.float("CHANNELS_REDIS_POOL_TIMEOUT", default=5.0)}],
                "prefix": env.str("CHANNELS_PREFIX", default="bantu-ws"),
                # All sockets of a process receive through one Redis key, whose capacity (channels-redis: 100
                # messages) is the whole process's backlog: past it, broadcasts are dropped. Each socket's own
                # buffer in the process is bounded by the same number.
                "capacity": env.int("CHANNELS_CAPACITY", default=1000),
            },
        }
    }
    # Throttles see Redis errors (the default cache hides them) so that they can fall back to per-process
    # limits instead of counting from zero (bantu.core.throttling).
    CACHES["throttle"] = {**CACHES["default"], "OPTIONS": {**CACHES["default"]["OPTIONS"], "IGNORE_EXCEPTIONS": False}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bantu"},
              "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bantu-throttle"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# At least once: a task is acknowledged after it has run, and a task whose worker process died under it (SIGKILL,
# the OOM killer) goes back to the queue instead of being marked failed, so it runs again; every task is
# idempotent. A message a dead worker had taken is handed out again after the visibility timeout; it must exceed
# the longest countdown or ETA (retry backoff: 1800 s), or delayed tasks are delivered twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# kombu ≥ 5.7 sweeps for such messages every `unacked_restore_interval` seconds and scans on one sweep in
# `unacked_restore_throttle` (10 and 10 by default: about 100 s after the visibility timeout has passed).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TIMEZONE = "Asia/Jakarta"
CELERY_BEAT_SCHEDULE = {
    "idempotency-cleanup": {"task": "bantu.core.tasks.idempotency_cleanup_task", "schedule": 3600.0},
    "payments-sweep": {"task": "payments.sweep", "schedule": 300.0},
    "milestones-auto-approve": {"task": "payments.auto_approve", "schedule": 3600.0},
    "sessions-cleanup": {"task": "accounts.sessions_cleanup", "schedule": 86400.0},
    "reviews-publish-due": {"task": "reviews.publish_due", "schedule": 3600.0},
    # The typo vocabulary of the job search: new words arrive as jobs open; this also drops words of closed jobs.
    "jobs-search-words-refresh": {"task": "jobs.search_words_refresh", "schedule": 3600.0},
}

# --- Auth -----------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Argon2id with OWASP's parameters (accounts/hashers.py); hashes made with Django's heavier defaults (the same
# algorithm name) still verify and are rehashed at the next login. PBKDF2 only verifies legacy hashes.
PASSWORD_HASHERS = [
    "accounts.hashers.BantuArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# --- Email (accounts: verification and password reset mails, sent by a Celery task) --------------------------
# EMAIL_URL (django-environ: smtp://user:password@host:587, smtp+tls://..., smtp+ssl://..., consolemail://) or the
# usual EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS / EMAIL_USE_SSL switch to SMTP.
# With neither, the embedded default prints every mail (and so its link) on the server's console.
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Bantu <no-reply@bantu.id>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Password reset links stay valid this long (Django's setting, in seconds; single use in any case).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_SECONDS", default=3600)

# --- DRF ------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BantuJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "bantu.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["bantu.core.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "bantu.core.negotiation.StrictContentNegotiation",
    "DEFAULT_PARSER_CLASSES": ["bantu.core.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "bantu.core.schema.BantuAutoSchema",
    "EXCEPTION_HANDLER": "bantu.core.exceptions.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["bantu.core.throttling.UserWriteThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "login_ip": env.str("THROTTLE_LOGIN_IP", default="30/min"),
        "login_email": env.str("THROTTLE_LOGIN_EMAIL", default="10/min"),
        "login_email_ceiling": env.str("THROTTLE_LOGIN_EMAIL_CEILING", default="100/hour"),
        "register_ip": env.str("THROTTLE_REGISTER_IP", default="20/hour"),
        "register_email": env.str("THROTTLE_REGISTER_EMAIL", default="5/hour"),
        "password_reset_ip": env.str("THROTTLE_PASSWORD_RESET_IP", default="20/hour"),
        "password_reset_email": env.str("THROTTLE_PASSWORD_RESET_EMAIL", default="3/hour"),
        "email_resend": env.str("THROTTLE_EMAIL_RESEND", default="3/hour"),
        "email_verify_ip": env.str("THROTTLE_EMAIL_VERIFY_IP", default="30/min"),
        "google_ip": env.str("THROTTLE_GOOGLE_IP", default="30/min"),
        "user_write": env.str("THROTTLE_USER_WRITE", default="120/min"),
        "search": env.str("THROTTLE_SEARCH", default="300/min"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "GET_LIB_DOC_EXCLUDES": "bantu.core.schema.lib_doc_excludes",
    "TITLE": "Bantu API",
    "DESCRIPTION": (
        "Freelance marketplace for Indonesia. All errors are RFC 9457 problem details "
        "(`application/problem+json`). Authenticate with `Authorization: Bearer <access token>` "
        "from `POST /api/v1/auth/token/`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RegistrationRoleEnum": "accounts.roles.REGISTRATION_ROLES",
        "MembershipRoleEnum": "companies.models.Membership.Role",
        "ProvinceEnum": "bantu.core.indonesia.PROVINCE_CHOICES",
        "JobStatusEnum": "jobs.models.Job.Status",
        "ProposalSideEnum": "proposals.models.Side",
        "ProposalStatusEnum": "proposals.models.Proposal.Status",
        "ContractStatusEnum": "proposals.models.Contract.Status",
        "NotificationKindEnum": "notifications.models.Notification.Kind",
        "DeviceKindEnum": "notifications.models.Device.Kind",
        "MilestoneStatusEnum": "proposals.models.Milestone.Status",
        "PaymentStatusEnum": "payments.models.Payment.Status",
        "GatewayEnum": "payments.models.Payment.Gateway",
        "PayoutStatusEnum": "payments.models.Payout.Status",
        "BankCodeEnum": "payments.banks.BANK_CHOICES",
        "TransactionKindEnum": "payments.models.Transaction.Kind",
        "DisputeStatusEnum": "payments.models.Dispute.Status",
        "DisputeResolutionEnum": "payments.models.Dispute.Resolution",
        "ReviewStatusEnum": "reviews.models.Review.Status",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "bantu.core.schema.postprocess_variants"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True, "displayOperationId": False},
}

# --- CORS -----------------------------------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/(api|ws)/.*$"
CORS_EXPOSE_HEADERS = ["Retry-After", "X-Cache"]

# --- Security (most take effect behind TLS in production) ----------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# --- I18N, static ---------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
# Stored and spoken in UTC: every time in the API, socket events and push payloads is UTC ("…Z"). Operators read
# the admin in OPERATOR_TIME_ZONE; calendar rules (a deadline not in the past) use Indonesia's western time
# (bantu.core.indonesia.today).
TIME_ZONE = "UTC"
OPERATOR_TIME_ZONE = env.str("OPERATOR_TIME_ZONE", default="Asia/Jakarta")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # the embedded server works before collectstatic has run
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on a missing root; the image fills it at build time

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Bantu knobs, defaults in code --------------------------------------------------------------------------
BANTU = {
    # --- Money (payments app). Amounts are integer rupiah. ---
    # Platform fee on released escrow, in percent with at most two decimals (e.g. 10 or 7.5).
    "PLATFORM_FEE_PERCENT": env.str("PLATFORM_FEE_PERCENT", default="10"),
    # Funding gateway: "xendit", "midtrans" or "sandbox". Empty: Xendit when XENDIT_SECRET_KEY is set, else
    # Midtrans when MIDTRANS_SERVER_KEY is set, else the built-in sandbox.
    "PAYMENT_GATEWAY": env.str("PAYMENT_GATEWAY", default=""),
    # Payout gateway: "xendit" or "sandbox" (Midtrans Snap does no payouts). Empty: Xendit when keyed, else sandbox.
    "PAYOUT_GATEWAY": env.str("PAYOUT_GATEWAY", default=""),
    "XENDIT_SECRET_KEY": env.str("XENDIT_SECRET_KEY", default=""),
    "XENDIT_CALLBACK_TOKEN": env.str("XENDIT_CALLBACK_TOKEN", default=""),
    "XENDIT_API_URL": env.str("XENDIT_API_URL", default="https://api.xendit.co"),
    "MIDTRANS_SERVER_KEY": env.str("MIDTRANS_SERVER_KEY", default=""),
    "MIDTRANS_IS_PRODUCTION": env.bool("MIDTRANS_IS_PRODUCTION", default=False),
    # Override the SDK's base URLs (tests point them at a local fake). Empty: the SDK's own for the environment.
    "MIDTRANS_API_URL": env.str("MIDTRANS_API_URL", default=""),
    "MIDTRANS_SNAP_URL": env.str("MIDTRANS_SNAP_URL", default=""),
    "GATEWAY_CONNECT_TIMEOUT_SECONDS": env.float("GATEWAY_CONNECT_TIMEOUT_SECONDS", default=5.0),
    "GATEWAY_READ_TIMEOUT_SECONDS": env.float("GATEWAY_READ_TIMEOUT_SECONDS", default=20.0),
    # Where the gateway sends the payer after paying or failing; {payment} is replaced by the payment id.
    "PAYMENT_SUCCESS_URL": env.str("PAYMENT_SUCCESS_URL", default="http://127.0.0.1:8000/payments/{payment}/done"),
    "PAYMENT_FAILURE_URL": env.str("PAYMENT_FAILURE_URL", default="http://127.0.0.1:8000/payments/{payment}/failed"),
    # The public base URL of this API: the sandbox gateway's checkout links start with it.
    "PUBLIC_BASE_URL": env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000"),
    "PAYMENT_EXPIRY_HOURS": env.int("PAYMENT_EXPIRY_HOURS", default=24),
    # Submitted milestones the company neither approves nor disputes are approved after this many days.
    "MILESTONE_REVIEW_DAYS": env.int("MILESTONE_REVIEW_DAYS", default=14),
    "PAYOUT_MINIMUM": env.int("PAYOUT_MINIMUM", default=50_000),
    # --- Reviews. Days after a contract completes during which each side may review the other; a review the other
    # side has not matched by then is published on its own (hourly beat task). ---
    "REVIEW_WINDOW_DAYS": env.int("REVIEW_WINDOW_DAYS", default=14),
    "PAYOUT_MAXIMUM": env.int("PAYOUT_MAXIMUM", default=100_000_000),
    "READYZ_TIMEOUT_SECONDS": 2,
    # --- Job search (jobs/search.py). Past this many matches `count` stops and `count_capped` is true; page
    # numbers reach this far. Relevance ranks the newest this-many matches (the rest follow newest first). ---
    "SEARCH_COUNT_CAP": 1000,
    "SEARCH_RANKED_CANDIDATES": 500,
    # With text and a parent category, the count first reads at most this many of the text's matches and counts
    # those in the category: whether they lie in it decides how the category is checked (jobs.search). Twice the
    # cap: 1,000 and 4,000 were slower over 25 such searches (docs/benchmarks.md, "Seventh round").
    "SEARCH_CATEGORY_PROBE": 2000,
    # PostgreSQL: milliseconds an ordered text search may walk its order's index before the matches are sorted
    # instead (jobs.search._walk_or_sort); 0 always walks.
    "SEARCH_WALK_TIMEOUT_MS": env.int("SEARCH_WALK_TIMEOUT_MS", default=15),
    # PostgreSQL: a budget-ordered text search whose words match at most this many open jobs (before the other
    # filters) sorts them without walking first: sorting 10,000 matches takes about what the walk may
    # (docs/benchmarks.md, "Eighth round"). 0 never skips the walk.
    "SEARCH_SORT_BOUND": 10_000,
    # PostgreSQL: relevance's candidates (the newest matches) are walked newest first when the walk would read at
    # most this many jobs per match a sort would read, else every match is sorted (jobs.search.JobSearch.
    # _candidates_way; docs/benchmarks.md, "Eighth round"); 0 leaves the choice to PostgreSQL. The walk may take
    # this many milliseconds before the sort runs instead.
    "SEARCH_WALKED_PER_SORTED": 1.65,
    "SEARCH_CANDIDATES_WALK_TIMEOUT_MS": 60,
    # PostgreSQL: relevance's candidates are first looked for among the jobs published since the time after which
    # about this many times their number of matches were published, by PostgreSQL's statistics (jobs.search.
    # JobSearch._candidates_since; docs/benchmarks.md, "Ninth round"); 0 never.
    "SEARCH_CANDIDATES_MARGIN": 2,
    "PROBLEM_TYPE_BASE": env.str("PROBLEM_TYPE_BASE", default="https://docs.bantu.id/problems/"),
    # Web Push (VAPID) and FCM. With neither configured, push is skipped and logged.
    "VAPID_PUBLIC_KEY": env.str("VAPID_PUBLIC_KEY", default=""),
    "VAPID_PRIVATE_KEY": env.str("VAPID_PRIVATE_KEY", default=""),
    "VAPID_SUBJECT": env.str("VAPID_SUBJECT", default="mailto:ops@bantu.id"),
    "FCM_CREDENTIALS_FILE": env.str("FCM_CREDENTIALS_FILE", default=""),
    "PUSH_TTL_SECONDS": env.int("PUSH_TTL_SECONDS", default=86_400),
    "PUSH_TIMEOUT_SECONDS": env.int("PUSH_TIMEOUT_SECONDS", default=10),
    # A Web Push endpoint is any URL a client registers, and the server POSTs to it: only public addresses are
    # reached, over HTTPS, never by a redirect (notifications/push.py). True lets a push service on this machine
    # (127.0.0.1, http) be used: for development and the tests, never in production.
    "PUSH_ALLOW_LOOPBACK_ENDPOINTS": env.bool("PUSH_ALLOW_LOOPBACK_ENDPOINTS", default=False),
    # --- Accounts (README, "Accounts"). ---
    # "mandatory": an unverified email may sign in and browse, but not post jobs, apply, fund or withdraw.
    # "optional": no gate (a local demo, an integration test); verification mails are still sent.
    "EMAIL_VERIFICATION": env.str("EMAIL_VERIFICATION", default="mandatory"),
    "EMAIL_VERIFICATION_HOURS": env.int("EMAIL_VERIFICATION_HOURS", default=48),
    # The client app's pages that take the token from the link and POST it to the API; {token} is replaced.
    "EMAIL_VERIFY_URL": env.str("EMAIL_VERIFY_URL", default="http://127.0.0.1:8000/verify-email?token={token}"),
    "PASSWORD_RESET_URL": env.str("PASSWORD_RESET_URL", default="http://127.0.0.1:8000/reset-password?token={token}"),
    # Sign in with Google: the OAuth client ids whose ID tokens are accepted (web, Android, iOS). Empty: off (503).
    "GOOGLE_OAUTH_CLIENT_IDS": env.list("GOOGLE_OAUTH_CLIENT_IDS", default=[]),
    # Google's signing certificates; tests point this at a local key server.
    "GOOGLE_OAUTH_CERTS_URL": env.str("GOOGLE_OAUTH_CERTS_URL", default="https://www.googleapis.com/oauth2/v1/certs"),
    "GOOGLE_OAUTH_TIMEOUT_SECONDS": env.float("GOOGLE_OAUTH_TIMEOUT_SECONDS", default=5.0),
}

if BANTU["EMAIL_VERIFICATION"] not in ("mandatory", "optional"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"EMAIL_VERIFICATION must be `mandatory` or `optional`, not {BANTU['EMAIL_VERIFICATION']!r}.")

# With Redis down the cache answers "miss" instead of raising: throttles and cached reads degrade to uncached.
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# The email is unique through a case-insensitive constraint (Lower("email")), which Django's check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.E003"]
