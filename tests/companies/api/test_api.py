import uuid
from datetime import datetime

import pytest

from companies.models import Company, Membership
from tests.factories import CompanyFactory, MembershipFactory, UserFactory
from tests.problems import assert_problem

LIST_URL = "/api/v1/companies/"
ME_URL = "/api/v1/me/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
TITLES = {400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found", 409: "Conflict"}


def detail_url(company) -> str:
    return f"{LIST_URL}{company.pk}/"


def members_url(company) -> str:
    return f"{LIST_URL}{company.pk}/members/"


def member_url(company, membership) -> str:
    return f"{LIST_URL}{company.pk}/members/{membership.pk}/"


def membership_of(user) -> Membership:
    return Membership.objects.get(user=user)


def actor(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


@pytest.fixture
def directory(db):
    """Three companies that differ in every filterable attribute."""
    return [
        CompanyFactory(name="Kopi Nusantara", industry="F&B", city="Bandung", province="Jawa Barat", size="11-50",
                       verified=True, rating_avg="4.50"),
        CompanyFactory(name="Awan Digital", industry="Software", city="Jakarta Selatan", province="DKI Jakarta",
                       size="1-10", rating_avg="3.20"),
        CompanyFactory(name="Batik Solo Kreasi", industry="Fashion", city="Surakarta", province="Jawa Tengah",
                       size="51-200", rating_avg="4.90"),
    ]


# --- GET companies/ ------------------------------------------------------------------------------------------


def test_company_list_is_public(api, directory):
    response = api.get(LIST_URL)

    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert names(response) == ["Awan Digital", "Batik Solo Kreasi", "Kopi Nusantara"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "digital"}, ["Awan Digital"]),
        ({"q": "SOFTWARE"}, ["Awan Digital"]),
        ({"industry": "fashion"}, ["Batik Solo Kreasi"]),
        ({"city": "BANDUNG"}, ["Kopi Nusantara"]),
        ({"city": "jakarta selatan"}, ["Awan Digital"]),
        ({"province": "DKI Jakarta"}, ["Awan Digital"]),
        ({"size": "51-200"}, ["Batik Solo Kreasi"]),
        ({"verified": "true"}, ["Kopi Nusantara"]),
        ({"verified": "false"}, ["Awan Digital", "Batik Solo Kreasi"]),
        ({"province": "Jawa Barat", "size": "1-10"}, []),
    ],
)
def test_company_list_filters(api, directory, params, expected):
    response = api.get(LIST_URL, params)

    assert response.status_code == 200
    assert names(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"province": "Atlantis"},
         {"province": ["Select a valid choice. Atlantis is not one of the available choices."]}),
        ({"size": "huge"}, {"size": ["Select a valid choice. huge is not one of the available choices."]}),
        ({"ordering": "website"},
         {"ordering": ["Select a valid choice. website is not one of the available choices."]}),
    ],
)
def test_company_list_rejects_invalid_filters(api, directory, params, errors):
    response = api.get(LIST_URL, params)

    assert_problem(response, 400, "validation_error", errors)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name", ["Awan Digital", "Batik Solo Kreasi", "Kopi Nusantara"]),
        ("-name", ["Kopi Nusantara", "Batik Solo Kreasi", "Awan Digital"]),
        ("-rating", ["Batik Solo Kreasi", "Kopi Nusantara", "Awan Digital"]),
        ("rating", ["Awan Digital", "Kopi Nusantara", "Batik Solo Kreasi"]),
    ],
)
def test_company_list_ordering(api, directory, ordering, expected):
    response = api.get(LIST_URL, {"ordering": ordering})

    assert response.status_code == 200
    assert names(response) == expected


def test_company_list_pagination_shape(api, directory):
    first = api.get(LIST_URL, {"page_size": 2})
    second = api.get(LIST_URL, {"page_size": 2, "page": 2})

    assert first.status_code == 200
    assert set(first.json()) == {"count", "next", "previous", "results"}
    assert first.json()["count"] == 3
    assert first.json()["next"] == "http://testserver/api/v1/companies/?page=2&page_size=2"
    assert first.json()["previous"] is None
    assert names(first) == ["Awan Digital", "Batik Solo Kreasi"]
    assert second.json()["next"] is None
    assert second.json()["previous"] == "http://testserver/api/v1/companies/?page_size=2"
    assert names(second) == ["Kopi Nusantara"]


