"""Benchmark helpers: the scale to run at, and the table each benchmark prints.

`make test` runs the benchmarks at a small scale, so that they keep working;
`make benchmark` runs them at the sizes of the README (INVOICERA_BENCH=full).
Tables are printed and also written to .run/benchmarks/<name>.md.
"""

import os
import resource
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def full_scale():
    return os.environ.get("INVOICERA_BENCH") == "full"


def peak_rss_mb():
    """Peak resident memory of this process so far, in MB (Linux: ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def format_table(title, headers, rows):
    lines = [f"### {title}", "", "| " + " | ".join(headers) + " |"]
    lines.append("| " + " | ".join("---" for _ in headers) + " |")
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def report(name, title, headers, rows):
    """Print a results table and keep it in .run/benchmarks/<name>.md."""
    table = format_table(title, headers, rows)
    folder = ROOT / ".run" / "benchmarks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(table)
    print("\n" + table, flush=True)
    return table
