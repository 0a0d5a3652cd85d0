"""Run an SMS vendor simulator on its own for the demo:

    .venv/bin/python -m simulators.sms aliyun --port 9101 --receipts http://127.0.0.1:8000/api/sms/receipts/aliyun/<token>

and start Tuangou with the environment it prints. Each accepted message is printed, and a
"delivered" receipt is pushed to --receipts a second later."""

import argparse
import time

from . import AliyunSmsSimulator, TencentSmsSimulator
from .demo import ALIYUN_KEY, ALIYUN_TEMPLATES, NAMES, SIGN_NAME, TENCENT_KEY, TENCENT_SDK_APP_ID, TENCENT_TEMPLATES


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m simulators.sms")
    parser.add_argument("vendor", choices=["aliyun", "tencent"])
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--receipts", help="our receipt callback URL", default=None)
    args = parser.parse_args()
    if args.vendor == "aliyun":
        simulator = AliyunSmsSimulator(
            key_id=ALIYUN_KEY[0], key_secret=ALIYUN_KEY[1], templates=ALIYUN_TEMPLATES, sign_names=[SIGN_NAME]
        )
        ids, env = (
            ALIYUN_TEMPLATES,
            {"SMS_ALIYUN_ACCESS_KEY_ID": ALIYUN_KEY[0], "SMS_ALIYUN_ACCESS_KEY_SECRET": ALIYUN_KEY[1]},
        )
    else:
        simulator = TencentSmsSimulator(
            sdk_app_id=TENCENT_SDK_APP_ID,
            key_id=TENCENT_KEY[0],
            key_secret=TENCENT_KEY[1],
            templates=TENCENT_TEMPLATES,
            sign_names=[SIGN_NAME],
        )
        ids = TENCENT_TEMPLATES
        env = {
            "SMS_TENCENT_SECRET_ID": TENCENT_KEY[0],
            "SMS_TENCENT_SECRET_KEY": TENCENT_KEY[1],
            "SMS_TENCENT_SDK_APP_ID": TENCENT_SDK_APP_ID,
        }
    simulator.receipt_url, simulator.auto_receipt_seconds = args.receipts, 1.0
    simulator.start(args.port)
    vendor = args.vendor.upper()
    env |= {
        "SMS_BACKEND": args.vendor,
        "SMS_SIGN_NAME": SIGN_NAME,
        f"SMS_{vendor}_ENDPOINT": simulator.url,
        f"SMS_TEMPLATES_{vendor}": ",".join(f"{name}={code}" for name, code in zip(NAMES, ids)),
    }
    print("\n".join(f"{key}={value}" for key, value in env.items()), flush=True)
    seen = 0
    try:
        while True:
            time.sleep(0.5)
            for sms in simulator.inbox[seen:]:
                print(f"→ {sms.phone} {sms.text} ({sms.message_id})", flush=True)
            seen = len(simulator.inbox)
    except KeyboardInterrupt:
        simulator.stop()


if __name__ == "__main__":
    main()
