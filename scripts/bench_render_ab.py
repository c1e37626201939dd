"""The render pages of ``scripts/bench_python.py`` through whichever ``djust`` this
Python imports: one line of ``case=µs`` (each the best of 9 batches). Run it
alternately against two packages to compare them, e.g. the package of an older commit::

    git worktree add /tmp/old fffd755
    (cd /tmp/old && CARGO_TARGET_DIR=/tmp/old-target cargo build --release -p djust-python)
    mkdir -p /tmp/oldpkg && cp -r /tmp/old/python/djust /tmp/oldpkg/
    cp /tmp/old-target/release/lib_rust.so /tmp/oldpkg/djust/_rust.cpython-311-x86_64-linux-gnu.so
    for i in 1 2 3; do
      PYTHONPATH=/tmp/oldpkg python scripts/bench_render_ab.py   # before
      python scripts/bench_render_ab.py                          # the installed package
    done

(docs/benchmarks.md, "Template backend with a project's libraries").
"""

from __future__ import annotations

import sys
import tempfile
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_python as bench


def main() -> None:
    bench.configure_django()
    import djust

    folder = Path(tempfile.mkdtemp())
    bench.write_templates(folder)
    engine = djust.Engine(dirs=[str(folder)], django=True)
    out = []
    for case, name in bench.RENDER_CASES.items():
        template = engine.get_template(name)
        ctx = bench.context(case)
        calls = 20 if "1000" in case else 200
        best = min(timeit.repeat(lambda t=template, c=ctx: t.render(c), number=calls, repeat=9)) / calls
        out.append(f"{case}={best * 1e6:.1f}")
    print(" ".join(out))


if __name__ == "__main__":
    main()
