#!/usr/bin/env python
"""`make deploy-drill`: docs/deploy.md done for real on this machine, then checked through nginx.

What it does, as the doc says (given nginx is installed: `apt-get install nginx`; it installs nothing):
  * a settings file like /etc/tuangou/tuangou.env (TUANGOU_ENV=production, SECRET_KEY_FILE naming a
    freshly generated secret), a var folder in place of /var/lib/tuangou, a self-signed certificate in
    place of certbot's;
  * migrate, collectstatic, check --deploy, createsuperuser (the operator) — step 5;
  * the ExecStart commands of deploy/systemd/tuangou-{web,feed,worker,scheduler}.service with the
    Environment= their units add — step 7;
  * nginx with deploy/nginx/tuangou.conf changed only as step 8 says (server name, certificate paths,
    /var/lib/tuangou), in a main nginx.conf of its own (its own pid and logs) — step 8;
then checks over HTTPS through nginx and prints one line per check. Everything it started is stopped.

    .venv/bin/python bench/deploy_drill.py [--database-url postgres://postgres@127.0.0.1:5432/tuangou_drill]
        [--redis-url redis://127.0.0.1:6379/10] [--server-name shop.example.com] [--keep]

The database is dropped and made again (a fresh machine). Ports: 80, 443, 8001 and 8002 must be free.
Exit status 0 when every check passed, 1 otherwise; 0 with a message when nginx is not installed.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from cryptography.fernet import Fernet
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
PORTS = (80, 443, 8001, 8002)
# What check --deploy may say here: a drill has no SMS vendor's or payment merchant's keys.
NO_KEYS = {"tuangou.W002", "tuangou.W003"}
WARNING = re.compile(r"\((tuangou\.W\d+|security\.W\d+)\)")
STAFF_USER, STAFF_PASSWORD = "operator", secrets.token_urlsafe(16)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/tuangou_drill")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--server-name", default="shop.example.com")
    parser.add_argument("--heartbeat-wait", type=float, default=150.0, help="seconds to wait for the worker")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs) at the end")
    return parser.parse_args()


# --- the machine -----------------------------------------------------------------------------------


def unit_command(unit: str) -> tuple[list[str], dict]:
    """ExecStart and Environment= of a systemd unit, with /opt/tuangou read as this checkout."""
    command, env = None, {}
    for line in (DEPLOY / "systemd" / unit).read_text().splitlines():
        if line.startswith("Environment="):
            for pair in shlex.split(line.removeprefix("Environment=")):
                key, _, value = pair.partition("=")
                env[key] = value
        elif line.startswith("ExecStart="):
            command = line.removeprefix("ExecStart=").replace("/opt/tuangou/", f"{ROOT}/")
    return command, env


def expand(command: str, env: dict) -> list[str]:
    """systemd's ${VAR} expansion in ExecStart."""
    for key, value in env.items():
        command = command.replace("${" + key + "}", value)
    return shlex.split(command)


def read_env_file(path: Path) -> dict:
    """What systemd's EnvironmentFile= reads: KEY=value lines, # comments."""
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def recreate_database(url: str) -> None:
    name = conninfo_to_dict(url).get("dbname") or ""
    if "drill" not in name:
        sys.exit(f"deploy drill: refusing to drop database {name!r}; its name must contain 'drill'")
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
    )


class Process:
    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def nginx_site(var_dir: Path, cert: Path, key: Path, server_name: str) -> str:
    """deploy/nginx/tuangou.conf with step 8's substitutions only."""
    site = (DEPLOY / "nginx" / "tuangou.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/shop.example.com/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/shop.example.com/privkey.pem", str(key))
    site = site.replace("shop.example.com", server_name)
    return site.replace("/var/lib/tuangou/", f"{var_dir}/")


def nginx_main(tmp: Path, site: Path) -> str:
    """The part of Debian's /etc/nginx/nginx.conf the site relies on, with a pid and logs of our own."""
    return f"""
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    include {site};
}}
"""


def free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))
            return True
        except OSError:
            return False


# --- the checks ------------------------------------------------------------------------------------


