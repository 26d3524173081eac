"""Run code in a kernel of a hub user's server, over the Jupyter websocket protocol."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import websocket


class Kernel:
    """One kernel on ``user``'s server; :meth:`run` executes a cell and returns its text."""

    def __init__(self, hub: Any, user: str, path: str = "") -> None:
        self.hub, self.user = hub, user
        info = hub.server(user, "POST", "api/kernels",
                          json={"name": "python3", "path": path}).json()
        self.id = info["id"]
        url = hub.url.replace("http://", "ws://") + \
            f"/user/{user}/api/kernels/{self.id}/channels"
        self.ws = websocket.create_connection(
            url, header=[f"Authorization: token {hub.token}"], timeout=300)
        self.session = uuid.uuid4().hex

    def run(self, code: str, timeout: float = 300) -> tuple[str, str | None]:
        """(everything the cell printed or displayed, the error name or None)."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.user, "session": self.session,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        text, error, replied, idle = [], None, False, False
        deadline = time.monotonic() + timeout
        # The reply and the idle status may come in either order: wait for both.
        while not (replied and idle):
            if time.monotonic() > deadline:
                raise TimeoutError(f"cell did not finish in {timeout} s: {code[:80]!r}")
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                text.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                text.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                error = content["ename"]
                text.append(f"{content['ename']}: {content['evalue']}")
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        return "".join(text), error

    def close(self) -> None:
        self.ws.close()
        self.hub.server(self.user, "DELETE", f"api/kernels/{self.id}")
