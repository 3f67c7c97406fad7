# gunicorn as a Django team runs it: a few sync workers, the workers'
# prometheus counters added up in PROMETHEUS_MULTIPROC_DIR.
import os

from prometheus_client import multiprocess

workers = int(os.environ.get("WORKERS", "3"))
worker_class = "sync"
graceful_timeout = 30
timeout = 30


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    # the app is loaded: the tests wait for every worker's mark before a
    # drill (a worker still booting when the database stops fails to
    # boot, and gunicorn then halts: "Reason: Worker failed to boot").
    # A file, not a log line: Django's logging setup has silenced
    # gunicorn's logger in the worker by now.
    booted = os.environ.get("BOOTED_DIR")
    if booted:
        open(os.path.join(booted, str(worker.pid)), "w").close()
