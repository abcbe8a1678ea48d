"""Nothing lost, nothing stray, the same bytes every time, and a manifest that proves it.

Builds run as the real command in subprocesses: a kill must hit a real process,
and reproducibility means separate processes (other hash seeds, other folders).
Every wait is bounded; the random kill delays come from a fixed seed, printed
on failure, so a failing run can be repeated.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from publish import __version__
from publish.build import build
from publish.catalogue import MEDIA_TYPES as CATALOGUE_FILES
from publish.errors import PublishError, RenderError
from publish.library import build_library
from publish.manifest import MANIFEST_NAME, SCHEMA, main, verify
from publish.output import TEMP_PREFIX, BuildInterrupted
from publish.render import RenderContext, RenderOptions, renderer
from tests.conftest import GOOD, ROOT, SHIPPED_GUIDE

TIMEOUT = 180
KILLS = 5
SEED = 20261125
ALL_OUTPUTS = {"guide.html", "guide.pdf", "guide-large-print.pdf", "guide.epub"}


def publish(*args: str, cwd: Path, epoch: str | None = None, seed: str = "0",
            wait: bool = True) -> subprocess.Popen[str] | subprocess.CompletedProcess[str]:
    """``python -m publish`` in a fresh process, without the build cache."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
    env.pop("SOURCE_DATE_EPOCH", None)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    command = [sys.executable, "-m", "publish", *args, "--no-cache"]
    if not wait:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def strays(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(f"{TEMP_PREFIX}*"))


def shipped_copy(folder: Path) -> Path:
    """The shipped guide and everything beside it, in a folder of the test's own."""
    shutil.copytree(SHIPPED_GUIDE.parent, folder)
    return folder / SHIPPED_GUIDE.name


def larger_guide(folder: Path, notes: int = 200) -> Path:
    """The shipped guide with ``notes`` short paragraphs added: a build of a few seconds."""
    source = shipped_copy(folder)
    text = source.read_text(encoding="utf-8")
    about = text.index("\n", text.index("## About this guide")) + 1
    extra = "\n\n".join(f"This is note {n}. You can ask your pharmacist about it."
                        for n in range(notes))
    source.write_text(f"{text[:about]}\n{extra}\n{text[about:]}", encoding="utf-8")
    return source


# --- reproducible -----------------------------------------------------------------------

@pytest.mark.parametrize("epoch", [None, "1767225600"], ids=["front-matter-date", "epoch"])
def test_two_processes_build_identical_bytes(tmp_path: Path, epoch: str | None) -> None:
    """Other processes, hash seeds, folders and working directories: the same files."""
    first = shipped_copy(tmp_path / "one" / "source")
    second = shipped_copy(tmp_path / "two" / "deeper" / "folder")
    a = publish("build", "source/guide.md", "--out", "out", "--quiet",
                cwd=tmp_path / "one", epoch=epoch, seed="1")
    b = publish("build", str(second), "--out", str(tmp_path / "elsewhere"), "--quiet",
                cwd=tmp_path, epoch=epoch, seed="2")
    assert a.returncode == 0, a.stderr
    assert b.returncode == 0, b.stderr
    built_a, built_b = snapshot(tmp_path / "one" / "out"), snapshot(tmp_path / "elsewhere")
    assert ALL_OUTPUTS | {MANIFEST_NAME} <= set(built_a)
    assert built_a.keys() == built_b.keys()
    different = [name for name in built_a if built_a[name] != built_b[name]]
    assert different == []
    assert first.read_bytes() == second.read_bytes()


def _dates(out: Path) -> dict[str, str]:
    """The date each output carries: PDF metadata, EPUB dcterms:modified, HTML meta."""
    found = {}
    for name in ("guide.pdf", "guide-large-print.pdf"):
        with pikepdf.open(out / name) as pdf:
            found[name] = str(pdf.docinfo["/ModDate"])[2:10]
            found[f"{name} created"] = str(pdf.docinfo["/CreationDate"])[2:10]
    with zipfile.ZipFile(out / "guide.epub") as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
    modified = opf.xpath("//*[local-name()='meta'][@property='dcterms:modified']/text()")
    found["guide.epub"] = modified[0][:10].replace("-", "")
    page = (out / "guide.html").read_text(encoding="utf-8")
    html = etree.HTML(page.encode("utf-8"))
    found["guide.html"] = html.xpath("//meta[@name='dcterms.modified']/@content")[0][:10] \
        .replace("-", "")
    return found


