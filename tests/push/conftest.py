import pytest

from bantu.celery import app as celery_app

from .pushservice import PushService, generate_vapid_keys

SUBJECT = "mailto:ops@bantu.id"


@pytest.fixture(scope="session")
def vapid_keys():
    return generate_vapid_keys()


@pytest.fixture
def push_service(vapid_keys):
    service = PushService(application_server_key=vapid_keys.public_key, subject=SUBJECT)
    yield service
    service.close()


@pytest.fixture
def webpush_settings(settings, vapid_keys):
    """Bantu configured for Web Push with the test keys (a new BANTU dict: the original is left untouched)."""
    settings.BANTU = {**settings.BANTU, "VAPID_PUBLIC_KEY": vapid_keys.public_key,
                      "VAPID_PRIVATE_KEY": vapid_keys.private_key, "VAPID_SUBJECT": SUBJECT,
                      "FCM_CREDENTIALS_FILE": "", "PUSH_TIMEOUT_SECONDS": 5}
    return settings


@pytest.fixture
def no_push_settings(settings):
    settings.BANTU = {**settings.BANTU, "VAPID_PUBLIC_KEY": "", "VAPID_PRIVATE_KEY": "", "FCM_CREDENTIALS_FILE": ""}
    return settings


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
