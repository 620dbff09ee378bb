"""Every script in benchmarks/ runs at a tiny size, so a change that breaks a benchmark fails here.

Each runs in its own process (the scripts put tests/ on sys.path and exit with a status), with no
latency and no politeness waits; the checks are on the figures it prints, never on their values
in seconds.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
NUMBER = r"\d+(?:\.\d+)?"


def bench(script: str, *args: str, timeout: float = 120) -> str:
    """What `script` prints when run with `args`; it must exit 0."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"{script} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


def figures(output: str, pattern: str) -> list[re.Match[str]]:
    """The lines of `output` that match `pattern` from their start."""
    return [m for line in output.splitlines() if (m := re.match(pattern, line))]


def test_bench_build() -> None:
    output = bench("bench_build.py", "--latency", "0", "--ids", "5", "--no-waits")
    runs = figures(
        output,
        rf"(?P<label>.+), (?P<when>cold|warm) +works= *(?P<works>\d+) +requests= *(?P<requests>\d+)"
        rf" \(.*\) +wall= *{NUMBER}s +peak-heap= *{NUMBER} MiB$",
    )
    labels = {(m["label"], m["when"]) for m in runs}
    for label in ("example list", "100-entry shaped list", "5 arXiv ids"):
        assert {(label, "cold"), (label, "warm")} <= labels, output
    assert all(int(m["works"]) > 0 for m in runs), output
    assert figures(output, r"arXiv: \d+ requests for 5 ids"), output
    assert figures(output, rf"process peak RSS: {NUMBER} MiB$"), output


def test_bench_merge() -> None:
    output = bench("bench_merge.py", "--entries", "40", "--list", "10", "--small", "5")
    assert figures(output, rf"generated \.bib: \d+ entries, {NUMBER} MiB$"), output
    assert figures(output, rf"bibtexparser parse\+write +wall= *{NUMBER}s"), output
    merges = figures(
        output,
        rf"merge: (build \(warm cache\)|refresh) +wall= *{NUMBER}s +peak-heap= *{NUMBER} MiB"
        rf" +ratio= *{NUMBER}x .* merged=(?P<merged>\d+) +kept=\d+ +requests=\d+$",
    )
    assert len(merges) == 2, output
    assert all(int(m["merged"]) > 0 for m in merges), output  # the repeated works were found
    assert figures(output, rf"refresh of 5 entries, warm +wall= *{NUMBER}s .*requests=\d+"), output


def test_bench_scale() -> None:
    output = bench(
        "bench_scale.py",
        *("--latency", "0", "--arxiv", "6", "--dois", "3", "--titles", "2", "--pages", "2"),
        "--no-waits",
    )
    assert figures(output, r"13 entries \(6 arXiv, 3 DOI, 2 titles only, 2 pages\)"), output
    runs = figures(
        output,
        rf"(?P<label>cold build|warm build|warm refresh) +works= *(?P<works>\d+) +requests= *\d+"
        rf" +wall= *{NUMBER}s +peak-RSS= *{NUMBER} MiB",
    )
    assert [m["label"] for m in runs] == ["cold build", "warm build", "warm refresh"], output
    assert all(int(m["works"]) == 13 for m in runs), output
    assert figures(output, r"identifier part: -?\d+ requests .* title searches: \d+"), output
    assert figures(output, rf"process peak RSS: {NUMBER} MiB"), output


def test_bench_pacing() -> None:
    output = bench("bench_pacing.py", "--latency", "0", "--small", "--no-waits")
    row = (
        rf"(?P<label>.+?) +works= *(?P<works>\d+) +requests= *\d+ +dblp= *(?P<dblp>\d+)"
        rf" +429s= *(?P<throttled>\d+)"
        rf" +wall= *{NUMBER}s +peak-heap= *{NUMBER} MiB(  429s from .*)?$"
    )
    runs = figures(output, row)
    labels = [m["label"] for m in runs]
    assert labels == ["seed list, 7 entries", "Scholar .bib, 4 arXiv papers",
                      "11 classics, 4 title only"], output  # fmt: skip
    assert all(int(m["works"]) > 0 and m["throttled"] == "0" for m in runs), output
    assert figures(output, rf"process peak RSS: {NUMBER} MiB$"), output


