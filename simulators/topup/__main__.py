"""`python -m simulators.topup [port]`: a top-up vendor for the demo; prints the TOPUP_* lines for .env.
Top-ups to 13800000000 fail (and are refunded)."""

import sys
import time

from . import TopUpSimulator


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9300
    sim = TopUpSimulator(finish_after=2.0).start(port)
    sim.fail_numbers.add("13800000000")
    print(f"TOPUP_GATEWAY={sim.gateway_url}")
    print(f"TOPUP_MERCHANT_ID={sim.merchant_id}")
    print(f"TOPUP_KEY={sim.key}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
