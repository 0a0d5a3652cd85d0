"""The benchmark scripts still start: they run outside the test suite (make bench, make flash, ...), so a
rename in bench/run.py once broke bench/flash.py unnoticed. Nothing here measures speed."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if "argparse" in p.read_text())


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_each_bench_script_answers_help(script):
    """--help imports the script and builds its options (their defaults included)."""
    done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout


def _names_defined(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:  # a, b = 1, 2 too
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def test_scripts_use_only_what_bench_run_defines():
    """Scripts that import bench/run.py as `run` call only names it still has (run.X seen only at runtime)."""
    defined = _names_defined(ast.parse((BENCH / "run.py").read_text()))
    missing = []
    users = 0
    for script in BENCH.glob("*.py"):
        tree = ast.parse(script.read_text())
        if not any(isinstance(n, ast.Import) and any(a.name == "run" for a in n.names) for n in ast.walk(tree)):
            continue
        users += 1
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "run":
                if node.attr not in defined:
                    missing.append(f"{script.name}: run.{node.attr}")
    assert users >= 1  # bench/flash.py at least
    assert missing == []