def test_bench_book() -> None:
    output = bench("bench_book.py", "--sizes", "20", "40")
    sizes = [
        (int(m["size"]), int(m["works"]), m["same"])
        for m in figures(
            output,
            rf" *(?P<size>\d+) entries offline, warm cache +works= *(?P<works>\d+) +"
            rf"same-as-cold=(?P<same>yes|no) +wall= *{NUMBER}s +per-1k= *{NUMBER}s"
            rf" +peak-RSS= *{NUMBER} MiB$",
        )
    ]
    assert sizes == [(20, 20, "yes"), (40, 40, "yes")], output  # every work, all from the cache


def test_bench_interrupt() -> None:
    output = bench("bench_interrupt.py", "--after", "0.5", "--latency", "0", "--trials", "1")
    stops = figures(
        output,
        rf"trial 1: Ctrl-C after {NUMBER}s +exited in +{NUMBER}s +status=(?P<status>-?\d+) +"
        r"output written: (?P<written>yes|no) +stderr: (?P<said>.*)$",
    )
    assert [(m["status"], m["written"]) for m in stops] == [("130", "no")], output
    assert "interrupted" in stops[0]["said"], output
    assert figures(output, rf"worst: {NUMBER}s \(target < 1 s\)$"), output


def test_bench_zotero() -> None:
    output = bench("bench_zotero.py", "--works", "5", "--latency", "0")
    syncs = figures(
        output,
        rf"(?P<label>.+?) +\d+ requests +\d+ item writes +\d+ collection writes +{NUMBER} s"
        r" +\(.*; (?P<items>\d+) items in the group; failed=0\)$",
    )
    assert [m["label"] for m in syncs] == [
        "first sync of 5",
        "unchanged re-sync",
        "re-sync, one title changed",
        "first sync, a write reply lost",
    ], output
    assert all(int(m["items"]) == 5 for m in syncs), output
    assert output.splitlines()[-1] == "targets met", output


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_bench_kill() -> None:
    output = bench("bench_kill.py", "--kills", "1", "--latency", "0")
    for command in ("build", "refresh"):
        assert figures(
            output,
            rf"{command} +run={NUMBER}s \(bib written at {NUMBER}s\) +kills=1"
            r" \(finished first: \d\) +damaged=0",
        ), output
    assert len(figures(output, r" +left \(bib\+state\+renames\): \S+=1$")) == 2, output
    assert output.splitlines()[-1] == "total: kills=2 damaged=0", output


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_bench_zotero_faults() -> None:
    output = bench("bench_zotero_faults.py", "--seeds", "1", "--kill-seeds", "1", "--kills", "1")
    tried = figures(output, r"syncs tried +(\d+)$")
    assert tried and int(tried[0][1]) == 6, output  # 3 faulty + 1 clean, 1 killed + 1 clean
    assert figures(output, r"faults served +\d+$"), output
    for line in ("duplicates found     0", "lost items           0", "user objects changed 0"):
        assert line in output.splitlines(), output
    assert figures(output, rf"wall time +{NUMBER} s faults, {NUMBER} s kills$"), output
    assert output.splitlines()[-1] == "all groups as intended", output


def test_serve_fakes_prints_its_environment_and_stops_on_ctrl_c() -> None:
    server = subprocess.Popen(
        [sys.executable, str(BENCHMARKS / "serve_fakes.py"), "--zotero-group", "7"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline().strip() for _ in range(12)]
        server.send_signal(signal.SIGINT)
        _, errors = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    exported = dict(line.removeprefix("export ").split("=", 1) for line in lines)
    services = ("ARXIV", "DOI", "CROSSREF", "DATACITE", "S2", "DBLP", "OPENREVIEW", "ACL", "PAGE",
                "OPENALEX")  # fmt: skip
    for name in (*services, "ZOTERO"):
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+(/.*)?", exported[f"LIST2BIB_{name}_URL"])
    assert exported["ZOTERO_API_KEY"]
    assert server.returncode == 0, errors


def test_bench_big_pages() -> None:
    row = (
        rf"(?P<mode>head|whole): pages=1 size=3 MB kept-per-page=(?P<kept>{NUMBER}) MB"
        rf" cache={NUMBER} MB peak-RSS={NUMBER} MiB wall={NUMBER}s$"
    )
    head = figures(bench("bench_big_pages.py", "--pages", "1", "--mb", "3"), row)
    whole = figures(bench("bench_big_pages.py", "--pages", "1", "--mb", "3", "--whole"), row)
    assert head and whole, (head, whole)
    assert float(head[0]["kept"]) <= 2.0 < float(whole[0]["kept"])
