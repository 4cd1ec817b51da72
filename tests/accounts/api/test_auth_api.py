import pytest
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from accounts.services import user_suspend
from companies.models import Company, Membership
from freelancers.models import FreelancerProfile
from tests.problems import assert_problem

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
PASSWORD_CHANGE = "/api/v1/auth/password/change/"
ME = "/api/v1/me/"

STRONG = "Kopi-Tubruk-2026"


def register(api, **overrides):
    body = {"email": "Dewi@Example.id", "password": STRONG, "full_name": "Dewi Lestari", "role": "freelancer"}
    body.update(overrides)
    return api.post(REGISTER, body, format="json")


def bearer(api, access):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api


@pytest.mark.django_db
def test_register_freelancer_creates_profile_and_returns_tokens_with_roles(api):
    response = register(api)

    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "dewi@example.id"
    assert body["user"]["roles"] == ["freelancer"]
    assert body["user"]["freelancer_profile"] is not None
    assert AccessToken(body["access"])["roles"] == ["freelancer"]
    assert FreelancerProfile.objects.filter(user__email="dewi@example.id").count() == 1


@pytest.mark.django_db
def test_register_company_creates_company_owned_by_user(api):
    response = register(api, role="company", company_name="PT Maju Bersama")

    assert response.status_code == 201
    body = response.json()
    assert body["user"]["roles"] == ["company"]
    assert body["user"]["companies"][0]["name"] == "PT Maju Bersama"
    assert body["user"]["companies"][0]["role"] == "owner"
    company = Company.objects.get(name="PT Maju Bersama")
    assert Membership.objects.get(company=company).user.email == "dewi@example.id"


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(api, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    register(api)

    assert User.objects.get().password.startswith("argon2$")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": None}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a" * 250 + "@x.id"}, "email"),
        ({"email": 12345}, "email"),
        ({"password": "short1"}, "password"),
        ({"password": "password123"}, "password"),
        ({"password": "12345678901"}, "password"),
        ({"password": "dewilestari"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": "x" * 151}, "full_name"),
        ({"full_name": ["Dewi"]}, "full_name"),
        ({"full_name": 42}, "full_name"),
        ({"role": "admin"}, "role"),
        ({"role": "superuser"}, "role"),
        ({"role": None}, "role"),
        ({"role": "company"}, "company_name"),
        ({"role": "company", "company_name": "x" * 201}, "company_name"),
        ({"company_name": "PT Salah Peran"}, "company_name"),
        ({"is_staff": True}, "is_staff"),
        ({"roles": ["admin"]}, "roles"),
    ],
)
def test_register_rejects_bad_input_and_stores_nothing(api, overrides, field):
    body = {"email": "dewi@example.id", "password": STRONG, "full_name": "Dewi Lestari", "role": "freelancer"}
    body.update(overrides)
    body = {key: value for key, value in body.items() if value is not None}

    response = api.post(REGISTER, body, format="json")

    problem = assert_problem(response, 400, "validation_error")
    assert field in problem["errors"]
    assert User.objects.count() == 0
    assert Company.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("payload", ["[]", "not json", '"a string"', "null", "{"])
def test_register_rejects_non_object_bodies(api, payload):
    response = api.post(REGISTER, payload, content_type="application/json")

    assert_problem(response, 400)
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_register_rejects_form_encoded_body(api):
    response = api.post(REGISTER, {"email": "dewi@example.id"}, format="multipart")

    assert_problem(response, 415)


@pytest.mark.django_db
def test_duplicate_email_in_another_case_is_refused(api):
    register(api)

    response = register(api, email="DEWI@EXAMPLE.ID", role="company", company_name="PT Lain")

    problem = assert_problem(response, 400, "email_taken")
    assert "email" in problem["errors"]
    assert User.objects.count() == 1
    assert Company.objects.count() == 0


@pytest.mark.django_db
def test_login_is_case_insensitive_and_returns_pair(api):
    register(api)

    response = api.post(TOKEN, {"email": "  DEWI@example.ID ", "password": STRONG}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [{"email": "dewi@example.id", "password": "wrong-password"}, {"email": "nobody@example.id", "password": STRONG}],
)
def test_login_with_bad_credentials_is_401(api, body):
    register(api)

    assert_problem(api.post(TOKEN, body, format="json"), 401, "invalid_credentials")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "dewi@example.id"},
        {"email": ["x"], "password": STRONG},
        {"email": "dewi@example.id", "password": STRONG, "extra": 1},
    ],
)
def test_login_with_malformed_body_is_400(api, body):
    assert_problem(api.post(TOKEN, body, format="json"), 400, "validation_error")


@pytest.mark.django_db
def test_refresh_rotates_and_the_old_refresh_token_is_refused(api):
    tokens = register(api).json()

    first = api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    replay = api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")

    assert first.status_code == 200
    assert first.json()["refresh"] != tokens["refresh"]
    assert_problem(replay, 401, "token_invalid")
    assert api.post(REFRESH, {"refresh": first.json()["refresh"]}, format="json").status_code == 200


@pytest.mark.django_db
def test_refresh_carries_roles_added_since_login(api):
    tokens = register(api).json()
    bearer(api, tokens["access"]).post("/api/v1/companies/", {"name": "PT Baru"}, format="json")

    refreshed = api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").json()

    assert AccessToken(refreshed["access"])["roles"] == ["freelancer", "company"]


@pytest.mark.django_db
@pytest.mark.parametrize("refresh", ["garbage", "a.b.c"])
def test_refresh_with_invalid_token(api, refresh):
    response = api.post(REFRESH, {"refresh": refresh}, format="json")

    assert_problem(response, 401, "token_invalid")


