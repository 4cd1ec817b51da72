import pytest

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
