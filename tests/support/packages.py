"""What a test needs from the machine, installed when missing: a fresh CI machine may lack a
server or a runtime a test drives (PostgreSQL, Node.js)."""
from __future__ import annotations

import os
import shutil
import subprocess


def install_debian_packages(*names: str) -> None:
    """``apt-get install`` ``names`` (as root, where apt-get exists; otherwise nothing happens
    and the caller's own check says what is missing)."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-q", *names], env=env, capture_output=True)
