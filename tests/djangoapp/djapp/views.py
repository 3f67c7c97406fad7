import hashlib
import json
import os
import time

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from health_check.views import MainView

DELAY_MS = int(os.environ.get("DELAY_MS", "0"))
LEAK_KB = int(os.environ.get("LEAK_KB", "0"))
_kept = []


def knobs(get_response):
    """Every request at least DELAY_MS long; LEAK_KB kept per request."""
    def middleware(request):
        t0 = time.monotonic()
        response = get_response(request)
        if LEAK_KB:
            _kept.append(bytearray(os.urandom(16)) * (LEAK_KB * 64))
        left = DELAY_MS / 1000.0 - (time.monotonic() - t0)
        if left > 0:
            time.sleep(left)
        return response
    return middleware


class ReadyView(MainView):
    """Readiness: the database only (Redis is optional by design)."""
    @property
    def plugins(self):
        if not self._plugins:
            self._plugins = [p for p in super().plugins
                             if p.identifier() == "DatabaseBackend"]
        return self._plugins


def records(request):
    with connection.cursor() as c:
        c.execute("SELECT 1, now()")
        row = c.fetchone()
    return JsonResponse({"records": [{"id": row[0], "at": row[1].isoformat()}]})


def cached(request):
    n = cache.get("hits") or 0
    cache.set("hits", n + 1, 60)
    return JsonResponse({"hits": n + 1})


@csrf_exempt
def writes(request):
    key = json.loads(request.body or b"{}").get("key", "")
    if not key or len(key) > 128:
        return JsonResponse({"error": "key required"}, status=400)
    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS djapp_writes"
                  " (key text PRIMARY KEY, at timestamptz DEFAULT now())")
        c.execute("INSERT INTO djapp_writes (key) VALUES (%s)"
                  " ON CONFLICT DO NOTHING", [key])
    return JsonResponse({"key": key, "stored": True}, status=201)


def compute(request):
    h = b"x"
    for _ in range(2000):
        h = hashlib.sha256(h).digest()
    return JsonResponse({"ok": True})


def stats(request):
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM pg_stat_activity")
        n = c.fetchone()[0]
    return JsonResponse({"connections": n})


@csrf_exempt
def slow(request):
    time.sleep(0.4)
    return JsonResponse({"ok": True})
