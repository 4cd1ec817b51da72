"""Settings of the test suite: the project's own (bantu/settings.py), read from the same environment, with three
changes for tests.

- Under pytest-xdist (`make test` runs two workers) each worker gets a Redis database of its own (REDIS_URL's
  number minus the worker's index), so that one worker's tests flushing the cache, filling the channel layer or
  feeding a Celery broker never touch the other's. pytest-django already gives each worker its own test
  database (`test_bantu_gw0`, ...). Servers the tests start inherit the adjusted environment.
- Passwords are hashed with MD5: Argon2id (the production hasher, bantu/settings.py) costs tens of milliseconds
  per hash by design, and every user a test makes has a password. tests/accounts/api/test_hashing.py puts the
  production hashers back to test them.
- WhiteNoise's finders are off: they let the embedded server serve static files before collectstatic, at the
  price of a scan of every static directory per new test client (about 20 ms each); tests serve none.
"""

import os

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL") and not os.environ.get("BANTU_TEST_REDIS_SPLIT"):
    _base, _, _number = os.environ["REDIS_URL"].rpartition("/")
    os.environ["REDIS_URL"] = f"{_base}/{int(_number or 0) - int(_worker[2:])}"
    os.environ.pop("CELERY_BROKER_URL", None)  # follows REDIS_URL
    os.environ["BANTU_TEST_REDIS_SPLIT"] = "1"  # once: a server started by a test reads this module again

from bantu.settings import *
from bantu.settings import BANTU as PRODUCTION_BANTU
from bantu.settings import PASSWORD_HASHERS as PRODUCTION_HASHERS

WHITENOISE_USE_FINDERS = False
# The tests' Web Push service listens on 127.0.0.1 (tests/push/pushservice.py); tests/push/services/test_push.py
# turns this off to check that nothing else on this machine is reached.
BANTU = {**PRODUCTION_BANTU, "PUSH_ALLOW_LOOPBACK_ENDPOINTS": True}
# MD5 makes new hashes; the production hashers still check the hashes they made (a server a test starts reads
# these settings too).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_HASHERS]