@pytest.mark.django_db
def test_refresh_with_a_blank_token_is_a_validation_error(api):
    response = api.post(REFRESH, {"refresh": ""}, format="json")

    assert_problem(response, 400, "validation_error", {"refresh": ["This field may not be blank."]})


@pytest.mark.django_db
def test_refresh_refuses_an_access_token(api):
    tokens = register(api).json()

    assert_problem(api.post(REFRESH, {"refresh": tokens["access"]}, format="json"), 401, "token_invalid")


@pytest.mark.django_db
def test_logout_blacklists_the_refresh_token(api):
    tokens = register(api).json()

    response = bearer(api, tokens["access"]).post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 204
    assert_problem(api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json"), 401)


@pytest.mark.django_db
def test_logout_requires_authentication(api):
    tokens = register(api).json()

    assert_problem(api.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json"), 401)


@pytest.mark.django_db
def test_cannot_log_out_someone_elses_token(api):
    victim = register(api).json()
    attacker = register(api, email="other@example.id").json()

    response = bearer(api, attacker["access"]).post(LOGOUT, {"refresh": victim["refresh"]}, format="json")

    assert_problem(response, 400, "token_not_yours")
    api.credentials()
    assert api.post(REFRESH, {"refresh": victim["refresh"]}, format="json").status_code == 200


@pytest.mark.django_db
def test_password_change_revokes_other_tokens_and_returns_new_pair(api):
    first_session = register(api).json()
    second_session = api.post(TOKEN, {"email": "dewi@example.id", "password": STRONG}, format="json").json()

    response = bearer(api, first_session["access"]).post(
        PASSWORD_CHANGE, {"old_password": STRONG, "new_password": "Nasi-Goreng-1945"}, format="json"
    )

    assert response.status_code == 200
    new = response.json()
    api.credentials()
    assert_problem(api.post(REFRESH, {"refresh": second_session["refresh"]}, format="json"), 401)
    assert_problem(api.post(REFRESH, {"refresh": first_session["refresh"]}, format="json"), 401)
    assert_problem(bearer(api, second_session["access"]).get(ME), 401, "token_revoked")
    assert bearer(api, new["access"]).get(ME).status_code == 200
    api.credentials()
    assert api.post(TOKEN, {"email": "dewi@example.id", "password": STRONG}, format="json").status_code == 401
    assert (
        api.post(TOKEN, {"email": "dewi@example.id", "password": "Nasi-Goreng-1945"}, format="json").status_code == 200
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"old_password": "wrong", "new_password": "Nasi-Goreng-1945"}, "old_password"),
        ({"old_password": STRONG, "new_password": "123"}, "new_password"),
        ({"old_password": STRONG}, "new_password"),
    ],
)
def test_password_change_rejects_bad_input(api, body, field):
    tokens = register(api).json()

    response = bearer(api, tokens["access"]).post(PASSWORD_CHANGE, body, format="json")

    assert field in assert_problem(response, 400)["errors"]
    assert User.objects.get().check_password(STRONG)


@pytest.mark.django_db
def test_suspended_user_cannot_log_in_refresh_or_use_old_tokens(api):
    tokens = register(api).json()
    user_suspend(user=User.objects.get(), reason="spam")

    assert_problem(
        api.post(TOKEN, {"email": "dewi@example.id", "password": STRONG}, format="json"), 403, "account_suspended"
    )
    assert_problem(api.post(REFRESH, {"refresh": tokens["refresh"]}, format="json"), 401)
    assert_problem(bearer(api, tokens["access"]).get(ME), 401)


@pytest.mark.django_db
def test_suspended_status_is_not_revealed_without_the_password(api):
    register(api)
    user_suspend(user=User.objects.get())

    assert_problem(
        api.post(TOKEN, {"email": "dewi@example.id", "password": "guess"}, format="json"), 401, "invalid_credentials"
    )


@pytest.mark.django_db
def test_me_shows_both_roles_for_a_user_with_both(api):
    tokens = register(api, role="company", company_name="PT Dua Peran").json()
    bearer(api, tokens["access"])
    api.post("/api/v1/me/freelancer-profile/", {"headline": "Penerjemah"}, format="json")

    body = api.get(ME).json()

    assert body["roles"] == ["freelancer", "company"]
    assert body["freelancer_profile"] is not None
    assert [company["name"] for company in body["companies"]] == ["PT Dua Peran"]


@pytest.mark.django_db
def test_me_patch_updates_name_and_phone_only(api):
    tokens = register(api).json()

    response = bearer(api, tokens["access"]).patch(
        ME, {"full_name": "Dewi L.", "phone": "+62 812-3456-7890"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["full_name"] == "Dewi L."
    assert response.json()["phone"] == "+62 812-3456-7890"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [{"email": "not-an-email"}, {"is_staff": True}, {"phone": "call me"}, {"full_name": ""}, {"email_verified": True}],
)
def test_me_patch_rejects_other_fields(api, body):
    tokens = register(api).json()

    assert_problem(bearer(api, tokens["access"]).patch(ME, body, format="json"), 400)
    user = User.objects.get()
    assert (user.email, user.is_staff, user.full_name) == ("dewi@example.id", False, "Dewi Lestari")


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["", "Bearer", "Bearer garbage", "Token abc", "Bearer a.b.c"])
def test_me_with_missing_or_bad_token_is_401(api, header):
    if header:
        api.credentials(HTTP_AUTHORIZATION=header)

    assert_problem(api.get(ME), 401)
