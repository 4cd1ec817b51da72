"""Sign in with Google (PRODUCT.md §1) against a local key server on 127.0.0.1 that google-auth is pointed at
(GOOGLE_OAUTH_CERTS_URL): it publishes X.509 certificates the way Google's endpoint does, with a Cache-Control
max-age. Tokens are signed with google-auth's own signer and the key server's private key."""

import datetime
import functools
import json
import time
from http.server import BaseHTTPRequestHandler

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt
from google.auth import jwt as google_jwt
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import AuthSession, ExternalIdentity, User
from accounts.services.google import forget_cached_certs
from companies.models import Membership
from freelancers.models import FreelancerProfile
from tests.factories import UserFactory
from tests.localserver import LocalHTTPServer
from tests.problems import assert_problem

GOOGLE = "/api/v1/auth/oauth/google/"
TOKEN = "/api/v1/auth/token/"
WEB_CLIENT = "1234-web.apps.googleusercontent.com"
ANDROID_CLIENT = "1234-android.apps.googleusercontent.com"
KEY_ID = "bantu-test-key-1"


@functools.cache
def _key_and_certificate(which: str):
    """A 2048-bit RSA key (PEM) and its self-signed certificate; made once per process for each `which`
    (generating keys took about 0.2 s of every test)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "accounts.google.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return private_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


class KeyServer:
    """Serves `{key id: PEM certificate}` at /oauth2/v1/certs, like Google, and counts the requests."""

    def __init__(self):
        self.private_pem, certificate = _key_and_certificate("published")
        self.other_private_pem, _ = _key_and_certificate("other")  # signs tokens the published key does not verify
        self.body = json.dumps({KEY_ID: certificate}).encode()
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Cache-Control", "public, max-age=3600")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args):
                pass

        self.httpd = LocalHTTPServer(Handler, name="google-keys")
        self.url = f"{self.httpd.origin}/oauth2/v1/certs"

    def stop(self):
        self.httpd.close()

    def token(self, *, signed_with=None, **claims) -> str:
        now = int(time.time())
        payload = {
            "iss": "https://accounts.google.com",
            "azp": WEB_CLIENT,
            "aud": WEB_CLIENT,
            "sub": "109876543210987654321",
            "email": "dewi@gmail.com",
            "email_verified": True,
            "name": "Dewi Lestari",
            "iat": now,
            "exp": now + 3600,
        }
        payload.update(claims)
        payload = {key: value for key, value in payload.items() if value is not None}
        signer = crypt.RSASigner.from_string(signed_with or self.private_pem, key_id=KEY_ID)
        return google_jwt.encode(signer, payload).decode()


@pytest.fixture
def keys(settings):
    server = KeyServer()
    settings.BANTU = {
        **settings.BANTU,
        "GOOGLE_OAUTH_CLIENT_IDS": [WEB_CLIENT, ANDROID_CLIENT],
        "GOOGLE_OAUTH_CERTS_URL": server.url,
    }
    forget_cached_certs()
    yield server
    forget_cached_certs()
    server.stop()


def state() -> tuple:
    return (
        User.objects.count(),
        ExternalIdentity.objects.count(),
        AuthSession.objects.count(),
        list(User.objects.order_by("pk").values_list("email", "email_verified_at", "auth_version")),
    )


@pytest.mark.django_db
def test_a_valid_token_creates_a_verified_account_with_the_role_asked_for(api, keys):
    response = api.post(GOOGLE, {"id_token": keys.token(), "role": "freelancer"}, format="json")

    assert response.status_code == 201, response.content
    assert set(response.json()) == {"access", "refresh"}
    user = User.objects.get()
    assert (user.email, user.full_name, user.email_verified, user.has_usable_password()) == (
        "dewi@gmail.com",
        "Dewi Lestari",
        True,
        False,
    )
    assert FreelancerProfile.objects.filter(user=user).exists()
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.provider, identity.subject) == (user, "google", "109876543210987654321")
    claims = AccessToken(response.json()["access"])
    assert (claims["user_id"], claims["roles"], claims["ver"]) == (str(user.pk), ["freelancer"], 0)
    assert AuthSession.objects.filter(pk=claims["sid"], user=user).exists()


@pytest.mark.django_db
def test_a_company_account_gets_its_company(api, keys):
    response = api.post(
        GOOGLE, {"id_token": keys.token(), "role": "company", "company_name": "PT Kopi Kita"}, format="json"
    )

    assert response.status_code == 201
    assert Membership.objects.get(user__email="dewi@gmail.com").company.name == "PT Kopi Kita"
    assert AccessToken(response.json()["access"])["roles"] == ["company"]


@pytest.mark.django_db
def test_signing_in_again_finds_the_same_user_and_the_keys_are_fetched_once(api, keys):
    first = api.post(GOOGLE, {"id_token": keys.token(), "role": "freelancer"}, format="json")
    # Google may change the email; the subject stays, and so does the account. Another client id of ours works.
    again = api.post(GOOGLE, {"id_token": keys.token(email="dewi.baru@gmail.com", aud=ANDROID_CLIENT)}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert AccessToken(again.json()["access"])["user_id"] == AccessToken(first.json()["access"])["user_id"]
    assert User.objects.count() == 1
    assert keys.hits == 1


@pytest.mark.django_db
def test_an_existing_verified_account_of_the_same_email_is_linked(api, keys):
    user = UserFactory(email="dewi@gmail.com")

    response = api.post(GOOGLE, {"id_token": keys.token(email="Dewi@Gmail.com")}, format="json")

    assert response.status_code == 200
    assert AccessToken(response.json()["access"])["user_id"] == str(user.pk)
    assert ExternalIdentity.objects.get().user == user
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_an_existing_unverified_account_is_not_linked(api, keys):
    UserFactory(email="dewi@gmail.com", email_verified_at=None)
    before = state()

    response = api.post(GOOGLE, {"id_token": keys.token()}, format="json")

    assert_problem(response, 409, "account_email_unverified")
    assert state() == before


@pytest.mark.django_db
def test_a_new_account_needs_a_role(api, keys):
    response = api.post(GOOGLE, {"id_token": keys.token()}, format="json")

    assert_problem(response, 400, "role_required", {"role": ["Required to create an account."]})
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_a_suspended_account_is_refused(api, keys):
    UserFactory(email="dewi@gmail.com", is_active=False)

    assert_problem(api.post(GOOGLE, {"id_token": keys.token()}, format="json"), 403, "account_suspended")


REFUSED = {
    "wrong audience": {"aud": "https://evil.example"},
    "token for another client": {
        "aud": "999-other-app.apps.googleusercontent.com",
        "azp": "999-other-app.apps.googleusercontent.com",
    },
    "wrong issuer": {"iss": "https://accounts.evil.example"},
    "no issuer": {"iss": None},
    "expired": {"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600},
    "unverified email": {"email_verified": False},
    "email_verified as a string": {"email_verified": "true"},
    "no email": {"email": None},
}


@pytest.mark.django_db
@pytest.mark.parametrize("claims", REFUSED.values(), ids=REFUSED.keys())
@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing account"])
def test_a_bad_token_is_401_and_changes_nothing(api, keys, claims, existing):
    if existing:
        UserFactory(email="dewi@gmail.com")
    before = state()

    response = api.post(GOOGLE, {"id_token": keys.token(**claims), "role": "freelancer"}, format="json")

    code = "google_email_unverified" if "email_verified" in claims else "google_token_invalid"
    assert_problem(response, 401, code)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["bad signature", "garbage", "header.only", "a.b.c"])
def test_a_forged_or_malformed_token_is_401_and_changes_nothing(api, keys, token):
    if token == "bad signature":
        token = keys.token(signed_with=keys.other_private_pem)
    before = state()

    response = api.post(GOOGLE, {"id_token": token, "role": "freelancer"}, format="json")

    assert_problem(response, 401, "google_token_invalid")
    assert state() == before


@pytest.mark.django_db
def test_keys_that_cannot_be_fetched_answer_503_with_retry_after(api, keys):
    token = keys.token()
    keys.stop()

    response = api.post(GOOGLE, {"id_token": token, "role": "freelancer"}, format="json")

    assert_problem(response, 503, "google_unavailable")
    assert response["Retry-After"] == "30"
    assert User.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"id_token": ""},
        {"id_token": "x", "role": "admin"},
        {"id_token": "x", "role": "company"},
        {"id_token": "x", "extra": 1},
    ],
)
def test_bad_input_is_400(api, keys, body):
    assert_problem(api.post(GOOGLE, body, format="json"), 400, "validation_error")
