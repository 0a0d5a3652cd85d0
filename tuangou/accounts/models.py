import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person. Staff log in with username + password; leaders and members with phone + SMS code.
    One person may be staff of one shop, a leader in another and a member of many."""

    phone = models.CharField(max_length=20, unique=True, null=True, blank=True)
    display_name = models.CharField(max_length=50, blank=True)

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for API clients (the future mini-program). Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "tg_" + secrets.token_urlsafe(32)


class SmsCode(models.Model):
    """One verification code sent to a phone: expires, single use, a few wrong tries allowed."""

    phone = models.CharField(max_length=20, db_index=True)
    purpose = models.CharField(max_length=20, default="login")
    code_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["ip", "created_at"])]


class LoginAttempt(models.Model):
    """A code check, kept to rate-limit verification per IP."""

    phone = models.CharField(max_length=20)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "created_at"]), models.Index(fields=["phone", "created_at"])]


class AttemptCounter(models.Model):
    """How many tries of one kind a key (a phone, an IP, a shop's verifier) has had in the current
    window: SMS code checks per phone per day, per IP per hour, pickup-code misses.

    Kept in the database, not a per-process cache, so every web worker counts against the same
    row, and taken with one conditional UPDATE (count < limit) before the guess is checked, so
    concurrent guesses cannot overshoot the limit (tuangou.accounts.limits)."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)


class ConsentRecord(models.Model):
    """A person agreed to a version of a policy (PIPL): the privacy policy at SMS login. One row
    per person and version, with the time of the first agreement; a new version asks again."""

    class Document(models.TextChoices):
        PRIVACY = "privacy", "隐私政策"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    document = models.CharField(max_length=20, choices=Document.choices, default=Document.PRIVACY)
    version = models.CharField(max_length=20)
    agreed_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "document", "version"], name="one_consent_per_version")]
