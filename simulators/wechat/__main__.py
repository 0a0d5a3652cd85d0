"""Run the WeChat platform simulator for the demo:

    python -m simulators.wechat --port 9100 --app wxdemo0000000001:demo-secret --user 演示用户

then start Tuangou with WECHAT_APP_ID/WECHAT_APP_SECRET of that app and WECHAT_API_BASE =
WECHAT_OPEN_BASE = http://127.0.0.1:9100, and open the H5 with a WeChat user agent (DevTools →
device toolbar → a user agent containing MicroMessenger)."""

import argparse
import time

from .server import WechatSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description="Local WeChat platform simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--app", action="append", default=[], help="appid:secret (repeatable)")
    parser.add_argument("--user", default="演示用户", help="nickname of the WeChat user who is 'logged in'")
    args = parser.parse_args()
    apps = dict(entry.split(":", 1) for entry in args.app) or {"wxdemo0000000001": "demo-secret"}
    simulator = WechatSimulator(apps=apps, host=args.host, port=args.port).start()
    simulator.login_as("demo", nickname=args.user)
    print(f"WeChat simulator at {simulator.base_url} for {', '.join(apps)}; user {args.user}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        simulator.stop()


if __name__ == "__main__":
    main()
