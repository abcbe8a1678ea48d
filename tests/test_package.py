"""The wheel is the product: built from a fresh clone, installed outside the checkout.

An editable install finds styles, fonts and rules in the checkout; a wheel must carry
them itself (package data) and find them through ``importlib.resources``, and every
package the code imports must be declared.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.conftest import ROOT


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=True, timeout=600)


def test_a_wheel_from_a_fresh_clone_builds_the_shipped_guide_byte_identically(
        tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    run("git", "clone", "--quiet", ROOT, clone)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
        "--wheel-dir", tmp_path / "dist", clone)
    [wheel] = (tmp_path / "dist").glob("publish-*.whl")

    # A fresh environment outside the checkout, holding only the wheel. Its dependencies
    # come from this environment's site-packages through a .pth line; the .pth hooks
    # there (the editable install of this checkout) do not run for such a path.
    fresh = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", fresh)
    python = fresh / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
        "--no-index", wheel)
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
                    ).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "work"
    shutil.copytree(ROOT / "source", work / "source")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(SOURCE_DATE_EPOCH="1767225600", PUBLISH_CACHE_DIR=str(tmp_path / "cache"))
    where = run(python, "-c", "import publish, publish.styles as s; "
                "print(publish.__file__); print(s.STYLES_DIR)", cwd=work, env=env).stdout
    assert str(ROOT) not in where and all(line.startswith(str(site)) for line in
                                          where.split())
    run(fresh / "bin" / "publish", "build", "--no-cache", "--out", "wheel", cwd=work, env=env)
    run(sys.executable, "-m", "publish", "build", "--no-cache", "--out", "tree", cwd=work,
        env={**env, "PYTHONPATH": str(ROOT)})

    def files(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}

    built, tree = files(work / "wheel"), files(work / "tree")
    assert sorted(built) == sorted(tree) and "guide.pdf" in built
    assert [name for name in tree if built[name] != tree[name]] == []


def test_every_imported_package_is_declared() -> None:
    """A module the code imports must come from a dependency in pyproject.toml, not from
    whatever else happens to be installed."""
    declared = {d.split(";")[0].split("[")[0].split("=")[0].split("<")[0].split(">")[0]
                .strip().lower().replace("_", "-")
                for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
                    "dependencies"]}
    imported = set()
    for path in (ROOT / "publish").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    providers = packages_distributions()
    undeclared = {}
    for module in imported - set(sys.stdlib_module_names) - {"publish"}:
        dists = {d.lower().replace("_", "-") for d in providers.get(module, [module])}
        if not dists & declared:
            undeclared[module] = sorted(dists)
    assert undeclared == {}