def test_company_list_page_size_is_capped_at_100(api, db):
    CompanyFactory.create_batch(101)

    response = api.get(LIST_URL, {"page_size": 1000})

    assert response.status_code == 200
    assert response.json()["count"] == 101
    assert len(response.json()["results"]) == 100
    assert response.json()["next"] == "http://testserver/api/v1/companies/?page=2&page_size=1000"


def test_company_list_default_page_size_is_20(api, db):
    CompanyFactory.create_batch(21)

    response = api.get(LIST_URL)

    assert len(response.json()["results"]) == 20


@pytest.mark.parametrize("rows", [3, 30])
def test_company_list_query_count_is_constant(api, db, django_assert_num_queries, rows):
    CompanyFactory.create_batch(rows)

    with django_assert_num_queries(2):
        response = api.get(LIST_URL, {"page_size": 30})

    assert len(response.json()["results"]) == rows


# --- POST companies/ -----------------------------------------------------------------------------------------


def test_create_company_requires_authentication(api, db):
    response = api.post(LIST_URL, {"name": "Kopi Nusantara"}, format="json")

    assert_problem(response, 401, "not_authenticated")
    assert Company.objects.count() == 0


@pytest.mark.parametrize("creator", ["user", "freelancer", "other_company_owner"])
def test_any_signed_in_user_creates_a_company_and_becomes_its_owner(request, as_user, creator):
    someone = request.getfixturevalue(creator)
    payload = {"name": "Kopi Nusantara", "description": "Kopi dari petani lokal.", "website": "https://kopi.id",
               "industry": "F&B", "size": "11-50", "city": "Bandung", "province": "Jawa Barat"}

    response = as_user(someone).post(LIST_URL, payload, format="json")

    assert response.status_code == 201
    body = response.json()
    company = Company.objects.get(pk=body["id"])
    assert body == {"id": str(company.pk), "slug": "kopi-nusantara", "verified": False, "rating_average": "0.00",
                    "rating_count": 0, "created_at": body["created_at"], **payload}
    assert datetime.fromisoformat(body["created_at"]) == company.created_at
    assert Membership.objects.get(company=company).user == someone
    assert Membership.objects.get(company=company).role == "owner"


def test_company_creator_sees_the_company_role_and_membership_in_me(as_user, freelancer):
    client = as_user(freelancer)
    company_id = client.post(LIST_URL, {"name": "Kopi Nusantara"}, format="json").json()["id"]

    me = client.get(ME_URL).json()

    assert sorted(me["roles"]) == ["company", "freelancer"]
    assert me["companies"] == [{"id": company_id, "name": "Kopi Nusantara", "slug": "kopi-nusantara",
                                "role": "owner"}]


def test_create_company_trims_the_name(as_user, user):
    response = as_user(user).post(LIST_URL, {"name": "  Kopi Nusantara  "}, format="json")

    assert response.status_code == 201
    assert response.json()["name"] == "Kopi Nusantara"
    assert Company.objects.get().name == "Kopi Nusantara"


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"name": ["This field is required."]}),
        ({"name": "K"}, {"name": ["Ensure this field has at least 2 characters."]}),
        ({"name": "K" * 201}, {"name": ["Ensure this field has no more than 200 characters."]}),
        ({"name": "   "}, {"name": ["This field may not be blank."]}),
        ({"name": None}, {"name": ["This field may not be null."]}),
        ({"name": 12345}, {"name": ["Must be a string."]}),
        ({"name": "Kopi", "founded": 1999}, {"founded": ["Unknown field."]}),
        ({"name": "Kopi", "verified": True}, {"verified": ["Unknown field."]}),
        ({"name": "Kopi", "website": "not a url"}, {"website": ["Enter a valid URL."]}),
        ({"name": "Kopi", "size": "huge"}, {"size": ['"huge" is not a valid choice.']}),
        ({"name": "Kopi", "province": "Atlantis"}, {"province": ['"Atlantis" is not a valid choice.']}),
        (["Kopi"], {"non_field_errors": ["Expected a JSON object."]}),
    ],
)
def test_create_company_rejects_bad_input(as_user, user, payload, errors):
    response = as_user(user).post(LIST_URL, payload, format="json")

    assert_problem(response, 400, "validation_error", errors)
    assert Company.objects.count() == 0
    assert Membership.objects.count() == 0


def test_create_company_accepts_a_name_of_200_characters(as_user, user):
    response = as_user(user).post(LIST_URL, {"name": "K" * 200}, format="json")

    assert response.status_code == 201
    assert Company.objects.get().name == "K" * 200


