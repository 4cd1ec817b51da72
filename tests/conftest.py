"""Fixtures shared by every test. Tests marked `postgres` or `redis` run only where that service is configured
(`.ci/run` configures both); they are never mocked away."""

import contextlib
import os

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from rest_framework.test import APIClient

from accounts.services import tokens_issue
from bantu.celery import app as celery_app
from companies.models import Membership
from jobs import search
from payments import ledger

from . import database
from .factories import PASSWORD, CompanyFactory, FreelancerProfileFactory, MembershipFactory, UserFactory, operator_in

database.install()


def _fuzzing() -> bool:
    return bool(os.environ.get("FUZZ_EXAMPLES")) and not os.environ.get("PYTEST_XDIST_WORKER")


# Outside `make fuzz` the fuzz modules are not even imported: importing them loads schemathesis and builds the
# schema, about 4 s in each process.
collect_ignore = [] if _fuzzing() else ["fuzz"]


def pytest_report_header(config):
    return None if _fuzzing() else "tests/fuzz: not collected (schema fuzzing: `make fuzz`)"


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (as .ci/run does)")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL (as .ci/run does)")
    # Schema fuzzing takes minutes, not the one minute `make test` should take, and needs one process (its
    # operations share one node id, which pytest-xdist cannot tell apart): `make fuzz` runs it, and .ci/run does
    # in its PostgreSQL + Redis pass.
    skip_fuzz = pytest.mark.skip(reason="schema fuzzing: run `make fuzz` (FUZZ_EXAMPLES set, no xdist)")
    for item in items:
        if "fuzz" in item.keywords and not _fuzzing():
            item.add_marker(skip_fuzz)
        if "postgres" in item.keywords and not settings.USING_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)
    # pytest-django runs the transactional tests last (their flush empties what the migrations wrote). Among them,
    # the ones that start servers and processes (10-15 s each) go first: pytest-xdist hands tests out in this
    # order, so those no longer come last to one worker while the other has nothing left to do.
    items.sort(key=lambda item: (_transactional(item), not _starts_processes(item)))


SLOW_FOLDERS = ("e2e", "demo", "faults")


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


def _starts_processes(item) -> bool:
    return any(part in SLOW_FOLDERS for part in item.path.relative_to(item.config.rootpath).parts[1:-1])


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's, and before it drops the test databases, the sessions test threads left open go."""
    yield
    with django_db_blocker.unblock():
        database.disconnect_the_others()


@pytest.fixture(scope="session")
def openapi_schema(django_db_setup, django_db_blocker) -> dict:
    """The OpenAPI schema as drf-spectacular generates it (a dict), once per process: about a second each time.
    Read it, do not change it."""
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(autouse=True)
def _clean_cache():
    # The suite hashes passwords with MD5 (tests/settings.py); tests/accounts/api/test_hashing.py tests Argon2.
    cache.clear()
    caches["throttle"].clear()
    # A transactional test before this one may have emptied the database: the platform accounts it remembered
    # are gone (payments/ledger.py).
    ledger.forget_platform_accounts()
    search.forget_statistics()  # the statistics a search reads once a minute (jobs/search.py)
    yield
    cache.clear()
    with contextlib.suppress(Exception):  # a test may have pointed the throttle cache at a Redis that is down
        caches["throttle"].clear()


@pytest.fixture
def api():
    return APIClient()


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_issue(user=user)['access']}")
    return client


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def freelancer(db):
    return FreelancerProfileFactory().user


@pytest.fixture
def company(db):
    return CompanyFactory()


@pytest.fixture
def owner(company):
    return MembershipFactory(company=company, role=Membership.Role.OWNER).user


@pytest.fixture
def company_admin(company):
    return MembershipFactory(company=company, role=Membership.Role.ADMIN).user


@pytest.fixture
def recruiter(company):
    return MembershipFactory(company=company, role=Membership.Role.RECRUITER).user


@pytest.fixture
def other_company_owner(db):
    return MembershipFactory(company=CompanyFactory(), role=Membership.Role.OWNER).user


@pytest.fixture
def operator(db):
    """A platform operator of the moderator group (moderates jobs and reports; backoffice/groups.py)."""
    return operator_in("moderator")


@pytest.fixture
def as_user():
    """`as_user(user)` → an APIClient authenticated as `user`; `as_user(None)` → anonymous."""
    return lambda user: client_for(user) if user is not None else APIClient()


# --- Celery: eager (as in the embedded default) or as in service mode, whatever REDIS_URL says ---


def _set_celery(*, eager: bool, propagates: bool = True):
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_eager_propagates)
    conf.task_always_eager, conf.task_eager_propagates = eager, propagates
    return saved


def _restore_celery(saved) -> None:
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


@pytest.fixture
def eager_celery():
    """Tasks run in the caller and their errors propagate, exactly as in the embedded default
    (CELERY_TASK_ALWAYS_EAGER, CELERY_TASK_EAGER_PROPAGATES), also when REDIS_URL made Celery use a broker."""
    saved = _set_celery(eager=True)
    yield celery_app
    _restore_celery(saved)


@pytest.fixture
def eager_celery_with_retries():
    """Eager, but not propagating: only then does Celery run a task's retries eagerly (`Task.apply` re-applies
    the retry signature, which inherits `task_eager_propagates`; when it is on, the `Retry` itself is raised).
    This runs the task's retry policy the way a worker would, without the countdowns."""
    saved = _set_celery(eager=True, propagates=False)
    yield celery_app
    _restore_celery(saved)


@pytest.fixture
def service_mode_celery():
    """Celery as in service mode: `.delay` sends to the broker instead of running the task."""
    saved = _set_celery(eager=False)
    yield celery_app
    _restore_celery(saved)
