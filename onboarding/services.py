"""Writes that create a user together with their first role."""

from django.db import IntegrityError, transaction

from accounts import emails, errors, roles
from accounts.models import User
from accounts.services import google_account_find, google_id_token_verify, google_identity_link, user_create
from bantu.core.exceptions import ApplicationError
from companies.services import company_create
from freelancers.services import freelancer_profile_create


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str | None,
    full_name: str,
    role: str,
    company_name: str = "",
    email_verified: bool = False,
    language: str = emails.DEFAULT_LANGUAGE,
) -> User:
    """Create a user with their first role: a freelancer profile, or a company they own (named `company_name`).

    `password` None makes an account without a usable password (Sign in with Google). Unless `email_verified`
    (the email was proven another way), a verification mail in `language` is sent once the transaction commits.
    Raises ApplicationError(email_taken) when the email exists in any letter case (also under a race, via the
    case-insensitive unique constraint), ApplicationError(unknown_role) for a role outside
    `roles.REGISTRATION_ROLES`, and what `company_create` raises for the company; nothing is created then.
    """
    user = user_create(email=email, password=password, full_name=full_name, email_verified=email_verified,
                       language=language)
    if role == roles.FREELANCER:
        freelancer_profile_create(user=user)
    elif role == roles.COMPANY:
        company_create(owner=user, name=company_name)
    else:  # the API validates choices; this guards the other callers
        raise _unknown_role(role)
    return user


def _unknown_role(role: str) -> ApplicationError:
    return ApplicationError(f"Unknown role {role!r}.", code="unknown_role", errors={"role": ["Unknown role."]})


def _sign_in(claims: dict, *, role: str | None, company_name: str, language: str) -> tuple[User, bool]:
    user = google_account_find(claims=claims)
    if user is not None:
        return user, False
    if role is None:
        raise ApplicationError(
            "No account has this email yet: say which role to create it with.",
            code=errors.ROLE_REQUIRED,
            errors={"role": ["Required to create an account."]},
        )
    email = User.objects.normalize_email(claims["email"])
    name = claims.get("name") if isinstance(claims.get("name"), str) and claims["name"].strip() else email
    user = user_register(
        email=email,
        password=None,
        full_name=name[:150],
        role=role,
        company_name=company_name,
        email_verified=True,
        language=language,
    )
    google_identity_link(user=user, claims=claims)
    return user, True


def google_sign_in(
    *, id_token: str, role: str | None = None, company_name: str = "", language: str = emails.DEFAULT_LANGUAGE
) -> tuple[User, bool]:
    """Sign in with a Google ID token: the user linked to its Google account; else the user with its email,
    linked now if their email is verified; else a new user with `role` (`freelancer`, or `company` with
    `company_name`), email verified, without a usable password. Returns (user, created).

    Raises what `google_id_token_verify` raises; Conflict (409) account_email_unverified for an existing
    account whose email is not verified (linking it would hand it to whoever signs in with Google, and leave a
    password set by somebody else working); ApplicationError (400) role_required, email_taken;
    Forbidden (403) account_suspended. Two concurrent first sign-ins of one Google account: the loser of the
    unique constraint retries and finds the winner's user."""
    claims = google_id_token_verify(token=id_token)
    if role is not None and role not in roles.REGISTRATION_ROLES:
        raise _unknown_role(role)
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _sign_in(claims, role=role, company_name=company_name, language=language)
        except IntegrityError:
            if attempt:
                raise
        except ApplicationError as error:
            if error.code != errors.EMAIL_TAKEN or attempt:
                raise
    raise AssertionError("unreachable")