# --- GET companies/{id}/ -------------------------------------------------------------------------------------


def test_company_detail_is_public(api, directory):
    company = directory[0]

    response = api.get(detail_url(company))

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": str(company.pk), "name": "Kopi Nusantara", "slug": company.slug, "description": "", "website": "",
        "industry": "F&B", "size": "11-50", "city": "Bandung", "province": "Jawa Barat", "verified": True,
        "rating_average": "4.50", "rating_count": 0, "created_at": body["created_at"],
    }
    assert datetime.fromisoformat(body["created_at"]) == company.created_at


def test_company_detail_of_an_unknown_id_is_404(api, db):
    response = api.get(f"{LIST_URL}{uuid.uuid4()}/")

    assert_problem(response, 404, "not_found")


def test_company_detail_with_a_non_uuid_id_is_404(api, db):
    response = api.get(f"{LIST_URL}123/")

    assert_problem(response, 404, "not_found")


# --- PATCH companies/{id}/ -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("freelancer", 403, "permission_denied"),
        ("other_company_owner", 403, "permission_denied"),
        ("recruiter", 403, "permission_denied"),
        ("operator", 403, "permission_denied"),
    ],
)
def test_update_company_is_refused_to_non_managers(request, as_user, company, role, status, code):
    response = as_user(actor(request, role)).patch(detail_url(company), {"description": "Diretas"}, format="json")

    assert_problem(response, status, code)
    company.refresh_from_db()
    assert company.description == ""


@pytest.mark.parametrize("role", ["company_admin", "owner"])
def test_company_managers_update_the_company(request, as_user, company, role):
    client = as_user(request.getfixturevalue(role))

    response = client.patch(detail_url(company), {"description": "Kopi terbaik.", "city": "Bogor"}, format="json")

    assert response.status_code == 200
    assert response.json()["description"] == "Kopi terbaik."
    assert response.json()["city"] == "Bogor"
    company.refresh_from_db()
    assert (company.description, company.city, company.name) == ("Kopi terbaik.", "Bogor", company.name)


def test_update_company_rejects_bad_input_and_stores_nothing(as_user, owner, company):
    response = as_user(owner).patch(detail_url(company), {"city": "Bogor", "size": "huge"}, format="json")

    assert_problem(response, 400, "validation_error", {"size": ['"huge" is not a valid choice.']})
    company.refresh_from_db()
    assert company.city == "Jakarta Selatan"


def test_update_company_cannot_set_verified(as_user, owner, company):
    response = as_user(owner).patch(detail_url(company), {"verified": True}, format="json")

    assert_problem(response, 400, "validation_error", {"verified": ["Unknown field."]})
    company.refresh_from_db()
    assert company.verified is False


def test_update_unknown_company_is_404(as_user, owner):
    response = as_user(owner).patch(f"{LIST_URL}{uuid.uuid4()}/", {"city": "Bogor"}, format="json")

    assert_problem(response, 404, "not_found")


# --- companies/{id}/members/ ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("freelancer", 403, "permission_denied"),
        ("other_company_owner", 403, "permission_denied"),
        ("operator", 403, "permission_denied"),
    ],
)
def test_member_list_is_refused_to_outsiders(request, as_user, company, owner, role, status, code):
    response = as_user(actor(request, role)).get(members_url(company))

    assert_problem(response, status, code)


@pytest.mark.parametrize("role", ["recruiter", "company_admin", "owner"])
def test_members_see_the_member_list(request, as_user, company, owner, company_admin, recruiter, role):
    response = as_user(request.getfixturevalue(role)).get(members_url(company))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    rows = sorted(((row["user"]["email"], row["role"]) for row in body["results"]), key=lambda row: row[1])
    assert rows == [(company_admin.email, "admin"), (owner.email, "owner"), (recruiter.email, "recruiter")]
    first = next(row for row in body["results"] if row["role"] == "owner")
    assert first["id"] == str(membership_of(owner).pk)
    assert first["user"] == {"id": str(owner.pk), "full_name": owner.full_name, "email": owner.email}
    assert set(first) == {"id", "user", "role", "created_at"}


def test_owner_adds_an_admin(as_user, company, owner):
    newcomer = UserFactory()

    response = as_user(owner).post(members_url(company), {"email": newcomer.email, "role": "admin"}, format="json")

    assert response.status_code == 201
    membership = Membership.objects.get(company=company, user=newcomer)
    assert membership.role == "admin"
    body = response.json()
    assert body == {"id": str(membership.pk), "role": "admin", "created_at": body["created_at"],
                    "user": {"id": str(newcomer.pk), "full_name": newcomer.full_name, "email": newcomer.email}}


