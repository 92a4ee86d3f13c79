"""Peak memory of one call, measured in a fresh Python process.

Not tracemalloc: on Python 3.11, ``tracemalloc.stop()`` while another thread allocates (a test HTTP
server's handler, a Beam worker left by an earlier test) can crash the interpreter (CPython gh-128679,
fixed on the 3.12 and 3.13 branches only); CI died with a segmentation fault in the gzip-bomb test. A child process
is alone with the call, and its kernel high-water mark also counts memory that C code allocates.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]

_PROBE = """
import json, re, sys
def status(field):
    return int(re.search(field + r':\\s+(\\d+) kB', open('/proc/self/status').read()).group(1))
exec(sys.argv[1])
open('/proc/self/clear_refs', 'w').write('5')  # the high-water mark starts again from the current size
before_kb = status('VmRSS')
value = eval(sys.argv[2])
print(json.dumps({'value': value, 'growth_kb': status('VmHWM') - before_kb}))
"""


def measure_call(setup: str, expression: str, timeout_s: float = 120.0) -> tuple[Any, float]:
    """Run ``setup`` (statements), then evaluate ``expression`` in a fresh Python process.

    Returns the expression's value (it must be JSON-serializable) and how far the process's resident
    memory rose above its size before the expression, in MB.
    """
    completed = subprocess.run([sys.executable, "-c", _PROBE, setup, expression], cwd=REPOSITORY,
                               capture_output=True, text=True, timeout=timeout_s, check=False)
    if completed.returncode != 0:
        raise AssertionError(f"the measured call failed:\n{completed.stderr}")
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    return report["value"], report["growth_kb"] / 1024
