"""Run the shipped production stack on loopback: gunicorn instances behind nginx with TLS.

Used by tests/stack/test_stack.py and bench/http.py. Everything runs from the files in deploy/
as an administrator installs them; only the values marked CHANGE in the nginx site are swapped
for loopback ports and temporary folders (``render_site``), and nginx gets a small main
configuration like Debian's (``main_config``) so it runs on loopback ports in the foreground.

TLS is real: a certificate for 127.0.0.1 is made with openssl at start-up, so the production
settings (Secure cookies, HTTPS redirects, X-Forwarded-Proto) work exactly as on a server.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT_ROOT / "deploy"
NGINX_SITE = DEPLOY / "nginx" / "charity-site.conf"
GUNICORN_CONFIG = DEPLOY / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode}:\n{output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def stop(process: subprocess.Popen | None, sig: int = signal.SIGINT) -> None:
    """Stop at once (SIGINT: gunicorn's and nginx's quick shutdown), or kill after 20 s."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1 / localhost, valid two days."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


@dataclass
class SiteValues:
    """What an administrator changes in deploy/nginx/charity-site.conf, with test values."""

    http_port: int
    https_port: int
    app_servers: list[str]
    static_dir: Path
    upload_dir: Path
    cache_dir: Path
    log_dir: Path
    cert: Path
    key: Path
    max_body_mb: int = 11


def render_site(values: SiteValues, text: str | None = None) -> str:
    """The shipped site file with its CHANGE values replaced; each one must be found, so a changed
    file fails loudly here instead of quietly testing something else."""
    text = NGINX_SITE.read_text(encoding="utf-8") if text is None else text
    servers = "".join(f"    server {address};\n" for address in values.app_servers)
    replacements = [
        ("    server 127.0.0.1:8000;\n", servers),
        ("listen 80;", f"listen 127.0.0.1:{values.http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{values.https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("/etc/letsencrypt/live/charity.example.org/fullchain.pem", str(values.cert)),
        ("/etc/letsencrypt/live/charity.example.org/privkey.pem", str(values.key)),
        ("server_name charity.example.org;", "server_name localhost 127.0.0.1;"),
        ("/var/cache/nginx/charity-site", str(values.cache_dir)),
        ("/var/log/nginx/charity-site.access.log", str(values.log_dir / "access.log")),
        ("/var/log/nginx/charity-site.error.log", str(values.log_dir / "error.log")),
        ("/var/www/letsencrypt", str(values.log_dir / "acme")),
        ("/srv/charity-site/app/static/", f"{values.static_dir}/"),
        ("/srv/charity-site/uploads/", f"{values.upload_dir}/"),
        ("client_max_body_size 11m;", f"client_max_body_size {values.max_body_mb}m;"),
    ]
    for old, new in replacements:
        if old not in text:
            raise AssertionError(f"deploy/nginx/charity-site.conf no longer contains {old!r}")
        text = text.replace(old, new)
    return text


def main_config(prefix: Path, site: Path, extra_http: str = "", worker_processes: int = 1) -> str:
    """An nginx.conf like Debian's (including its http-level `gzip on`), for a foreground nginx."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must read pytest's 0700 temp folders
    temp = "\n".join(f"    {name}_temp_path {prefix / (name + '_temp')};"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes {worker_processes};
daemon off;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'nginx-error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log {prefix / 'nginx-access.log'};
    gzip on;
{temp}
    include {site};
{extra_http}
}}
"""


class Nginx:
    def __init__(self, prefix: Path, site_text: str, extra_http: str = "", worker_processes: int = 1):
        self.prefix = prefix
        prefix.mkdir(parents=True, exist_ok=True)
        self.site = prefix / "charity-site.conf"
        self.site.write_text(site_text, encoding="utf-8")
        self.config = prefix / "nginx.conf"
        self.config.write_text(main_config(prefix, self.site, extra_http, worker_processes), encoding="utf-8")
        self.process: subprocess.Popen | None = None

    def check(self) -> None:
        result = subprocess.run(["nginx", "-t", "-p", str(self.prefix), "-c", str(self.config)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"nginx -t refused the configuration:\n{result.stderr}")

    def start(self, port: int) -> None:
        self.check()
        log = self.prefix / "nginx-stderr.log"
        self.process = subprocess.Popen(["nginx", "-p", str(self.prefix), "-c", str(self.config)],
                                        stdout=log.open("wb"), stderr=subprocess.STDOUT)
        wait_for_port(port, self.process, log)

    def stop(self) -> None:
        stop(self.process)


def gunicorn(port: int, environment: dict[str, str], log_dir: Path, name: str, workers: int = 1,
             app: str = "app:app", cwd: Path = PROJECT_ROOT, wait: bool = True) -> subprocess.Popen:
    """One gunicorn instance with the shipped deploy/gunicorn.conf.py (``wait``: until it listens)."""
    env = {**environment, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers),
           "GUNICORN_ACCESS_LOG": str(log_dir / f"{name}-access.log")}
    log = log_dir / f"{name}.log"
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), app],
                               cwd=cwd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    if wait:
        wait_for_port(port, process, log)
    return process


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


