"""Re-encrypt shops' payment secrets under the first PAYMENT_SECRETS_KEY (key rotation)."""

from django.core.management.base import BaseCommand

from tuangou.payments.gateway_settings import payment_secrets_rotate


class Command(BaseCommand):
    help = (
        "After putting a new key first in PAYMENT_SECRETS_KEY (new,old): re-encrypt every shop's payment "
        "secrets under it; then the old key can be dropped."
    )

    def handle(self, **options):
        self.stdout.write(f"Re-encrypted the payment secrets of {payment_secrets_rotate()} shop(s).")
