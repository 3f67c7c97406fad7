"""A small Django service as teams build them from Debian's packages:
django-health-check (database, cache, Redis), django-redis as the cache
(errors ignored, so a Redis outage degrades instead of failing),
django-prometheus for /metrics, gunicorn in front. Configured from the
environment: DATABASE_URL, REDIS_URL, PROMETHEUS_MULTIPROC_DIR (gunicorn's
workers add up their counters there). Test knobs: DELAY_MS (every request
takes at least this long: a slow service), LEAK_KB (each request keeps
this much in its worker: a leak)."""
import os
from urllib.parse import urlparse, unquote

SECRET_KEY = "shakedown-test-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "djapp.urls"
USE_TZ = True
INSTALLED_APPS = [
    "health_check",
    "health_check.db",
    "health_check.cache",
    "health_check.contrib.redis",
    "django_prometheus",
]
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "djapp.views.knobs",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

_db = urlparse(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
DATABASES = {
    "default": {
        "ENGINE": "django_prometheus.db.backends.postgresql",
        "NAME": _db.path.lstrip("/") or "postgres",
        "USER": unquote(_db.username or "postgres"),
        "PASSWORD": unquote(_db.password or ""),
        "HOST": _db.hostname or "127.0.0.1",
        "PORT": str(_db.port or 5432),
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"connect_timeout": 2},
    }
}
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
            # django-redis's documented way to degrade: a cache that is
            # down is a miss, not an error
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