def test_dates_come_from_the_front_matter_or_source_date_epoch(tmp_path: Path) -> None:
    """Never the clock: without SOURCE_DATE_EPOCH every date is the guide's last_reviewed
    (not its published date; the shipped draft has none yet, so the copy gets one)."""
    source = shipped_copy(tmp_path / "source")
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^last_reviewed: .*\n", "", text)
    text = re.sub(r"(?m)^published: .*$", "published: 2020-01-02\nlast_reviewed: 2021-03-04",
                  text)
    text = re.sub(r"(?m)^next_review: .*$", "next_review: 2023-03-04", text)
    source.write_text(text, encoding="utf-8")
    plain = publish("build", str(source), "--out", "plain", "--quiet", cwd=tmp_path)
    epoch = publish("build", str(source), "--out", "epoch", "--quiet", cwd=tmp_path,
                    epoch=str(int(dt.datetime(2030, 6, 7, tzinfo=dt.UTC).timestamp())))
    assert plain.returncode == 0, plain.stderr
    assert epoch.returncode == 0, epoch.stderr
    assert set(_dates(tmp_path / "plain").values()) == {"20210304"}
    assert set(_dates(tmp_path / "epoch").values()) == {"20300607"}
    today = dt.date.today().strftime("%Y%m%d")
    assert today not in {"20210304", "20300607"}


# --- the manifest -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def manifest_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("manifest")
    build(shipped_copy(folder / "source"), folder / "out")
    return folder