def test_admin_adds_a_recruiter(as_user, company, company_admin):
    newcomer = UserFactory()

    response = as_user(company_admin).post(members_url(company), {"email": newcomer.email, "role": "recruiter"},
                                           format="json")

    assert response.status_code == 201
    assert Membership.objects.get(company=company, user=newcomer).role == "recruiter"


@pytest.mark.parametrize("role", ["admin", "owner"])
def test_admin_cannot_grant_manager_roles(as_user, company, company_admin, role):
    newcomer = UserFactory()

    response = as_user(company_admin).post(members_url(company), {"email": newcomer.email, "role": role},
                                           format="json")

    assert_problem(response, 403, "owner_required")
    assert not Membership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize(("role", "code"), [("recruiter", "permission_denied"),
                                            ("other_company_owner", "permission_denied"),
                                            ("freelancer", "permission_denied")])
def test_non_managers_cannot_add_members(request, as_user, company, role, code):
    newcomer = UserFactory()

    response = as_user(request.getfixturevalue(role)).post(
        members_url(company), {"email": newcomer.email, "role": "recruiter"}, format="json"
    )

    assert_problem(response, 403, code)
    assert not Membership.objects.filter(user=newcomer).exists()


def test_adding_an_existing_member_is_a_conflict(as_user, company, owner, recruiter):
    response = as_user(owner).post(members_url(company), {"email": recruiter.email, "role": "admin"}, format="json")

    assert_problem(response, 409, "already_member")
    assert membership_of(recruiter).role == "recruiter"
    assert Membership.objects.filter(company=company).count() == 2


def test_adding_an_unknown_email_is_404(as_user, company, owner):
    response = as_user(owner).post(members_url(company), {"email": "nobody@example.id", "role": "recruiter"},
                                   format="json")

    assert_problem(response, 404, "user_not_found")
    assert Membership.objects.filter(company=company).count() == 1


def test_adding_a_suspended_user_is_404(as_user, company, owner):
    suspended = UserFactory(is_active=False)

    response = as_user(owner).post(members_url(company), {"email": suspended.email, "role": "recruiter"},
                                   format="json")

    assert_problem(response, 404, "user_not_found")
    assert not Membership.objects.filter(user=suspended).exists()


def test_adding_a_member_matches_the_email_in_any_letter_case(as_user, company, owner):
    newcomer = UserFactory(email="dewi.lestari@example.id")

    response = as_user(owner).post(members_url(company), {"email": "  Dewi.LESTARI@Example.ID ", "role": "recruiter"},
                                   format="json")

    assert response.status_code == 201
    assert response.json()["user"]["email"] == "dewi.lestari@example.id"
    assert Membership.objects.get(company=company, user=newcomer).role == "recruiter"


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"email": "not-an-email", "role": "recruiter"}, {"email": ["Enter a valid email address."]}),
        ({"email": "a@example.id", "role": "boss"}, {"role": ['"boss" is not a valid choice.']}),
        ({"email": "a@example.id"}, {"role": ["This field is required."]}),
        ({"email": "a@example.id", "role": "recruiter", "note": "x"}, {"note": ["Unknown field."]}),
    ],
)
def test_add_member_rejects_bad_input(as_user, company, owner, payload, errors):
    UserFactory(email="a@example.id")

    response = as_user(owner).post(members_url(company), payload, format="json")

    assert_problem(response, 400, "validation_error", errors)
    assert Membership.objects.filter(company=company).count() == 1


# --- companies/{id}/members/{membership_id}/ -----------------------------------------------------------------


def test_the_last_owner_cannot_be_demoted(as_user, company, owner):
    membership = membership_of(owner)

    response = as_user(owner).patch(member_url(company, membership), {"role": "admin"}, format="json")

    assert_problem(response, 409, "last_owner")
    membership.refresh_from_db()
    assert membership.role == "owner"


def test_an_owner_can_be_demoted_while_another_owner_remains(as_user, company, owner):
    second_owner = MembershipFactory(company=company, role="owner").user
    membership = membership_of(second_owner)

    response = as_user(owner).patch(member_url(company, membership), {"role": "admin"}, format="json")

    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_an_owner_can_demote_themselves_while_another_owner_remains(as_user, company, owner):
    MembershipFactory(company=company, role="owner")
    membership = membership_of(owner)

    response = as_user(owner).patch(member_url(company, membership), {"role": "recruiter"}, format="json")

    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == "recruiter"


