"""What a login costs: password logins per second through Django's request path, and the password hasher alone.

    .venv/bin/python bench/login.py                 # 40 logins in one process, then 2 processes x 40
    .venv/bin/python bench/login.py --logins 100 --processes 1
    .venv/bin/python bench/login.py --hasher django  # Django's own Argon2 parameters (the "before")

Runs on the embedded default (a throw-away SQLite database in a temporary directory, local-memory cache, login
throttles raised out of the way), so it measures the login itself: `POST /api/v1/auth/token/` through
`django.test.Client` (every middleware, the view, the password check, the token pair) and, separately, one
`check_password` with the configured first hasher. Not measured: uvicorn and the network. The password hasher
dominates a login; the figures are in docs/benchmarks.md ("Login").
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HASHERS = {"project": None, "django": ["django.contrib.auth.hashers.Argon2PasswordHasher"]}
EMAIL = "bench-login@example.id"
PASSWORD = "Bench-Login-2026!"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logins", type=int, default=40, help="measured logins per process (default 40)")
    parser.add_argument("--processes", type=int, default=2, help="also run this many processes at once (default 2)")
    parser.add_argument(
        "--hasher",
        choices=sorted(HASHERS),
        default="project",
        help="project: PASSWORD_HASHERS as configured; django: Django's Argon2 defaults",
    )
    return parser.parse_args()


def setup(database: str, hasher: str = "project") -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    for name in ("THROTTLE_LOGIN_IP", "THROTTLE_LOGIN_EMAIL", "THROTTLE_LOGIN_EMAIL_CEILING"):
        os.environ[name] = "1000000/min"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bantu.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    if HASHERS[hasher]:
        from django.conf import settings

        settings.PASSWORD_HASHERS = HASHERS[hasher]  # before the first hash: nothing has cached the list yet


def seed() -> str:
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import User

    User.objects.filter(email=EMAIL).delete()
    User.objects.create_user(email=EMAIL, password=PASSWORD, full_name="Bench Login")
    return settings.PASSWORD_HASHERS[0]


def logins(count: int) -> list[float]:
    """Seconds per login, `count` of them after two warm-up logins."""
    from django.test import Client

    client = Client()
    body = {"email": EMAIL, "password": PASSWORD}
    for _ in range(2):
        assert client.post("/api/v1/auth/token/", body, content_type="application/json").status_code == 200
    seconds = []
    cpu_started = time.process_time()
    for _ in range(count):
        started = time.perf_counter()
        response = client.post("/api/v1/auth/token/", body, content_type="application/json")
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
    logins.cpu_per_login = (time.process_time() - cpu_started) / count
    return seconds


def hasher_check(count: int = 10) -> float:
    from accounts.models import User

    user = User.objects.get(email=EMAIL)
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(count):
        assert user.check_password(PASSWORD)
    hasher_check.cpu = (time.process_time() - cpu_started) / count
    return (time.perf_counter() - started) / count


def _worker(args):
    database, count, hasher = args
    setup(database, hasher)
    started = time.perf_counter()
    seconds = logins(count)
    return len(seconds), time.perf_counter() - started


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = os.path.join(tmp, "bench-login.sqlite3")
        setup(database, args.hasher)
        hasher = seed()
        from django.contrib.auth.hashers import get_hasher

        print(
            f"hasher: {hasher} {getattr(get_hasher(), 'memory_cost', '')} KiB "
            f"t={getattr(get_hasher(), 'time_cost', '')} p={getattr(get_hasher(), 'parallelism', '')}"
        )
        print(f"load average before: {os.getloadavg()}")
        print(f"check_password: {hasher_check() * 1000:.1f} ms, CPU {hasher_check.cpu * 1000:.1f} ms")
        seconds = logins(args.logins)
        print(
            f"1 process: {len(seconds) / sum(seconds):.1f} logins/s, "
            f"median {statistics.median(seconds) * 1000:.1f} ms, "
            f"p95 {sorted(seconds)[int(len(seconds) * 0.95) - 1] * 1000:.1f} ms, "
            f"CPU {logins.cpu_per_login * 1000:.0f} ms per login (all threads)"
        )
        if args.processes > 1:
            with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
                started = time.perf_counter()
                results = pool.map(_worker, [(database, args.logins, args.hasher)] * args.processes)
                wall = time.perf_counter() - started
            total = sum(count for count, _ in results)
            slowest = max(elapsed for _, elapsed in results)
            print(
                f"{args.processes} processes: {total / slowest:.1f} logins/s together "
                f"({total} logins, slowest process {slowest:.1f} s, wall with start-up {wall:.1f} s)"
            )
        print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