def test_manifest_hashes_match_the_files(manifest_build: Path) -> None:
    out = manifest_build / "out"
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["schema"] == SCHEMA
    listed = {e["file"]: e for e in manifest["outputs"]}
    assert set(listed) == set(snapshot(out)) - {MANIFEST_NAME}
    assert set(listed) >= ALL_OUTPUTS
    source = (manifest_build / "source" / "guide.md").read_bytes()
    version = source.decode("utf-8").split('version: "', 1)[1].split('"', 1)[0]
    for name, item in listed.items():
        data = (out / name).read_bytes()
        assert item["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert item["size"] == len(data), name
        if item.get("collection"):  # the folder's catalogue belongs to no one guide
            assert name in CATALOGUE_FILES
            continue
        assert item["source"] == "guide.md"
        assert item["source_sha256"] == hashlib.sha256(source).hexdigest()
        assert item["tool"] == "publish" and item["tool_version"] == __version__
        assert item["guide_version"] == version
    assert listed["guide.pdf"]["media_type"] == "application/pdf"
    assert listed["guide.epub"]["media_type"] == "application/epub+zip"
    assert all(line.startswith("OK ") for line in verify(out))


def test_manifest_verification_catches_a_changed_file(manifest_build: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    out = tmp_path / "out"
    shutil.copytree(manifest_build / "out", out)
    assert main([str(out)]) == 0
    pdf = bytearray((out / "guide.pdf").read_bytes())
    pdf[len(pdf) // 2] ^= 0x01
    (out / "guide.pdf").write_bytes(bytes(pdf))
    (out / "guide.epub").unlink()
    capsys.readouterr()
    assert main([str(out)]) == 1
    report = capsys.readouterr().out.splitlines()
    assert "FAILED guide.epub: missing" in report
    assert any(line.startswith("FAILED guide.pdf: SHA-256 ") for line in report)
    assert sum(line.startswith("OK ") for line in report) == len(report) - 2
    assert main([str(tmp_path / "nothing")]) == 1


def test_manifest_describes_partial_builds_file_by_file(tmp_path: Path) -> None:
    """--format html after a full build: the PDF keeps its entry (and its older source)
    while its bytes are unchanged; an entry goes when its file goes."""
    source = shipped_copy(tmp_path / "source")
    out = tmp_path / "out"
    build(source, out, ["html", "pdf"])
    old_sha = hashlib.sha256(source.read_bytes()).hexdigest()
    source.write_text(source.read_text(encoding="utf-8").replace(
        "## Key facts", "Read this first.\n\n## Key facts", 1), encoding="utf-8")
    build(source, out, ["html"])
    listed = {e["file"]: e for e in json.loads((out / MANIFEST_NAME).read_text())["outputs"]}
    assert listed["guide.pdf"]["source_sha256"] == old_sha
    assert listed["guide.html"]["source_sha256"] == hashlib.sha256(
        source.read_bytes()).hexdigest() != old_sha
    assert all(line.startswith("OK ") for line in verify(out))
    (out / "guide.pdf").unlink()
    build(source, out, ["html"])
    listed = {e["file"] for e in json.loads((out / MANIFEST_NAME).read_text())["outputs"]}
    assert "guide.pdf" not in listed and "guide.html" in listed


def test_guides_built_side_by_side_share_one_manifest(tmp_path: Path) -> None:
    """Workers committing into one folder take turns (a lock on the folder), so the
    manifest describes every guide's files and none is lost to a concurrent update."""
    shipped = shipped_copy(tmp_path / "a")
    shutil.copytree(GOOD, tmp_path / "b")
    result = publish("build", str(shipped), str(tmp_path / "b" / "full.md"),
                     str(tmp_path / "b" / "minimal.md"), "--out", "out", "--quiet",
                     "--jobs", "3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    listed = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))["outputs"]
    assert {e["source"] for e in listed if not e.get("collection")} == {
        "guide.md", "full.md", "minimal.md"}
    assert {e["file"] for e in listed} == set(snapshot(out)) - {MANIFEST_NAME}
    assert all(line.startswith("OK ") for line in verify(out))
    assert strays(out) == []


# --- nothing lost ------------------------------------------------------------------------

def test_a_renderer_failing_late_changes_nothing(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The HTML is rendered, then the PDF fails: no file (manifest included) is touched."""
    source = shipped_copy(tmp_path / "source")
    out = tmp_path / "out"
    build(source, out, ["html", "epub"])
    before = snapshot(out)
    source.write_text(source.read_text(encoding="utf-8").replace(
        "## Key facts", "Read this first.\n\n## Key facts", 1), encoding="utf-8")
    pdf = type(renderer("pdf"))

    def fail(self: object, ctx: object) -> dict[str, bytes]:
        raise RenderError("pdf", "simulated failure half way through the build")

    monkeypatch.setattr(pdf, "render", fail)
    with pytest.raises(PublishError):
        build(source, out, ["html", "pdf", "epub"])
    assert snapshot(out) == before
    assert strays(out) == []


def test_ctrl_c_stops_a_library_build_not_just_one_guide(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A guide's content errors are reported and the next guide builds; Ctrl-C is not
    a content error: it ends the whole run, and no guide after it starts."""
    shutil.copytree(GOOD, tmp_path / "src")
    html = type(renderer("html"))
    rendered: list[str] = []

    def interrupted(self: object, ctx: RenderContext) -> dict[str, bytes]:
        rendered.append(ctx.doc.path.name)
        raise KeyboardInterrupt

    monkeypatch.setattr(html, "render", interrupted)
    with pytest.raises(BuildInterrupted) as caught:
        build_library([tmp_path / "src" / "full.md", tmp_path / "src" / "minimal.md"],
                      tmp_path / "out", ["html"], RenderOptions(), jobs=1)
    assert rendered == ["full.md"]
    assert caught.value.format_message().endswith(
        "full.md: interrupted: the build was stopped; outputs are replaced all together or "
        "not at all, so none is half-written; run the build again")
    assert not (tmp_path / "out").exists()


def _interrupt_points(start: float, total: float, count: int) -> list[float]:
    rng = random.Random(SEED)
    return sorted(rng.uniform(start, total) for _ in range(count))


@pytest.fixture(scope="module")
def kill_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float]:
    """A larger guide built once (the previous outputs, in out/), how long a build takes,
    and the outputs of the changed guide (in new/) that a completed build must give."""
    folder = tmp_path_factory.mktemp("kill")
    source = larger_guide(folder / "source")
    started = time.monotonic()
    first = publish("build", str(source), "--out", "out", "--quiet", "--jobs", "1",
                    cwd=folder)
    seconds = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    # The guide then changes, so a build that completes is told apart from one that did not.
    source.write_text(source.read_text(encoding="utf-8").replace(
        "This is note 7.", "This is note seven."), encoding="utf-8")
    new = publish("build", str(source), "--out", "new", "--quiet", cwd=folder)
    assert new.returncode == 0, new.stderr
    return folder, source, seconds


def _run_and_signal(folder: Path, source: Path, out: Path, delay: float,
                    signum: int) -> tuple[int, str]:
    """SIGINT goes to the whole process group, as Ctrl-C in a terminal does, with the
    default worker processes; SIGKILL and SIGTERM to the one process of a --jobs 1 build."""
    jobs = () if signum == signal.SIGINT else ("--jobs", "1")
    process = publish("build", str(source), "--out", str(out), "--quiet", *jobs,
                      cwd=folder, wait=False)
    assert isinstance(process, subprocess.Popen)
    time.sleep(delay)
    if process.poll() is None:
        if signum == signal.SIGINT:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
    _, stderr = process.communicate(timeout=TIMEOUT)
    # No worker may outlive the build: it stops and waits for every process it started
    # before it exits, so by now none is left in its process group (no grace period).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 0)
        os.killpg(process.pid, signal.SIGKILL)  # ours: started in its own session above
        raise AssertionError("a worker process outlived the build")
    return process.returncode, stderr


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM],
                         ids=["SIGKILL", "SIGINT", "SIGTERM"])
def test_a_stopped_build_leaves_the_previous_outputs(kill_setup: tuple[Path, Path, float],
                                                     tmp_path: Path, signum: int) -> None:
    """Stopped at random points: every output is the old file, or (when the outputs were
    already in place) every one is the new file — never a mix, never a half-written one."""
    folder, source, seconds = kill_setup
    previous, new = snapshot(folder / "out"), snapshot(folder / "new")
    assert all(previous[name] != new[name] for name in ALL_OUTPUTS)
    out = tmp_path / "out"
    outcomes = []
    # SIGKILL anywhere, from start-up to after the end. Ctrl-C while Python itself is still
    # starting gives Python's own traceback before any of this program runs, so the
    # catchable signals are sent while the build is under way.
    span = (0.05, 1.1) if signum == signal.SIGKILL else (0.25, 0.9)
    count = KILLS if signum == signal.SIGKILL else 2
    interrupted = []
    for delay in _interrupt_points(span[0] * seconds, span[1] * seconds, count):
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(folder / "out", out)
        code, stderr = _run_and_signal(folder, source, out, delay, signum)
        now = {k: v for k, v in snapshot(out).items() if not k.startswith(TEMP_PREFIX)}
        where = f"seed {SEED}, delay {delay:.2f} s of {seconds:.2f} s, exit {code}"
        outcomes.append(code)
        if code == 0:  # the build finished before the signal
            assert now == new, where
        else:  # stopped: all old, or all new when it came after the last rename
            assert now in (previous, new), where
        if signum == signal.SIGINT and code != 0:
            assert code == 1, where
            assert "Traceback" not in stderr, stderr
            assert stderr.strip().splitlines() == [
                f"{source.relative_to(folder)}: interrupted: the build was stopped; "
                "outputs are replaced all together or not at all, so none is half-written; "
                "run the build again"], stderr
            interrupted.append(delay)
        if signum != signal.SIGKILL:  # only SIGKILL can leave a temporary file behind
            assert strays(out) == [], where
    assert any(code != 0 for code in outcomes), f"no build was stopped: {outcomes}"
    assert signum != signal.SIGINT or interrupted, outcomes
    # Whatever the last stop left, the next build cleans up and completes.
    again = publish("build", str(source), "--out", str(out), "--quiet", "--jobs", "1",
                    cwd=folder)
    assert again.returncode == 0, again.stderr
    assert strays(out) == []
    assert all(line.startswith("OK ") for line in verify(out))
