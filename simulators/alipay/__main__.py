"""`python -m simulators.alipay [port]`: an Alipay gateway for the demo; prints the app's keys."""

import json
import sys
import time

from . import AlipaySimulator


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8093
    sim = AlipaySimulator(auto_deliver=True, schedule_scale=0.01).start(port)
    app = sim.app_add("2021000000000001", seller_id="2088000000000001")
    print(
        json.dumps(
            {
                "ALIPAY_GATEWAY": sim.gateway_url,
                "ALIPAY_APP_ID": app.app_id,
                "ALIPAY_SELLER_ID": app.seller_id,
                "ALIPAY_APP_PRIVATE_KEY": app.private_key_pem,
                "ALIPAY_PUBLIC_KEY": sim.alipay_public_key_pem,
            },
            indent=2,
        ),
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
