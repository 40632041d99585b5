"""App pages render a stored run (Streamlit AppTest), and the server binds to localhost only."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from salesfocus.app.launch import SCRIPT


@pytest.fixture
def workspace(demo_workspace):
    return demo_workspace


def _app(workspace, monkeypatch):
    monkeypatch.setenv("SALESFOCUS_WORKSPACE", str(workspace))
    at = AppTest.from_file(str(SCRIPT), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def test_every_page_renders_without_error(workspace, monkeypatch):
    at = _app(workspace, monkeypatch)
    for page in at.sidebar.radio[1].options:
        at.sidebar.radio[1].set_value(page).run()
        assert not at.exception, (page, at.exception)
        assert at.title[0].value == page


def test_overview_shows_the_runs_figures(workspace, monkeypatch):
    from salesfocus.workspace import Workspace

    with Workspace(workspace, read_only=True) as ws:
        s = ws.load_run().meta["summary"]
    at = _app(workspace, monkeypatch)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["customers"] == f"{s['customers']:,}"


def test_dutch_labels(workspace, monkeypatch):
    at = _app(workspace, monkeypatch)
    at.sidebar.radio[0].set_value("nl").run()
    assert at.title[0].value == "Overzicht"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_server_binds_localhost_without_usage_stats(workspace):
    port = _free_port()
    cli = [sys.executable, "-m", "salesfocus.cli", "app", "--workspace", str(workspace), "--port", str(port)]
    proc = subprocess.Popen(cli, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ})
    try:
        for _ in range(60):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("app did not become healthy")
        out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        local = {line.split()[3] for line in out.splitlines() if line.strip()}
        assert local == {f"127.0.0.1:{port}"}, local
    finally:
        proc.terminate()
        proc.wait(10)
    assert Path(SCRIPT).exists()
