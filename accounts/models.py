import unicodedata

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from bantu.core.models import uuid7


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        """The one canonical form of an email, for storing and for every comparison (registration, login,
        uniqueness, invitations): Unicode NFKC (what Django's model validation applies to the username field, so
        a decomposed "mu\u0308nchen" and a composed "münchen" are one address), stripped, lower-cased."""
        return unicodedata.normalize("NFKC", email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=self.normalize_email(username))

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("Users must have an email address.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Roles are derived: freelancer (has a profile), company (has a membership),
    admin (`is_staff`)."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=150)
    phone = models.CharField(max_length=20, blank=True)
    is_active = models.BooleanField(default=True, help_text="Off while the user is suspended.")
    is_staff = models.BooleanField(default=False, help_text="Platform operator: may use the admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=500, blank=True)
    # Every token carries the version it was issued under; bumping it revokes all of them at once
    # (password change, suspension).
    auth_version = models.PositiveIntegerField(default=0, editable=False)
    # When the user proved the address in `email` is theirs (a mailed link, or Google saying so); None until then.
    email_verified_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["-date_joined"]
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class AuthSession(models.Model):
    """One signed-in client: the chain of refresh tokens that rotating one sign-in produces. Every token of the
    chain (and its access tokens) carries the session id in the `sid` claim; revoking the session refuses them all.
    A session is live while it is not revoked and its latest refresh token has not expired."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_sessions")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now, help_text="Sign-in, or the latest refresh.")
    user_agent = models.CharField(max_length=300, blank=True)
    refresh_jti = models.CharField(max_length=255, help_text="The jti of the latest refresh token of the chain.")
    expires_at = models.DateTimeField(help_text="When the latest refresh token expires.")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_used_at"]
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"], name="accounts_session_live_idx")]

    def __str__(self):
        return f"session {self.pk} of {self.user_id}"


class ExternalIdentity(models.Model):
    """An account at an OpenID Connect provider (Google) linked to a user: the provider's stable subject id, so
    that a later change of the email at the provider still signs in the same user."""

    class Provider(models.TextChoices):
        GOOGLE = "google", "Google"

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    subject = models.CharField(max_length=255, help_text="The provider's `sub` claim.")
    email = models.EmailField(max_length=254, help_text="The email the provider vouched for when linked.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="accounts_identity_unique")]

    def __str__(self):
        return f"{self.provider}:{self.subject}"
