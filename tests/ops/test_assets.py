"""Static fingerprints are computed once per process, except under the dev server."""
import re

import pytest

from app import create_app


@pytest.fixture
def static_app(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    app.static_folder = str(tmp_path)
    (tmp_path / "probe.css").write_text("body { color: green }")
    return app, tmp_path / "probe.css"


def _version(app) -> str:
    from flask import url_for

    with app.test_request_context("/"):
        return re.search(r"\?v=(\w+)", url_for("static", filename="probe.css")).group(1)


def test_a_fingerprint_is_computed_once_per_process(static_app):
    app, probe = static_app
    first = _version(app)
    probe.write_text("body { color: red }")
    assert _version(app) == first


def test_under_the_dev_server_an_edited_file_gets_a_new_fingerprint(static_app):
    import os

    app, probe = static_app
    app.debug = True
    first = _version(app)
    probe.write_text("body { color: blue }")
    stat = probe.stat()
    os.utime(probe, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert _version(app) != first


def test_a_missing_file_gets_no_fingerprint(static_app):
    from flask import url_for

    app, _probe = static_app
    with app.test_request_context("/"):
        assert url_for("static", filename="missing.css") == "/static/missing.css"


def test_templates_translate_with_one_catalogue_lookup_per_request_and_locale(app):
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ _('Find the nearest station') }}|{{ _('%(num)d stations', num=3) }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(template).startswith("Find the nearest station|")
        with force_locale("zh_Hans"):
            assert render_template_string(template).startswith("查找最近的驿站|")
        assert render_template_string(template).startswith("Find the nearest station|")
