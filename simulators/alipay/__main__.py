"""`python -m simulators.alipay [port] [keys_dir]`: an Alipay gateway for the demo. Writes the app's
private key and Alipay's public key into keys_dir (default .alipay-sim/) and prints the ALIPAY_*
lines for .env (the keys are file paths). Notifies are delivered on Alipay's schedule, scaled down."""

import sys
import time
from pathlib import Path

from . import AlipaySimulator


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9200
    keys_dir = Path(sys.argv[2] if len(sys.argv) > 2 else ".alipay-sim")
    sim = AlipaySimulator(auto_deliver=True, schedule_scale=0.01).start(port)
    app = sim.app_add("2021000000000001", seller_id="2088000000000001")
    keys_dir.mkdir(parents=True, exist_ok=True)
    (keys_dir / "app_private_key.pem").write_text(app.private_key_pem)
    (keys_dir / "alipay_public_key.pem").write_text(sim.alipay_public_key_pem)
    print("PAYMENT_PROVIDER=alipay")
    print(f"ALIPAY_GATEWAY={sim.gateway_url}")
    print(f"ALIPAY_APP_ID={app.app_id}")
    print(f"ALIPAY_SELLER_ID={app.seller_id}")
    print(f"ALIPAY_APP_PRIVATE_KEY={(keys_dir / 'app_private_key.pem').resolve()}")
    print(f"ALIPAY_PUBLIC_KEY={(keys_dir / 'alipay_public_key.pem').resolve()}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
