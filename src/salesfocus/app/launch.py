"""Start the Streamlit server for a workspace (local only, no usage statistics)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

__all__ = ["launch", "DEMO_WORKSPACE", "streamlit_args"]

DEMO_WORKSPACE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "salesfocus" / "demo-app" / (
    "salesfocus.duckdb")
SCRIPT = Path(__file__).with_name("streamlit_app.py")


def streamlit_args(port: int, host: str, max_upload_mb: int) -> list[str]:
    return [
        "--browser.gatherUsageStats", "false",
        "--server.address", host,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.maxUploadSize", str(max_upload_mb),
        "--server.fileWatcherType", "none",
        "--global.showWarningOnDirectExecution", "false",
        "--client.toolbarMode", "minimal",
    ]


def launch(workspace: Path | None, *, port: int = 8501, host: str = "127.0.0.1", max_upload_mb: int = 1024,
           lang: str = "en") -> int:
    """Run the app until it is stopped; returns Streamlit's exit code."""
    env = {
        **os.environ,
        "SALESFOCUS_WORKSPACE": str(workspace.resolve()) if workspace else "",
        "SALESFOCUS_DEMO_WORKSPACE": str(DEMO_WORKSPACE),
        "SALESFOCUS_LANG": lang,
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    cmd = [sys.executable, "-m", "streamlit", "run", str(SCRIPT), *streamlit_args(port, host, max_upload_mb)]
    proc = subprocess.Popen(cmd, env=env)
    # stopped with SIGTERM (a service manager, a test), stop the server too instead of leaving it running
    old = signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()
    finally:
        signal.signal(signal.SIGTERM, old)
