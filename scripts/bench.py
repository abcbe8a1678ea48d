"""``make bench``: how fast ``publish`` builds, measured against Pandoc 3.9 in the same run.

Runs real commands in fresh processes and measures wall time with
``time.perf_counter`` and peak memory with ``os.wait4`` (the largest resident set of
the process and of any worker it waited for). Both sides run in the same rounds,
alternating which goes first, after one warm-up run each; medians and min–max are
printed and written to ``bench/latest.json`` with the machine they came from.

Measured:

- cold build of the shipped guide: every default output and every check, empty cache;
- Pandoc 3.9 (PyPI ``pypandoc-binary``) writing HTML, EPUB and a PDF through WeasyPrint
  (``--pdf-variant=pdf/ua-1``): three processes, as a script would run them;
- no-op rebuild (nothing changed) and its ratio to the cold build;
- ``publish watch``: a one-word edit until every output is rewritten on disk;
- the same cold builds on a generated guide ten times as long, and how cost grows
  with pages;
- ``publish build`` of 8 guides with ``--jobs 1`` and ``--jobs 2``;
- a Chinese guide of the shipped guide's length (its fonts are subsets of the 19 MB Noto
  Sans CJK collection, the slow case of issue #12) against the shipped guide, cold.

Usage: ``python scripts/bench.py [--rounds N] [--out bench/latest.json]``.
This is a measurement, not a test: nothing here passes or fails a build.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "source" / "guide.md"
PYTHON = sys.executable
OUTPUTS = ("guide.html", "guide.embed.html", "guide.pdf", "guide-large-print.pdf",
           "guide.epub")

TARGETS = {
    "cold_vs_pandoc": ("cold build ÷ Pandoc (shipped guide)", "≤", 1.0),
    "noop_seconds": ("no-op rebuild, seconds", "≤", 0.15),
    "noop_vs_cold": ("no-op rebuild ÷ cold build", "≤", 0.15),
    "watch_seconds": ("watch: one-word edit → all outputs rewritten, seconds", "≤", 0.5),
    "cold10_vs_pandoc10": ("10× guide: cold build ÷ Pandoc", "≤", 1.0),
    "growth_vs_pages": ("10× guide: time growth ÷ page growth", "≤", 1.0),
    "jobs_speedup": ("8 guides: --jobs 1 time ÷ --jobs 2 time", "≥", 1.7),
    "peak_mb": ("peak memory, shipped guide, MB", "≤", 150),
    "peak10_mb": ("peak memory, 10× guide, MB", "≤", 300),
    "zh_vs_en": ("Chinese guide of the same length: cold build ÷ shipped guide", "≤", 1.5),
    "hostile_seconds": ("slowest hostile input refused by publish check, seconds", "≤", 0.5),
}

HOSTILE_FIXTURE = (ROOT / "tests" / "fixtures" / "hostile"
                   / "source-too-complex-unclosed-backticks.md")
"""The issue's case: 4,800 '[' after an unclosed ``` fence (7.6 s before the limits saw it)."""


@dataclass
class Sample:
    """Wall seconds, CPU seconds and peak resident memory (MB) of each measured run.

    CPU seconds (user + system, workers included) change little when other programs
    compete for the cores; wall seconds are what a user waits for.
    """

    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)

    def add(self, measured: Measured) -> None:
        self.seconds.append(measured.seconds)
        self.cpu.append(measured.cpu)
        self.peak_mb.append(measured.peak_mb)

    def summary(self) -> dict[str, float]:
        return {"median_s": round(statistics.median(self.seconds), 3),
                "min_s": round(min(self.seconds), 3), "max_s": round(max(self.seconds), 3),
                "runs": len(self.seconds),
                "cpu_median_s": round(statistics.median(self.cpu), 3) if self.cpu else 0.0,
                "peak_mb": round(max(self.peak_mb), 1) if self.peak_mb else 0.0}