class Client:
    """HTTPS to nginx on 127.0.0.1:443, naming the server (SNI and Host) like a browser would."""

    def __init__(self, server_name: str):
        self.server_name = server_name
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE  # our self-signed certificate

    def request(self, method, path, body=None, headers=None, tls=True):
        if tls:
            conn = http.client.HTTPSConnection("127.0.0.1", 443, context=self.context, timeout=30)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", 80, timeout=30)
        conn.request(method, path, body=body, headers={"Host": self.server_name, **(headers or {})})
        response = conn.getresponse()
        payload = response.read()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload

    def json(self, method, path, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        status, headers_out, payload = self.request(
            method, path, data, {"Content-Type": "application/json", "Accept-Language": "en", **(headers or {})}
        )
        try:
            return status, headers_out, json.loads(payload)
        except ValueError:
            return status, headers_out, payload.decode(errors="replace")[:300]

    def slow_header_dropped_after(self) -> float | None:
        """Send half a request line and nothing more: seconds until nginx closes, None if it never does."""
        raw = socket.create_connection(("127.0.0.1", 443), timeout=40)
        tls = self.context.wrap_socket(raw, server_hostname=self.server_name)
        started = time.monotonic()
        tls.sendall(b"GET / HTTP/1.1\r\nHost: ")
        try:
            tls.recv(1024)  # b"" (closed) or a 408; either way nginx ended it
            return time.monotonic() - started
        except TimeoutError:
            return None
        except (ConnectionError, ssl.SSLError):
            return time.monotonic() - started
        finally:
            tls.close()


def shop_with_campaign(env: dict) -> dict:
    """The first shop, a live campaign and a member with a token (bench/run.py's data, one member)."""
    code = (
        "import json, sys; sys.path.insert(0, 'bench'); from run import prepare_data; "
        "d = prepare_data(1, 0); print(json.dumps({k: d[k] for k in "
        "('shop_id', 'leader_id', 'campaign_id', 'items', 'members')}))"
    )
    done = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_checks(client: Client, env: dict, args) -> list[tuple[str, bool, str]]:
    results = []

    def check(name: str, ok: bool, detail: str) -> None:
        results.append((name, ok, detail))
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)

    for path in ("/h5/", "/console/"):
        status, headers, body = client.request("GET", path)
        check(f"GET {path}", status == 200 and b"<script" in body, f"{status}, {len(body)} bytes")
        if path == "/console/":
            csp = headers.get("content-security-policy", "")
            hsts = headers.get("strict-transport-security", "")
            check(
                "security headers",
                "script-src 'self'" in csp and "max-age=31536000" in hsts and headers.get("x-frame-options") == "DENY",
                f"CSP {csp[:60]!r}…; HSTS {hsts!r}; X-Frame-Options {headers.get('x-frame-options')!r}",
            )
            assets = sorted(set(part.split('"')[0] for part in body.decode().split('src="')[1:]))
    status, _, doc = client.json("GET", "/api/openapi.json")
    check("GET /api/openapi.json", status == 200 and "paths" in doc, f"{status}, {len(doc.get('paths', {}))} paths")

    status, _, answer = client.json(
        "POST", "/api/auth/login", {"username": STAFF_USER, "password": STAFF_PASSWORD, "issue_token": True}
    )
    token = answer.get("token") if isinstance(answer, dict) else None
    check("staff login (createsuperuser's operator)", status == 200 and bool(token), f"{status}")
    if token:
        status, _, me = client.json("GET", "/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        check("GET /api/auth/me with its token", status == 200, f"{status} {str(me)[:80]}")

    data = shop_with_campaign(env)
    member_id, member_token = data["members"][0]
    status, _, order = client.json(
        "POST",
        f"/api/shops/{data['shop_id']}/orders",
        {
            "campaign_id": data["campaign_id"],
            "leader_id": data["leader_id"],
            "items": [{"campaign_item_id": data["items"][0], "quantity": 1}],
        },
        headers={"Authorization": f"Bearer {member_token}", "Idempotency-Key": secrets.token_hex(16)},
    )
    detail = f"{status}, order {order.get('id')} {order.get('status')}" if isinstance(order, dict) else f"{status}"
    check("order placed through the API", status == 201, detail)

    js = [a for a in assets if a.endswith(".js") and "/static/assets/" in a]
    if js:
        status, headers, body = client.request("GET", js[0], headers={"Accept-Encoding": "gzip"})
        check(
            "hashed asset cached for a year",
            status == 200 and "immutable" in headers.get("cache-control", ""),
            f"{js[0]}: {status}, Cache-Control {headers.get('cache-control')!r}",
        )
        check(
            "gzip on JS",
            headers.get("content-encoding") == "gzip",
            f"Content-Encoding {headers.get('content-encoding')!r}, {len(body)} bytes sent",
        )
    else:
        check("hashed asset cached for a year", False, "no /static/assets/*.js in /console/")

    status, headers, _ = client.request("GET", "/console/?a=1", tls=False)
    location = headers.get("location", "")
    check(
        "HTTP → HTTPS",
        status == 301 and location == f"https://{args.server_name}/console/?a=1",
        f"{status} → {location}",
    )

    status, _, _ = client.request("GET", "/metrics")
    check("/metrics not routed", status == 404, f"{status}")

    seconds = client.slow_header_dropped_after()
    check(
        "slow-header client dropped",
        seconds is not None and 9 <= seconds <= 15,
        f"after {seconds:.1f} s (client_header_timeout 10s)" if seconds else "never",
    )

    waited = time.monotonic()
    deadline = waited + args.heartbeat_wait
    while True:
        status, _, health = client.json("GET", "/healthz")
        worker = health.get("checks", {}).get("worker") if isinstance(health, dict) else None
        if worker == "ok" or time.monotonic() > deadline:
            break
        time.sleep(5)
    check(
        "/healthz (worker heartbeat)",
        status == 200 and health.get("status") == "ok",
        f"{status} {health} (waited {time.monotonic() - waited:.0f} s)",
    )
    return results


# --- main --------------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not nginx:
        print("deploy drill: skipped — nginx is not installed (apt-get install nginx); it installs nothing.")
        return 0
    if not (ROOT / "frontend/dist/h5").exists():
        print("deploy drill: frontend/dist is missing: run `make frontend` first (step 2 of docs/deploy.md)")
        return 1
    busy = [p for p in PORTS if not free(p)]
    if busy:
        print(f"deploy drill: ports {busy} are in use; it needs {PORTS} (nginx 80/443, web 8001, feed 8002)")
        return 1

    tmp = Path(tempfile.mkdtemp(prefix="tuangou-deploy-drill-"))
    tmp.chmod(0o755)  # nginx's workers (not root) read the static files under it, as under /var/lib/tuangou
    var_dir, etc = tmp / "var", tmp / "etc"
    var_dir.mkdir()
    etc.mkdir()
    started, nginx_started = [], False
    try:
        # Step 4: the settings file, the secret in a file of its own.
        for name, value in (("secret_key", secrets.token_urlsafe(50)), ("payment_secrets_key", Fernet.generate_key())):
            (etc / name).touch(mode=0o640)
            (etc / name).write_text(value if isinstance(value, str) else value.decode())
        (etc / "tuangou.env").write_text(
            "\n".join(
                [
                    "TUANGOU_ENV=production",
                    f"SECRET_KEY_FILE={etc / 'secret_key'}",
                    f"PAYMENT_SECRETS_KEY_FILE={etc / 'payment_secrets_key'}",
                    f"ALLOWED_HOSTS={args.server_name}",
                    f"CSRF_TRUSTED_ORIGINS=https://{args.server_name}",
                    f"SITE_URL=https://{args.server_name}",
                    "TRUSTED_PROXIES=127.0.0.1",
                    f"DATABASE_URL={args.database_url}",  # no pgbouncer here: straight to PostgreSQL
                    "DISABLE_SERVER_SIDE_CURSORS=1",
                    "CONN_MAX_AGE=0",
                    f"REDIS_URL={args.redis_url}",
                    f"TUANGOU_VAR_DIR={var_dir}",
                    f"BACKUP_DIR={tmp / 'backups'}",
                    f"PAYMENT_SANDBOX_SECRET={secrets.token_urlsafe(24)}",
                    f"SMS_RECEIPT_TOKEN={secrets.token_urlsafe(24)}",
                    "WEB_WORKERS=2",
                    "",
                ]
            )
        )
        base = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": str(tmp)}
        env = {**base, **read_env_file(etc / "tuangou.env")}

        # Step 5: check and migrate.
        recreate_database(args.database_url)
        t0 = time.monotonic()
        for step in (
            ("migrate", "--noinput", "-v", "0"),
            ("collectstatic", "--noinput", "-v", "0"),
            ("check", "--deploy", "--fail-level", "WARNING"),
        ):
            done = manage(env, *step)
            ok = done.returncode == 0 or (step[0] == "check" and set(WARNING.findall(done.stderr)) <= NO_KEYS)
            found = ", ".join(sorted(set(WARNING.findall(done.stderr))))
            if not ok:
                detail = (done.stdout + done.stderr).strip()[-600:]
            else:
                detail = f"{found} (expected: a drill has no SMS or payment keys)" if found else "ok"
            print(f"{'PASS' if ok else 'FAIL'}  manage.py {' '.join(step)}: {detail}")
            if not ok and step[0] != "check":
                return 1
        done = manage(
            {**env, "DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD},
            "createsuperuser",
            "--noinput",
            "--username",
            STAFF_USER,
            "--email",
            "ops@example.com",
        )
        print(
            f"{'PASS' if done.returncode == 0 else 'FAIL'}  createsuperuser: {done.stdout.strip()}{done.stderr.strip()[-300:]}"
        )
        print(f"      (step 5 took {time.monotonic() - t0:.0f} s)")

        # Step 7: the units' commands.
        for name in ("web", "feed", "worker", "scheduler"):
            command, unit_env = unit_command(f"tuangou-{name}.service")
            process_env = {**env, **unit_env}
            if "PROMETHEUS_MULTIPROC_DIR" in unit_env:  # RuntimeDirectory= + ExecStartPre=
                process_env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp / "run-web" / "metrics")
                Path(process_env["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True)
            started.append(Process(name, expand(command, process_env), process_env, tmp))

        # Step 8: nginx, a self-signed certificate in place of certbot's.
        cert, key = etc / "fullchain.pem", etc / "privkey.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
             f"/CN={args.server_name}", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        site = tmp / "tuangou.conf"
        site.write_text(nginx_site(var_dir, cert, key, args.server_name))
        (tmp / "nginx.conf").write_text(nginx_main(tmp, site))
        test = subprocess.run([nginx, "-t", "-c", str(tmp / "nginx.conf")], capture_output=True, text=True)
        print(f"{'PASS' if test.returncode == 0 else 'FAIL'}  nginx -t: {test.stderr.strip().splitlines()[-1]}")
        if test.returncode:
            print(test.stderr)
            return 1
        subprocess.run([nginx, "-c", str(tmp / "nginx.conf")], check=True)
        nginx_started = True

        # Step 9: look.
        deadline = time.monotonic() + 60
        client = Client(args.server_name)
        while time.monotonic() < deadline:
            try:
                if client.request("GET", "/healthz")[0] in (200, 503):
                    break
            except OSError:
                pass
            time.sleep(0.5)
        for process in started:
            if process.proc.poll() is not None:
                print(f"FAIL  {process.name} exited {process.proc.returncode}:\n{process.log_path.read_text()[-2000:]}")
        results = run_checks(client, env, args)
        for process in started:
            alive = process.proc.poll() is None
            results.append((process.name, alive, ""))
            print(f"{'PASS' if alive else 'FAIL'}  {process.name} process still running at the end")
        failed = [name for name, ok, _ in results if not ok]
        print(
            f"\n{len(results) - len(failed)} of {len(results)} checks passed"
            + (f"; failed: {failed}" if failed else "")
        )
        return 1 if failed else 0
    finally:
        if nginx_started:
            subprocess.run([nginx, "-c", str(tmp / "nginx.conf"), "-s", "quit"], capture_output=True)
        stopping = time.monotonic()
        for process in reversed(started):
            process.stop()
        if started:
            print(f"stopped nginx and the {len(started)} processes in {time.monotonic() - stopping:.0f} s")
        if args.keep:
            print(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
