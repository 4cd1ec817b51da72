"""The one check of a new password, for every service that sets one (change, reset)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError

from bantu.core.exceptions import ApplicationError

from .. import errors
from ..models import User


def new_password_check(*, user: User, new_password: str) -> None:
    """Run Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) on `new_password` for `user`.

    Raises ApplicationError (400) weak_password with the validators' messages under `new_password`."""
    try:
        password_validation.validate_password(new_password, user=user)
    except DjangoValidationError as exc:
        raise ApplicationError(
            "The new password is too weak.", code=errors.WEAK_PASSWORD, errors={"new_password": exc.messages}
        ) from None