class Browser:
    """An HTTPS client with its own cookies, connecting from a chosen loopback address.

    http.client, not a browser: it keeps every cookie it is given and sends it back, follows
    no redirect on its own, and lets the test choose the source address (127.x.y.z) so that
    per-address sign-in limits of one run do not meet those of another."""

    def __init__(self, port: int, ca_file: Path, source: str = "127.0.0.1", cookies: dict | None = None):
        self.port = port
        self.source = source
        self.context = ssl.create_default_context(cafile=str(ca_file))
        self.cookies: dict[str, str] = dict(cookies or {})

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=30,
                                                 source_address=(self.source, 0))
        sent = {"User-Agent": "charity-stack-test", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, quote(path, safe="/?&=%+:;,@!$'()*~"), body=body, headers=sent)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **headers) -> Response:
        return self.request("GET", path, headers=headers)

    def referer(self, page_path: str) -> dict[str, str]:
        """What a browser sends with a form from ``page_path`` (the app's CSRF check wants it over HTTPS)."""
        return {"Referer": f"https://127.0.0.1:{self.port}{page_path}"}

    def post(self, path: str, fields: list[tuple[str, str]], referer: str = "/", **headers) -> Response:
        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded", **self.referer(referer), **headers})

    def post_multipart(self, path: str, fields: list[tuple[str, str]],
                       files: list[tuple[str, str, str, bytes]], referer: str = "/") -> Response:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                         + value.encode() + b"\r\n")
        for name, filename, content_type, data in files:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                                 **self.referer(referer)})

    def submit(self, page_path: str, page: Response, having: str, changes: dict[str, str] | None = None,
               action: str | None = None) -> Response:
        """Submit the page's form that has a field named ``having``, as a browser would, with ``changes``
        (to ``action`` instead of the form's own, e.g. to tag the request)."""
        form = find_form(page.text, having)
        fields = [(name, (changes or {}).get(name, value)) for name, value in form.fields]
        return self.post(action or urljoin(page_path, form.action or page_path), fields, referer=page_path)


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)


class _FormParser(HTMLParser):
    """The successful controls of each form, as a browser sends them (without any submit button)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._option_value: str | None = None
        self._option_text = ""
        self._option_selected = False
        self._textarea: str | None = None
        self._textarea_text = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._form = Form(attributes.get("action") or "", (attributes.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or "disabled" in attributes:
            return
        elif tag == "input":
            kind = (attributes.get("type") or "text").lower()
            name = attributes.get("name")
            if not name or kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self._form.fields.append((name, attributes.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select":
            self._select, self._select_value, self._first_option = attributes.get("name"), None, None
        elif tag == "option" and self._select:
            self._option_value = attributes.get("value")
            self._option_text = ""
            self._option_selected = "selected" in attributes
        elif tag == "textarea" and attributes.get("name"):
            self._textarea, self._textarea_text = attributes["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea_text += data
        elif self._option_value is None and self._select:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "option" and self._select:
            value = self._option_value if self._option_value is not None else self._option_text.strip()
            if self._first_option is None:
                self._first_option = value
            if self._option_selected:
                self._select_value = value
            self._option_value = None
        elif tag == "select" and self._select and self._form is not None:
            value = self._select_value if self._select_value is not None else self._first_option
            if value is not None:
                self._form.fields.append((self._select, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = self._textarea_text[1:] if self._textarea_text.startswith("\n") else self._textarea_text
            self._form.fields.append((self._textarea, text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def find_form(html: str, having: str) -> Form:
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if any(name == having for name, _value in form.fields):
            return form
    raise AssertionError(f"no form with a field {having!r} on the page")


def log_field(line: str, name: str) -> str:
    for part in line.split():
        if part.startswith(f"{name}="):
            return part[len(name) + 1:]
    return ""


def which(*names: str) -> list[str]:
    """The programs of ``names`` that are missing."""
    return [name for name in names if shutil.which(name) is None]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
