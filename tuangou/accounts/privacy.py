"""The privacy policy people agree to at login (PIPL): its current version, and where to read it.

Change PRIVACY_POLICY_VERSION whenever templates/accounts/privacy.html changes in substance:
everyone is asked to agree again at their next login."""

PRIVACY_POLICY_VERSION = "2026-11-30"
PRIVACY_POLICY_PATH = "/privacy/"
