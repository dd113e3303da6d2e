"""``GET /smoke-tests``: run the bundled smoke tests (``agentdeck/amplifier/smoke/``) with pytest
in a subprocess, with a timeout, and report the results.

Only files of that folder can be run: ``pattern`` is a file-name pattern matched inside it.
The tests exercise this installation on a throwaway SQLite database, and check that the
configured database answers (read-only). One run at a time per worker.
"""
from __future__ import annotations

import asyncio
import fnmatch
import importlib.util
import os
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from agentdeck.errors import InvalidInput, TooManyRequests
from agentdeck.settings import get_settings

SMOKE_DIR = Path(__file__).parent / "smoke"
TIMEOUT = 60.0
_running = False


def smoke_files() -> list[str]:
    """The bundled smoke test files, by name."""
    return sorted(p.name for p in SMOKE_DIR.glob("test_*.py"))


def select_files(pattern: str) -> list[Path]:
    """The bundled files whose name matches ``pattern``; 400 for anything else."""
    if "/" in pattern or "\\" in pattern or pattern.startswith("."):
        raise InvalidInput("pattern must be a file name pattern within the bundled smoke tests")
    chosen = [SMOKE_DIR / name for name in smoke_files() if fnmatch.fnmatchcase(name, pattern)]
    if not chosen:
        raise InvalidInput(f"No bundled smoke test file matches '{pattern}'; available: "
                           f"{', '.join(smoke_files())}")
    return chosen


async def run_smoke_tests(verbose: bool = False, pattern: str = "test_smoke.py",
                          timeout: float | None = None) -> dict:
    """Run the selected smoke files; the body of ``GET /smoke-tests``."""
    global _running
    files = select_files(pattern)
    timeout = TIMEOUT if timeout is None else timeout
    if importlib.util.find_spec("pytest") is None:
        return {"success": False, "exit_code": -1, "stdout": "", "stderr": None,
                "error": "pytest is not installed on the server (pip install 'agentdeck[test]')"}
    if _running:
        raise TooManyRequests("Smoke tests are already running", headers={"Retry-After": "5"})
    _running = True
    try:
        with tempfile.TemporaryDirectory(prefix="agentdeck-smoke-") as workdir:
            return await _run_pytest(files, verbose, Path(workdir), timeout)
    finally:
        _running = False


def _command(files: list[Path], verbose: bool, report: Path, workdir: Path) -> list[str]:
    return [sys.executable, "-m", "pytest", *map(str, files), "-v" if verbose else "-q",
            "--tb=short", "-p", "no:cacheprovider", "--rootdir", str(workdir),
            "-c", str(workdir / "pytest.ini"), "--junitxml", str(report)]


def _environment(workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AGENTDECK_") and k not in {"DATABASE_URL", "AUTH_REQUIRED"}}
    env["AGENTDECK_SMOKE_WORKDIR"] = str(workdir)
    env["AGENTDECK_SMOKE_DATABASE_URL"] = get_settings().resolved_database_url
    return env


async def _run_pytest(files: list[Path], verbose: bool, workdir: Path, timeout: float) -> dict:
    report = workdir / "report.xml"
    (workdir / "pytest.ini").write_text("[pytest]\n")
    process = await asyncio.create_subprocess_exec(
        *_command(files, verbose, report, workdir), cwd=workdir, env=_environment(workdir),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except (asyncio.TimeoutError, asyncio.CancelledError):
        process.kill()
        await process.wait()
        if asyncio.current_task().cancelling():
            raise
        return {"success": False, "exit_code": -1, "stdout": "", "stderr": None,
                "error": f"Tests timed out after {timeout:g} seconds"}
    out, err = stdout.decode(errors="replace"), stderr.decode(errors="replace")
    summary, tests = _read_report(report)
    return {"success": process.returncode == 0, "exit_code": process.returncode,
            "stdout": out if verbose else "\n".join(out.strip().splitlines()[-5:]),
            "stderr": err or None, "summary": summary, "tests": tests}


def _read_report(report: Path) -> tuple[dict, list[dict]]:
    if not report.exists():
        return {}, []
    suite = ElementTree.parse(report).getroot()
    suite = suite.find("testsuite") if suite.tag == "testsuites" else suite
    tests = [_case(case) for case in suite.iter("testcase")]
    counts = {o: sum(1 for t in tests if t["outcome"] == o) for o in ("passed", "failed", "error", "skipped")}
    summary = {"total": len(tests), **counts, "duration": float(suite.get("time", 0))}
    return summary, tests


def _case(case) -> dict:
    outcome = "passed"
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            outcome = {"failure": "failed"}.get(tag, tag)
    return {"nodeid": f"{case.get('classname')}::{case.get('name')}", "outcome": outcome,
            "duration": float(case.get("time", 0))}
