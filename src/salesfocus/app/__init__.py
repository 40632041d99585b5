"""The web app: the whole flow in a browser, rendered from the runs stored in a workspace.

``salesfocus app`` starts Streamlit bound to 127.0.0.1 with usage statistics off; nothing leaves the
machine. Nothing in the app computes an analysis: it shows stored runs and starts new ones.
"""

from salesfocus.app.launch import DEMO_WORKSPACE, launch

__all__ = ["DEMO_WORKSPACE", "launch"]