def test_owner_promotes_a_recruiter_to_admin(as_user, company, owner, recruiter):
    membership = membership_of(recruiter)

    response = as_user(owner).patch(member_url(company, membership), {"role": "admin"}, format="json")

    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == "admin"


@pytest.mark.parametrize(("target", "role"), [("owner", "recruiter"), ("recruiter", "admin")])
def test_admin_cannot_change_or_grant_manager_roles(as_user, company, company_admin, owner, recruiter, target,
                                                     role):
    membership = membership_of(owner if target == "owner" else recruiter)
    before = membership.role

    response = as_user(company_admin).patch(member_url(company, membership), {"role": role}, format="json")

    assert_problem(response, 403, "owner_required")
    membership.refresh_from_db()
    assert membership.role == before


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("freelancer", 403, "permission_denied"),
        ("other_company_owner", 403, "permission_denied"),
        ("recruiter", 403, "permission_denied"),
        ("operator", 403, "permission_denied"),
    ],
)
def test_change_role_is_refused_to_non_managers(request, as_user, company, company_admin, role, status, code):
    membership = membership_of(company_admin)

    response = as_user(actor(request, role)).patch(member_url(company, membership), {"role": "recruiter"},
                                                   format="json")

    assert_problem(response, status, code)
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_a_recruiter_can_leave_the_company(as_user, company, owner, recruiter):
    response = as_user(recruiter).delete(member_url(company, membership_of(recruiter)))

    assert response.status_code == 204
    assert response.content == b""
    assert not Membership.objects.filter(company=company, user=recruiter).exists()


def test_the_last_owner_cannot_leave(as_user, company, owner):
    membership = membership_of(owner)

    response = as_user(owner).delete(member_url(company, membership))

    assert_problem(response, 409, "last_owner")
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_owner_removes_an_admin(as_user, company, owner, company_admin):
    response = as_user(owner).delete(member_url(company, membership_of(company_admin)))

    assert response.status_code == 204
    assert not Membership.objects.filter(user=company_admin).exists()


def test_admin_removes_a_recruiter(as_user, company, company_admin, recruiter):
    response = as_user(company_admin).delete(member_url(company, membership_of(recruiter)))

    assert response.status_code == 204
    assert not Membership.objects.filter(user=recruiter).exists()


def test_admin_cannot_remove_an_owner(as_user, company, company_admin, owner):
    response = as_user(company_admin).delete(member_url(company, membership_of(owner)))

    assert_problem(response, 403, "owner_required")
    assert Membership.objects.filter(user=owner).exists()


def test_a_recruiter_cannot_remove_another_member(as_user, company, company_admin, recruiter):
    other_recruiter = MembershipFactory(company=company, role="recruiter").user

    response = as_user(recruiter).delete(member_url(company, membership_of(other_recruiter)))

    assert_problem(response, 403, "not_a_company_manager")
    assert Membership.objects.filter(user=other_recruiter).exists()


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("freelancer", 403, "permission_denied"),
        ("other_company_owner", 403, "permission_denied"),
        ("operator", 403, "permission_denied"),
    ],
)
def test_outsiders_cannot_remove_members(request, as_user, company, recruiter, role, status, code):
    response = as_user(actor(request, role)).delete(member_url(company, membership_of(recruiter)))

    assert_problem(response, status, code)
    assert Membership.objects.filter(user=recruiter).exists()


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_membership_of_another_company_in_the_url_is_404(as_user, company, owner, other_company_owner, method):
    foreign = membership_of(other_company_owner)

    response = getattr(as_user(owner), method)(member_url(company, foreign), {"role": "recruiter"}, format="json")

    assert_problem(response, 404, "not_found")
    foreign.refresh_from_db()
    assert foreign.role == "owner"


def test_unknown_membership_is_404(as_user, company, owner):
    response = as_user(owner).delete(f"{members_url(company)}{uuid.uuid4()}/")

    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("rows", [3, 30])
def test_member_list_query_count_is_constant(as_user, company, owner, django_assert_num_queries, rows):
    MembershipFactory.create_batch(rows - 1, company=company, role="recruiter")
    client = as_user(owner)

    with django_assert_num_queries(5):
        response = client.get(members_url(company), {"page_size": 30})

    assert len(response.json()["results"]) == rows