@dataclass
class Measured:
    """One measured run (or several runs one after the other)."""

    seconds: float = 0.0
    cpu: float = 0.0
    peak_mb: float = 0.0

    def __add__(self, other: Measured) -> Measured:
        return Measured(self.seconds + other.seconds, self.cpu + other.cpu,
                        max(self.peak_mb, other.peak_mb))


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, *,
        refused: str | None = None) -> Measured:
    """Run one command to completion; its wall and CPU seconds and peak RSS in MB.

    ``refused``: the rule the command must fail with (exit code 1), for hostile input.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    assert process.stderr is not None
    err = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if refused is not None:
        if process.returncode != 1 or f": {refused}: ".encode() not in err:
            raise SystemExit(f"{' '.join(command)} was not refused with {refused}:\n"
                             f"{err.decode(errors='replace')}")
    elif process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err.decode(errors='replace')}")
    return Measured(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def runs(*commands: list[str], cwd: Path, env: dict[str, str] | None = None) -> Measured:
    """Several commands one after the other, as one measurement."""
    total = Measured()
    for command in commands:
        total = total + run(command, cwd, env)
    return total


def env_with_cache(cache: Path) -> dict[str, str]:
    return {**os.environ, "PUBLISH_CACHE_DIR": str(cache)}


def long_guide(folder: Path, times: int = 10) -> Path:
    """The shipped guide with every section but "About this guide" repeated ``times`` times.

    Copies get their own heading text and ids (`` (part 2)``, ``{#key-facts-2}``), so the
    longer guide passes the same checks; the rules file and images come along.
    """
    text = GUIDE.read_text(encoding="utf-8")
    head, h1, body = re.split(r"^(# .*\n)", text, maxsplit=1, flags=re.M)
    parts = re.split(r"^(?=## )", body, flags=re.M)
    intro, sections = parts[0], parts[1:]
    about = [s for s in sections if "{#about}" in s.splitlines()[0]]
    repeated = [s for s in sections if s not in about]
    copies = []
    for n in range(1, times + 1):
        for section in repeated:
            if n > 1:
                section = re.sub(r"^(#{2,6} )(.*?)( \{#([\w-]+)\})?$",
                                 lambda m, n=n: f"{m.group(1)}{m.group(2)} (part {n})"
                                 + (f" {{#{m.group(4)}-{n}}}" if m.group(4) else ""),
                                 section, flags=re.M)
            copies.append(section)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(GUIDE.parent / "images", folder / "images", dirs_exist_ok=True)
    for rules in GUIDE.parent.glob("*.rules.yaml"):
        shutil.copy(rules, folder / rules.name)
    target = folder / "guide.md"
    target.write_text(head + h1 + intro + "".join(copies) + "".join(about), encoding="utf-8")
    return target


_PROTECTED = re.compile(r"(\]\([^)]*\)|\[@[^\]]*\]|\{[^}]*\}|`[^`]*`|<[^>]+>|https?://\S+)"
                        r"|([A-Za-z]+)")


def chinese_guide(folder: Path) -> Path:
    """The shipped guide with every English word of its body and title in Chinese characters.

    Not a translation (no medical statement is made in Chinese): each word becomes
    one to four characters picked by its hash from the common CJK block, so the guide
    keeps its structure, its length and a realistic variety of characters (about
    1,500 distinct ones, each needing its glyph); markup, link targets, citation keys
    and ids are kept. The rules file stays behind: its required English phrases
    would not be found.
    """
    def chinese(word: str) -> str:
        digest = hashlib.sha256(word.lower().encode()).digest()
        return "".join(chr(0x4E00 + int.from_bytes(digest[2 * i:2 * i + 2], "big") % 0x51A6)
                       for i in range(1 + len(word) // 3))

    def convert(text: str) -> str:
        return _PROTECTED.sub(lambda m: m.group(1) or chinese(m.group(2)), text)

    text = GUIDE.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    front = re.sub(r"^lang: .*$", "lang: zh-Hans", front, flags=re.M)
    front = re.sub(r'^title: "(.*)"$', lambda m: f'title: "{convert(m.group(1))}"', front,
                   flags=re.M)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(GUIDE.parent / "images", folder / "images", dirs_exist_ok=True)
    target = folder / "guide.md"
    target.write_text(f"---\n{front}---\n{convert(body)}", encoding="utf-8")
    return target


ZH_FORMATS = ("--format", "html", "--format", "embed", "--format", "pdf", "--format", "epub")
"""What the Chinese comparison builds on both sides: the formats whose fonts it is about.
(The braille edition of characters picked at random refuses those its table lacks.)"""


def chinese_against_english(guide: Path, work: Path, rounds: int
                            ) -> dict[str, dict[str, float]]:
    """Cold builds (``ZH_FORMATS``) of the Chinese guide and the shipped guide, alternating,
    after a warm-up of each."""
    samples = {"english": Sample(), "chinese": Sample()}
    counter = iter(range(10_000))

    def once(source: Path) -> Measured:
        n = next(counter)
        return run([PYTHON, "-m", "publish", "build", str(source), "--out",
                    str(work / f"out-{n}"), "--quiet", *ZH_FORMATS], ROOT,
                   env_with_cache(work / f"cache-{n}"))

    sides = {"english": GUIDE, "chinese": guide}
    for source in sides.values():
        once(source)
    for r in range(rounds):
        order = ["english", "chinese"] if r % 2 == 0 else ["chinese", "english"]
        for side in order:
            samples[side].add(once(sides[side]))
        print(f"  round {r + 1}: English {samples['english'].seconds[-1]:.2f} s, "
              f"Chinese {samples['chinese'].seconds[-1]:.2f} s", flush=True)
    return {side: sample.summary() for side, sample in samples.items()}


def pages(pdf: Path) -> int:
    import pikepdf

    with pikepdf.open(pdf) as document:
        return len(document.pages)


def pandoc_commands(guide: Path, out: Path) -> list[list[str]]:
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    return [[pandoc, str(guide), "-s", "-o", str(out / "guide.html")],
            [pandoc, str(guide), "-o", str(out / "guide.epub")],
            [pandoc, str(guide), "-o", str(out / "guide.pdf"), "--pdf-engine=weasyprint",
             "--pdf-engine-opt=--pdf-variant=pdf/ua-1"]]


def compare(name: str, guide: Path, work: Path, rounds: int) -> dict[str, dict[str, float]]:
    """Cold publish builds and Pandoc runs on one guide, alternating, after a warm-up."""
    samples = {"publish": Sample(), "pandoc": Sample()}
    pandoc_env = {**os.environ, "PATH": f"{Path(PYTHON).parent}:{os.environ['PATH']}"}
    counter = iter(range(10_000))

    def publish_once() -> Measured:
        n = next(counter)
        return run([PYTHON, "-m", "publish", "build", str(guide), "--out",
                    str(work / f"out-{n}"), "--quiet"], ROOT,
                   env_with_cache(work / f"cache-{n}"))

    def pandoc_once() -> Measured:
        out = work / f"pandoc-{next(counter)}"
        out.mkdir()
        return runs(*pandoc_commands(guide, out), cwd=guide.parent, env=pandoc_env)

    sides = {"publish": publish_once, "pandoc": pandoc_once}
    for side in sides.values():  # warm-up: disk caches, font caches, .pyc files
        side()
    for r in range(rounds):
        order = ["publish", "pandoc"] if r % 2 == 0 else ["pandoc", "publish"]
        for side in order:
            samples[side].add(sides[side]())
        print(f"  {name} round {r + 1}: publish {samples['publish'].seconds[-1]:.2f} s, "
              f"pandoc {samples['pandoc'].seconds[-1]:.2f} s", flush=True)
    return {side: sample.summary() for side, sample in samples.items()}


def noop(guide: Path, work: Path, rounds: int) -> dict[str, float]:
    env = env_with_cache(work / "noop-cache")
    command = [PYTHON, "-m", "publish", "build", str(guide), "--out", str(work / "noop"),
               "--quiet"]
    run(command, ROOT, env)
    run(command, ROOT, env)  # warm-up of the no-op path itself
    sample = Sample()
    for _ in range(rounds):
        sample.add(run(command, ROOT, env))
    return sample.summary()


def hostile_guide(folder: Path) -> Path:
    """The worst input for the limits themselves, just under the 2 MiB cap: unclosed fences
    of every length (each would search the rest of the file for its closing line), then
    a paragraph of '[' long enough to take minutes in the inline parser."""
    folder.mkdir(parents=True, exist_ok=True)
    fences = []
    size = 0
    for n in range(3, 10_000):
        for mark in "`~":
            fences.append(mark * n)
            size += n + 1
        if size > 1_500_000:
            break
    body = "\n".join(fences) + "\n\n" + "[" * 100_000 + "\n"
    path = folder / "hostile.md"
    path.write_text("---\ntitle: Hostile\nlang: en\n---\n# Hostile\n\n" + body,
                    encoding="utf-8")
    return path


def hostile(work: Path, rounds: int) -> dict[str, dict[str, float]]:
    """``publish check`` on hostile inputs: each must be refused (exit 1) at once."""
    results = {}
    for name, path in (("fixture", HOSTILE_FIXTURE), ("fences_2mib", hostile_guide(work))):
        sample = Sample()
        command = [PYTHON, "-m", "publish", "check", str(path)]
        run(command, ROOT, refused="source-too-complex")  # warm-up
        for _ in range(rounds):
            sample.add(run(command, ROOT, refused="source-too-complex"))
        results[name] = sample.summary()
    return results


def watch(work: Path, rounds: int) -> dict[str, float]:
    """One-word edits to a copy of the shipped guide under ``publish watch``."""
    folder = work / "watched"
    shutil.copytree(GUIDE.parent, folder)
    guide = folder / GUIDE.name
    out = work / "watch-out"
    process = subprocess.Popen(
        [PYTHON, "-m", "publish", "watch", str(guide), "--out", str(out)], cwd=ROOT,
        env=env_with_cache(work / "watch-cache"), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    try:
        reported: list[float] = []
        lines: list[str] = []
        while True:
            line = process.stderr.readline()
            lines.append(line)
            if "Watching" in line:
                break
            if not line:
                raise SystemExit("publish watch stopped:\n" + "".join(lines))
        text = guide.read_text(encoding="utf-8")
        word = re.search(r"\bbedtime\b", text)
        assert word, "the shipped guide no longer says 'bedtime'; pick another word"
        sample = Sample()
        for n in range(rounds + 1):  # the first edit is the warm-up
            before = {name: _stamp(out / name) for name in OUTPUTS}
            edited = f"{text[:word.start()]}bedtime{n}{text[word.end():]}"
            started = time.perf_counter()
            guide.write_text(edited, encoding="utf-8")
            while any(_stamp(out / name) == before[name] for name in OUTPUTS):
                if time.perf_counter() - started > 60:
                    raise SystemExit("publish watch did not rewrite every output in 60 s")
                time.sleep(0.005)
            seconds = time.perf_counter() - started
            line = process.stderr.readline()
            while line and "changed →" not in line:  # warnings come first
                line = process.stderr.readline()
            took = re.search(r"; ([\d.]+) s\)$", line.strip())
            if n:
                sample.seconds.append(seconds)
                if took:
                    reported.append(float(took.group(1)))
            time.sleep(0.3)
    finally:
        process.terminate()
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    sample.peak_mb.append(usage.ru_maxrss / 1024)
    result = sample.summary()
    result["build_median_s"] = round(statistics.median(reported), 3) if reported else 0.0
    return result


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def library(work: Path, rounds: int, count: int = 8) -> dict[str, dict[str, float]]:
    """``publish build`` of ``count`` guides, one worker against two."""
    folder = work / "library"
    shutil.copytree(GUIDE.parent / "images", folder / "images")
    for rules in GUIDE.parent.glob("*.rules.yaml"):
        shutil.copy(rules, folder / rules.name)
    guides = []
    for n in range(1, count + 1):
        target = folder / f"guide-{n}.md"
        shutil.copy(GUIDE, target)
        guides.append(str(target))
    results: dict[str, Sample] = {"jobs_1": Sample(), "jobs_2": Sample()}
    for r in range(rounds + 1):  # the first round is the warm-up
        order = ["jobs_1", "jobs_2"] if r % 2 == 0 else ["jobs_2", "jobs_1"]
        for key in order:
            measured = run([PYTHON, "-m", "publish", "build", *guides, "--out",
                            str(work / f"lib-{key}-{r}"), "--jobs", key[-1], "--no-cache",
                            "--quiet"], ROOT)
            if r:
                results[key].add(measured)
        if r:
            print(f"  library round {r}: --jobs 1 {results['jobs_1'].seconds[-1]:.2f} s, "
                  f"--jobs 2 {results['jobs_2'].seconds[-1]:.2f} s", flush=True)
    return {key: sample.summary() for key, sample in results.items()}


def machine() -> dict[str, object]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 for line in
                   Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)), "memory_mb": memory,
            "os": platform.platform(), "python": platform.python_version()}


def versions() -> dict[str, str]:
    from importlib.metadata import version

    import pypandoc

    return {"publish": version("publish"), "weasyprint": version("weasyprint"),
            "pandoc": str(pypandoc.get_pandoc_version())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds (default 5)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "latest.json")
    args = parser.parse_args()
    rounds = max(1, args.rounds)
    # A normal run leaves Python's bytecode cache for publish/ behind after the first
    # build; where PYTHONDONTWRITEBYTECODE is set (some sandboxes and CI images) every
    # run would compile the package again (≈ 0.1 s), so the cache is written here.
    compileall.compile_dir(ROOT / "publish", quiet=1)
    load_before = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="publish-bench-") as temp:
        work = Path(temp)
        print("Shipped guide: cold build against Pandoc", flush=True)
        shipped = compare("1×", GUIDE, work / "one", rounds)
        print("No-op rebuild", flush=True)
        nothing = noop(GUIDE, work / "one", rounds * 2)
        print("Hostile input: refused by the limits", flush=True)
        refused = hostile(work / "hostile", rounds)
        print("Watch mode", flush=True)
        watched = watch(work, rounds)
        long = long_guide(work / "long")
        print("10× guide: cold build against Pandoc", flush=True)
        tenfold = compare("10×", long, work / "ten", max(3, rounds // 2 + 1))
        page_counts = {"shipped": pages(work / "one" / "out-0" / "guide.pdf"),
                       "tenfold": pages(work / "ten" / "out-0" / "guide.pdf")}
        print("8 guides: --jobs 1 against --jobs 2", flush=True)
        jobs = library(work, max(2, rounds // 2))
        print("Chinese guide of the same length against the shipped guide", flush=True)
        zh = chinese_against_english(chinese_guide(work / "zh"), work / "zh", rounds)
    cold, pandoc = shipped["publish"]["median_s"], shipped["pandoc"]["median_s"]
    cold10, pandoc10 = tenfold["publish"]["median_s"], tenfold["pandoc"]["median_s"]
    figures = {
        "cold_vs_pandoc": round(cold / pandoc, 2),
        "noop_seconds": nothing["median_s"],
        "noop_vs_cold": round(nothing["median_s"] / cold, 3),
        "watch_seconds": watched["median_s"],
        "cold10_vs_pandoc10": round(cold10 / pandoc10, 2),
        "growth_vs_pages": round((cold10 / cold) / (page_counts["tenfold"]
                                                    / page_counts["shipped"]), 2),
        "jobs_speedup": round(jobs["jobs_1"]["median_s"] / jobs["jobs_2"]["median_s"], 2),
        "peak_mb": shipped["publish"]["peak_mb"],
        "peak10_mb": tenfold["publish"]["peak_mb"],
        "zh_vs_en": round(zh["chinese"]["median_s"] / zh["english"]["median_s"], 2),
        "hostile_seconds": max(r["median_s"] for r in refused.values()),
    }
    result = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {**machine(), "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "versions": versions(), "rounds": rounds,
        "bench_seconds": round(time.perf_counter() - started, 1),
        "shipped": shipped, "noop": nothing, "watch": watched, "tenfold": tenfold,
        "pages": page_counts, "library_8_guides": jobs, "chinese": zh, "hostile": refused,
        "figures": figures,
        "targets": {key: {"what": what, "target": f"{op} {limit}", "value": figures[key],
                          "met": figures[key] <= limit if op == "≤" else figures[key] >= limit}
                    for key, (what, op, limit) in TARGETS.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    report(result)
    print(f"\nWritten to {args.out}")


def report(result: dict) -> None:
    m = result["machine"]
    print(f"\n{m['cpu']}, {m['cores']} cores, {m['memory_mb']} MB, Python {m['python']}; "
          f"load average {m['load_average_before'][0]} before, {m['load_average_after'][0]} "
          f"after; {result['rounds']} rounds")
    rows = [("Shipped guide, cold build (all outputs, all checks)", result["shipped"]["publish"]),
            ("Shipped guide, Pandoc HTML + EPUB + PDF", result["shipped"]["pandoc"]),
            ("Shipped guide, no-op rebuild", result["noop"]),
            ("Shipped guide, watch: one-word edit → outputs on disk", result["watch"]),
            ("10× guide, cold build", result["tenfold"]["publish"]),
            ("10× guide, Pandoc", result["tenfold"]["pandoc"]),
            ("8 guides, --jobs 1", result["library_8_guides"]["jobs_1"]),
            ("8 guides, --jobs 2", result["library_8_guides"]["jobs_2"]),
            ("Chinese guide (same length), cold build", result["chinese"]["chinese"]),
            ("Shipped guide, cold build in the same rounds", result["chinese"]["english"]),
            ("Hostile: 4,800 '[' after an unclosed fence, check", result["hostile"]["fixture"]),
            ("Hostile: 2 MiB of unclosed fences and '[', check", result["hostile"]["fences_2mib"])]
    print(f"\n{'':58} {'median':>8} {'min–max':>14} {'CPU':>7} {'peak MB':>8}")
    for label, s in rows:
        cpu = f"{s['cpu_median_s']:>6.2f}s" if s["cpu_median_s"] else f"{'–':>7}"
        print(f"{label:58} {s['median_s']:>7.3f}s {s['min_s']:>6.2f}–{s['max_s']:<6.2f}s "
              f"{cpu} {s['peak_mb']:>8.1f}")
    print(f"\nPages of the standard PDF: {result['pages']['shipped']} (shipped), "
          f"{result['pages']['tenfold']} (10×)")
    print(f"\n{'Target':58} {'value':>8} {'target':>8}")
    for t in result["targets"].values():
        print(f"{t['what']:58} {t['value']:>8} {t['target']:>8}  "
              f"{'met' if t['met'] else 'NOT MET'}")


if __name__ == "__main__":
    main()
