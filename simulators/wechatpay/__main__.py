"""Run the WeChat Pay simulator for the demo: `python -m simulators.wechatpay [--port 8801] [--env .wechatpay.env]`.

It registers one merchant — a direct merchant, or with `--sub-mchid` (repeatable) a service
provider (服务商) with those sub-merchants bound to it — writes what a real merchant would download
(API key, serial, APIv3 key, the platform's certificate) as environment lines for Tuangou
(PAYMENT_PROVIDER=wechatpay, WECHATPAY_*; WECHATPAY_MODE=partner with sub-merchants), delivers
notifies itself (auto_deliver) and serves the H5 pay page at /pay/h5.
"""

import argparse
import json
import time
from pathlib import Path

from . import WechatPaySimulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument("--env", default=".wechatpay.env", help="where to write the merchant's configuration")
    parser.add_argument("--mchid", default="1900000109")
    parser.add_argument("--appid", default="wx8888888888888888")
    parser.add_argument(
        "--sub-mchid", action="append", default=[], help="a sub-merchant bound to the merchant (partner mode)"
    )
    parser.add_argument("--refund-after", type=float, default=2.0, help="seconds until a refund succeeds")
    args = parser.parse_args()

    sim = WechatPaySimulator(auto_deliver=True, schedule_scale=0.01).start(args.port)
    merchant = sim.merchant_add(args.mchid, appids={args.appid}, sub_mchids=args.sub_mchid)
    folder = Path(args.env).resolve().parent
    key_path = folder / ".wechatpay-apiclient_key.pem"
    key_path.write_text(merchant.private_key_pem)
    key_path.chmod(0o600)
    lines = {
        "PAYMENT_PROVIDER": "wechatpay",
        "WECHATPAY_API_BASE": sim.base_url,
        "WECHATPAY_MODE": "partner" if args.sub_mchid else "direct",
        "WECHATPAY_MCHID": merchant.mchid,
        "WECHATPAY_APPID": args.appid,
        "WECHATPAY_MERCHANT_SERIAL": merchant.serial,
        "WECHATPAY_MERCHANT_PRIVATE_KEY": str(key_path),
        "WECHATPAY_APIV3_KEY": merchant.apiv3_key,
        "WECHATPAY_PLATFORM_KEYS": json.dumps(sim.platform_keys()),
    }
    Path(args.env).write_text("".join(f"{name}='{value}'\n" for name, value in lines.items()))
    print(f"WeChat Pay simulator on {sim.base_url}; merchant configuration in {args.env}", flush=True)
    try:
        while True:
            time.sleep(args.refund_after)
            sim.refunds_settle()
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
