"""The example deployment in deploy/: nginx accepts the site, and the systemd units start
commands that exist."""
import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_site(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=yizhan.example.cn", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "yizhan.conf").read_text()
    assert "/etc/letsencrypt/live/yizhan.example.cn/fullchain.pem" in site
    site = (site.replace("/etc/letsencrypt/live/yizhan.example.cn/fullchain.pem",
                         str(tmp_path / "cert.pem"))
            .replace("/etc/letsencrypt/live/yizhan.example.cn/privkey.pem",
                     str(tmp_path / "key.pem")))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        f"  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/site.conf;\n}}\n")
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                             "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_nginx_site_serves_static_files_with_a_long_cache_and_forwards_what_the_app_needs():
    site = (DEPLOY / "nginx" / "yizhan.conf").read_text()
    assert "location /static/" in site and "max-age=31536000, immutable" in site
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Request-ID"):
        assert f"proxy_set_header {header}" in site
    assert "image/png" not in site.split("gzip_types", 1)[1].split(";", 1)[0]


def _exec_start(unit: str) -> list[str]:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(DEPLOY / "systemd" / unit)
    return shlex.split(parser["Service"]["ExecStart"])


@pytest.mark.parametrize("unit", ["yizhan-worker.service", "yizhan-backup.service"])
def test_systemd_units_run_flask_commands_that_exist(app, unit):
    command = _exec_start(unit)
    assert command[1:3] == ["--app", "app"]
    group = app.cli.get_command(None, command[3])
    assert group is not None, command
    if len(command) > 4 and not command[4].startswith("-"):
        assert command[4] in group.commands


def test_web_unit_runs_gunicorn_with_the_config_in_the_repo():
    command = _exec_start("yizhan-web.service")
    assert command[0].endswith("/gunicorn") and command[1:3] == ["-c", "gunicorn.conf.py"]
    assert (ROOT / "gunicorn.conf.py").exists()
