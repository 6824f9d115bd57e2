"""The server caps NumPy's BLAS threads (many sessions' small products must not oversubscribe the
cores): one by default, NNVIZ_BLAS_THREADS otherwise, a clear error for a bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = ("import threadpoolctl, nnviz.ui.common; "
        "print(max(i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'))")


def blas_threads(value: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NNVIZ_BLAS_THREADS", "OPENBLAS_NUM_THREADS")}
    if value is not None:
        env["NNVIZ_BLAS_THREADS"] = value
    return subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: BLAS uses one thread anyway")
def test_one_blas_thread_by_default_and_the_setting_otherwise():
    assert blas_threads(None).stdout.strip() == "1"
    assert blas_threads("2").stdout.strip() == "2"
    bad = blas_threads("many")
    assert bad.returncode != 0 and "NNVIZ_BLAS_THREADS must be a positive integer, got 'many'" in bad.stderr
