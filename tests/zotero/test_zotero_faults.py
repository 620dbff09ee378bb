"""`zotero sync` under faults: every fault kind on reads and writes, three faulty syncs in a row
of a ~50-work list with nested topics, SIGKILL at seeded points, and a Zotero that is down.

Afterwards the group must hold exactly what a clean sync into a fresh fake holds (same keys,
data and collections), nothing twice, nothing missing, and the objects a user made by hand
byte-identical. A sync that runs out of retries says so in one line and exits non-zero; the next
clean sync finishes it.
"""

from __future__ import annotations

import copy
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result

from fakes import FAULT_KINDS, FakeClock, FakeServices, World, make_http
from fakes.zotero import COMMITTED_FAULTS, FakeZotero, reference
from list2bib.cli import main
from list2bib.config import SERVICE_DEFAULTS
from list2bib.infra.http import Http, HttpSettings
from list2bib.zotero.client import ZoteroClient
from list2bib.zotero.index import FORMAT, Index
from list2bib.zotero.items import MARKER
from list2bib.zotero.sync import sync

GROUP = "12345"
ROOT = "list2bib"
# A "timeout" fault holds the connection this long; the client gives up sooner.
STALL = 0.3
CLIENT_TIMEOUT = 0.2
SECTIONS = (
    "Interpretability > Probing > Linear probes",
    "Interpretability > Probing",
    "Interpretability > Circuits",
    "Editing > Memory",
    "Editing",
    "Robustness",
)
_WORDS = [
    "amber", "basalt", "cobalt", "delta", "ember", "fjord", "granite", "harbor", "indigo",
    "jasper", "kelp", "lumen", "meadow", "nickel", "onyx", "prairie", "quartz", "raven", "sierra",
    "tundra", "umber", "violet", "willow", "xenon", "yarrow", "zephyr",
]  # fmt: skip


# --- the works, the lists and the syncs -----------------------------------------------------------


def synthetic_works(n: int) -> list[dict[str, Any]]:
    """`n` made-up works for the fake services: four in five on arXiv, the rest Crossref DOIs."""
    works = []
    for i in range(n):
        title = f"Fault tolerant {_WORDS[i % 26]} {_WORDS[(i * 7 + 3) % 26]} synchronisation {i}"
        work: dict[str, Any] = {
            "key": f"fault{i}",
            "title": title,
            "authors": [
                {"given": "Ada", "family": f"Tester{i}"},
                {"given": "Bo", "family": "Quinn"},
            ],
            "exercises": "a synthetic work for the Zotero fault tests",
        }
        if i % 5 == 4:
            work["crossref"] = {
                "doi": f"10.5555/faults.{i}",
                "type": "proceedings-article",
                "container": "Proceedings of the Workshop on Faults",
                "issued": [2023, 6],
                "publisher": "Fault Press",
            }
        else:
            work["arxiv"] = {
                "id": f"2305.{10000 + i}",
                "versions": ["2023-05-02T12:00:00Z"],
                "primary": "cs.LG",
                "categories": ["cs.LG"],
            }
        works.append(work)
    return works


def reading_list(works: list[dict[str, Any]], moved: frozenset[str] = frozenset()) -> str:
    """A markdown list of `works`, spread over nested sections; `moved` ones one section on."""
    by_section: dict[str, list[str]] = {}
    for i, work in enumerate(works):
        section = SECTIONS[(i + (work["key"] in moved)) % len(SECTIONS)]
        if "crossref" in work:
            link = f"https://doi.org/{work['crossref']['doi']}"
        else:
            link = f"https://arxiv.org/abs/{work['arxiv']['id']}"
        by_section.setdefault(section, []).append(f"- [{work['title']}]({link})")
    lines = ["# Fault-tolerance reading list", ""]
    opened: set[str] = set()
    for section in sorted(by_section, key=SECTIONS.index):
        parts = section.split(" > ")
        for depth in range(1, len(parts) + 1):
            path = " > ".join(parts[:depth])
            if path not in opened:
                opened.add(path)
                lines += ["#" * (depth + 1) + " " + parts[depth - 1], ""]
        lines += [*by_section[section], ""]
    return "\n".join(lines)


WORKS = synthetic_works(55)
# The first list; the second drops two works, adds seven and moves four to another topic.
LIST_A = reading_list(WORKS[:48])
DROPPED = {"fault3", "fault8"}
LIST_B = reading_list(
    [w for w in WORKS if w["key"] not in DROPPED],
    moved=frozenset({"fault1", "fault2", "fault9", "fault20"}),
)
# (list, extra options) of each sync in a row: the third also trashes the dropped works.
STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("a.md", ()),
    ("b.md", ()),
    ("b.md", ("--prune",)),
)


def fault_world() -> World:
    world = World.load()
    for work in WORKS:
        world.add(copy.deepcopy(work))
    return world


@dataclass
class Place:
    """One sync setup: its folder (lists, config, cache), the fake Zotero and the environment."""

    folder: Path
    zotero: FakeZotero
    env: dict[str, str]
    clock: FakeClock = field(default_factory=FakeClock)

    @property
    def index(self) -> Path:
        return Index.path_for(self.folder / "cache", GROUP)

    def args(self, version: str, *options: str) -> list[str]:
        """A sync of the reading list as it reads at `version` (`a.md`, `b.md`): one list file
        whose text changes between syncs, as a maintained list's does."""
        listed = self.folder / "reading-list.md"
        listed.write_text((self.folder / version).read_text(encoding="utf-8"), encoding="utf-8")
        return ["zotero", "sync", str(listed), "--group", GROUP,
                "--config", str(self.folder / "list2bib.toml"), *options]  # fmt: skip


def make_place(
    folder: Path, services: FakeServices, zotero: FakeZotero, *, retries: int, timeout: float
) -> Place:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.md").write_text(LIST_A, encoding="utf-8")
    (folder / "b.md").write_text(LIST_B, encoding="utf-8")
    intervals = "".join(f"[services.{name}]\nmin_interval = 0\n" for name in SERVICE_DEFAULTS)
    (folder / "list2bib.toml").write_text(
        f"[network]\nretries = {retries}\ntimeout = {timeout}\n{intervals}", encoding="utf-8"
    )
    env = {f"LIST2BIB_{n.upper()}_URL": c.base_url for n, c in services.service_configs().items()}
    env |= {
        "LIST2BIB_ZOTERO_URL": zotero.base_url,
        "ZOTERO_API_KEY": FakeZotero.WRITER,
        "LIST2BIB_CACHE_DIR": str(folder / "cache"),
        "LIST2BIB_MAILTO": "tester@example.org",
    }
    return Place(folder, zotero, env)


def cli_sync(place: Place, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    """`list2bib zotero sync` in-process; the Zotero transport sleeps on the place's fake clock."""

    def http(settings: HttpSettings) -> Http:
        return Http(settings, clock=place.clock)

    monkeypatch.setattr("list2bib.cli.zotero.Http", http)
    result = CliRunner().invoke(main, list(args), env=place.env, catch_exceptions=False)
    assert FakeZotero.WRITER not in result.output
    return result


# --- what a group holds ---------------------------------------------------------------------------

_VOLATILE = ("version", "dateAdded", "dateModified")


def ours(fake: FakeZotero) -> dict[str, Any]:
    """list2bib's items and collections, without versions and timestamps."""
    below = {
        k for k, c in fake.collections.items() if c["name"] == ROOT and not c["parentCollection"]
    }
    grew = True
    while grew:
        more = {k for k, c in fake.collections.items() if c["parentCollection"] in below}
        grew = bool(more - below)
        below |= more
    mine = {k for k, d in fake.items.items() if f"{MARKER}:" in str(d.get("extra") or "")}
    items = {
        k: {n: v for n, v in d.items() if n not in _VOLATILE}
        for k, d in fake.items.items()
        if k in mine or d.get("parentItem") in mine  # with the PDF links made for them
    }
    collections = {
        k: (fake.collections[k]["name"], fake.collections[k]["parentCollection"]) for k in below
    }
    return {"items": items, "collections": collections}


def assert_no_duplicates(fake: FakeZotero) -> None:
    titles = Counter(d.get("title") for d in fake.top_items.values())
    assert [t for t, n in titles.items() if n > 1] == []
    links = Counter((d["parentItem"], d.get("url")) for d in fake.items.values()
                    if d.get("parentItem"))  # fmt: skip
    assert [link for link, n in links.items() if n > 1] == []
    markers = Counter(
        line for d in fake.items.values() for line in str(d.get("extra") or "").splitlines()
        if line.startswith(f"{MARKER}:")
    )  # fmt: skip
    assert [m for m, n in markers.items() if n > 1] == []
    paths = Counter((c["name"], c["parentCollection"]) for c in fake.collections.values())
    assert [p for p, n in paths.items() if n > 1] == []


def assert_same_group(got: dict[str, Any], want: dict[str, Any], seed: int) -> None:
    """`got` is `want`, except that an item the clean history created and then trashed may be
    missing: when the faults stopped the sync that would have created it, no later list asked
    for it."""
    assert got["collections"] == want["collections"], seed
    trashed = {k for k, d in want["items"].items() if d.get("deleted")}
    trashed |= {k for k, d in want["items"].items() if d.get("parentItem") in trashed}
    assert set(got["items"]) - set(want["items"]) == set(), seed
    assert set(want["items"]) - set(got["items"]) <= trashed, seed
    for key, data in got["items"].items():
        assert data == want["items"][key], (seed, key)


def seed_by_hand(fake: FakeZotero) -> list[tuple[str, str]]:
    """Objects a user made in the Zotero app: (kind, key) of each."""
    made: list[tuple[str, str]] = []

    def collection(name: str, parent: str | bool = False) -> str:
        report = fake._write_objects(
            "collections", [{"name": name, "parentCollection": parent}], header=False
        )
        key = str(report["success"]["0"])
        made.append(("collections", key))
        return key

    reading = collection("My reading")
    later = collection("Papers", reading)  # the same name as a topic, elsewhere
    collection("Robustness")  # a topic's name at the top level
    for data in (
        {"itemType": "journalArticle", "title": "A paper I keep", "DOI": "10.9999/own.1",
         "collections": [reading], "tags": [{"tag": "mine"}], "extra": "read twice"},
        {"itemType": "webpage", "title": "Someone's bookmark", "url": "https://example.org/b",
         "collections": [later]},
        {"itemType": "preprint", "title": "A preprint I saved", "archiveID": "arXiv:2101.00001",
         "collections": [later, reading]},
        {"itemType": "document", "title": "Loose notes"},
    ):  # fmt: skip
        made.append(("items", fake.add_item(data)))
    return made


def served(fake: FakeZotero, objects: list[tuple[str, str]]) -> dict[str, Any]:
    """Each object's stored data and the exact bytes the server answers for it."""
    snapshot: dict[str, Any] = {}
    for kind, key in objects:
        store = fake.items if kind == "items" else fake.collections
        reply = requests.get(
            f"{fake.base_url}/groups/{GROUP}/{kind}/{key}",
            headers={"Zotero-API-Key": FakeZotero.WRITER},
            timeout=5,
        )
        snapshot[key] = (copy.deepcopy(store[key]), reply.status_code, reply.content)
    return snapshot


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def services() -> Iterator[FakeServices]:
    with FakeServices(fault_world()) as fakes:
        yield fakes


@pytest.fixture(scope="module")
def intended(
    services: FakeServices, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    """What clean syncs into a fresh group leave: after list A alone, and after every step."""
    found: dict[str, dict[str, Any]] = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, steps in (("a", STEPS[:1]), ("all", STEPS)):
            with FakeZotero() as fake:
                folder = tmp_path_factory.mktemp(f"intended-{name}")
                place = make_place(folder, services, fake, retries=4, timeout=5.0)
                for list_name, options in steps:
                    result = cli_sync(place, monkeypatch, *place.args(list_name, *options))
                    assert result.exit_code == 0, result.output
                found[name] = ours(fake)
    return found


def test_the_intended_group_is_what_the_lists_say(intended: dict[str, dict[str, Any]]) -> None:
    """The reference itself: every listed work once, the dropped ones trashed, nested topics."""
    final = intended["all"]
    links = [d for d in final["items"].values() if d.get("parentItem")]
    assert sorted(d["parentItem"] for d in links) == sorted(
        k for k, d in final["items"].items() if "\narXiv: " in str(d.get("extra"))
    )  # one PDF link per work on arXiv
    final = {**final, "items": {k: d for k, d in final["items"].items() if not d.get("parentItem")}}
    titles = {d["title"] for d in final["items"].values()}
    assert titles == {w["title"] for w in WORKS}
    trashed = {d["citationKey"] for d in final["items"].values() if d.get("deleted")}
    assert len(trashed) == len(DROPPED)
    names = {name for name, _ in final["collections"].values()}
    assert names == {ROOT, "Interpretability", "Probing", "Linear probes", "Circuits", "Editing",
                     "Memory", "Robustness"}  # fmt: skip
    assert len([d for d in intended["a"]["items"].values() if not d.get("parentItem")]) == 48
    types = Counter(d["itemType"] for d in final["items"].values())
    assert types == {"preprint": 44, "conferencePaper": 11}


# --- one fault, one request -----------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeZotero]:
    with FakeZotero() as server:
        server.stall = STALL
        yield server


def client_for(fake: FakeZotero, http: Http) -> ZoteroClient:
    return ZoteroClient(http, fake.base_url, GROUP, FakeZotero.WRITER)


@pytest.mark.parametrize("kind", sorted(FAULT_KINDS))
def test_a_faulty_write_is_done_exactly_once(fake: FakeZotero, kind: str) -> None:
    body = [{"key": "ABCD2345", "version": 0, "itemType": "document", "title": "Once"}]
    fake.fail_next(1, kind)
    with make_http(clock=FakeClock(), timeout=CLIENT_TIMEOUT) as http:
        report = client_for(fake, http).write("items", body, 0)
    posts = [r for r in fake.requests if r.method == "POST"]
    assert len(posts) == 2 and fake.faults_served == {kind: 1}
    assert posts[0].headers["zotero-write-token"] == posts[1].headers["zotero-write-token"]
    assert list(fake.items) == ["ABCD2345"] and fake.version == 1
    if kind in COMMITTED_FAULTS:
        # Carried out before the fault: the retry is refused by its write token.
        assert report.committed and "Write token already used" in report.conflict
    else:
        assert not report.conflict and list(report.successful) == [0]


@pytest.mark.parametrize("kind", sorted(FAULT_KINDS))
def test_a_faulty_read_is_asked_again(fake: FakeZotero, kind: str) -> None:
    key = fake.add_item({"itemType": "document", "title": "Read me"})
    fake.fail_next(1, kind)
    with make_http(clock=FakeClock(), timeout=CLIENT_TIMEOUT) as http:
        client = client_for(fake, http)
        versions, library = client.versions("items", 0)
        assert versions == {key: 1} and library == 1
        assert [o["data"]["title"] for o in client.fetch("items", [key])] == ["Read me"]
    assert len(fake.requests) == 3 and fake.faults_served == {kind: 1}


@pytest.mark.parametrize("kind", sorted(COMMITTED_FAULTS))
def test_a_lost_answer_mid_sync_is_read_back_and_counted(
    fake: FakeZotero, kind: str, tmp_path: Path
) -> None:
    # The collections write goes through; the item write is carried out, its answer lost.
    fake.before_next_write(lambda server: server.fail_next(1, kind))
    refs = [reference(f"p{i}", doi=f"10.1000/p{i}", topics=(("A", "B"),)) for i in range(5)]
    with make_http(clock=FakeClock(), timeout=CLIENT_TIMEOUT) as http:
        result = sync(refs, client_for(fake, http), tmp_path / "index.json")
    assert not result.failed
    assert result.count("create") == 5 and result.count("collection") == 3
    assert len(fake.items) == 5 and len(fake.collections) == 3
    assert [r.method for r in fake.requests].count("POST") == 3  # collections, items, retry


# --- three faulty syncs in a row ------------------------------------------------------------------

# (share of requests that fail, seed): together they serve every fault kind, and with one retry
# per request some syncs run out of retries while others get through.
FAULTY = ((0.1, 7), (0.2, 5), (0.3, 10), (0.3, 18))


def test_three_faulty_syncs_then_a_clean_one_leave_the_intended_group(
    services: FakeServices,
    intended: dict[str, dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kinds_served: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for share, seed in FAULTY:
        with FakeZotero() as fake:
            fake.stall = STALL
            mine = seed_by_hand(fake)
            before = served(fake, mine)
            place = make_place(
                tmp_path / f"seed{seed}", services, fake, retries=1, timeout=CLIENT_TIMEOUT
            )
            fake.fault_mode(share, seed=seed)
            for list_name, options in STEPS:
                result = cli_sync(place, monkeypatch, *place.args(list_name, *options))
                assert result.exit_code in (0, 1), (seed, result.output)
                if result.exit_code:
                    # Out of retries: one line, saying what to do.
                    lines = result.stderr.strip().splitlines()
                    assert len(lines) == 1, (seed, result.stderr)
                    assert lines[0].startswith("list2bib: error: zotero: "), lines
                    assert "run it again" in lines[0] or "try again later" in lines[0]
                    outcomes["gave up"] += 1
                else:
                    outcomes["ok"] += 1
                assert_no_duplicates(fake)
            kinds_served.update(fake.faults_served)
            fake.fault_mode(0)
            last_list, last_options = STEPS[-1]
            final = cli_sync(place, monkeypatch, *place.args(last_list, *last_options))
            assert final.exit_code == 0, (seed, final.output)
            fake.clear_log()
            again = cli_sync(place, monkeypatch, *place.args(last_list, *last_options))
            assert "nothing to write" in again.output
            assert [r.method for r in fake.requests if r.method != "GET"] == []
            assert_no_duplicates(fake)
            assert_same_group(ours(fake), intended["all"], seed)
            assert served(fake, mine) == before, seed  # the user's own objects untouched
    assert set(kinds_served) == FAULT_KINDS, kinds_served
    assert outcomes["gave up"] and outcomes["ok"], outcomes


def test_ctrl_c_after_a_write_says_the_group_may_be_partly_synced(
    services: FakeServices,
    intended: dict[str, dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_write = ZoteroClient.write

    def write_then_interrupt(self: ZoteroClient, *args: Any, **kwargs: Any) -> Any:
        real_write(self, *args, **kwargs)
        raise KeyboardInterrupt

    with FakeZotero() as fake:
        place = make_place(tmp_path, services, fake, retries=1, timeout=5.0)
        with monkeypatch.context() as patched:
            patched.setattr(ZoteroClient, "write", write_then_interrupt)
            result = cli_sync(place, patched, *place.args("a.md"))
        assert result.exit_code == 130
        assert result.stderr.strip().splitlines() == [
            "list2bib: interrupted; group 12345 may be partly synced: run the sync again to"
            " finish (nothing is duplicated)"
        ]
        assert len(fake.collections) == len(intended["a"]["collections"]) and not fake.items
        assert cli_sync(place, monkeypatch, *place.args("a.md")).exit_code == 0
        assert ours(fake) == intended["a"]


# --- SIGKILL --------------------------------------------------------------------------------------

LATENCY = 0.05


def _index_is_whole(path: Path) -> None:
    """The index is missing or complete: never a half-written file."""
    if not path.exists():
        return
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["format"] == FORMAT and saved["group"] == GROUP
    assert isinstance(saved["version"], int)
    assert all(isinstance(d, dict) and d["key"] == k for k, d in saved["items"].items())
    assert Index.load(path, GROUP).version == saved["version"]


def _quiet(fake: FakeZotero, timeout: float = 5.0) -> None:
    """Wait until the server has finished what a killed client left in flight."""
    deadline = time.monotonic() + timeout
    while fake.requests_in_flight and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(LATENCY)


def _child(place: Place) -> subprocess.Popen[bytes]:
    """`python -m list2bib zotero sync a.md` in a process of its own."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("LIST2BIB_", "ZOTERO_"))}
    env = {**inherited, **place.env}
    return subprocess.Popen(
        [sys.executable, "-m", "list2bib", *place.args("a.md")],
        env=env,
        cwd=place.folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_save_that_dies_midway_leaves_the_previous_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Index.path_for(tmp_path, GROUP)
    Index(GROUP, 7, {"ABCD2345": {"key": "ABCD2345", "version": 7}}).save(path)
    before = path.read_bytes()

    real_write = os.write

    def dies(fd: int, data: Any) -> int:
        real_write(fd, bytes(data[:40]))
        raise KeyboardInterrupt  # the process is stopped half-way through writing

    monkeypatch.setattr("list2bib.infra.files.os.write", dies)
    with pytest.raises(KeyboardInterrupt):
        Index(GROUP, 9, {"ABCD2345": {"key": "ABCD2345", "version": 9}}).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_temp_files_of_killed_runs_are_swept(tmp_path: Path) -> None:
    path = Index.path_for(tmp_path, GROUP)
    path.parent.mkdir(parents=True)
    old = path.parent / f".{path.name}.0123abcd.tmp"
    fresh = path.parent / f".{path.name}.89abcdef.tmp"
    old.write_text("{", encoding="utf-8")
    fresh.write_text("{", encoding="utf-8")  # perhaps another run saving right now
    os.utime(old, (time.time() - 2 * 3600, time.time() - 2 * 3600))
    Index(GROUP).save(path)
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, fresh.name])


@pytest.mark.parametrize("seed", [5, 17])
def test_sigkill_at_random_points_then_a_clean_sync(
    services: FakeServices, intended: dict[str, dict[str, Any]], tmp_path: Path, seed: int
) -> None:
    chance = random.Random(seed)
    with FakeZotero() as fake:
        fake.latency = LATENCY
        mine = seed_by_hand(fake)
        before = served(fake, mine)
        place = make_place(tmp_path, services, fake, retries=1, timeout=5.0)
        killed = behind = 0
        for _ in range(3):
            start, version = len(fake.requests), fake.version
            target = start + chance.randint(2, 8)
            child = _child(place)
            while len(fake.requests) < target and child.poll() is None:
                time.sleep(0.002)
            time.sleep(chance.uniform(0, 1.5 * LATENCY))  # before or after the server commits
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                killed += 1
            child.communicate(timeout=30)
            _quiet(fake)
            _index_is_whole(place.index)
            assert_no_duplicates(fake)
            # A write the killed run had committed but not recorded in its index.
            behind += version < fake.version != Index.load(place.index, GROUP).version
        assert killed >= 2 and behind >= 1, (killed, behind)
        clean = _child(place)
        _, stderr = clean.communicate(timeout=60)
        assert clean.returncode == 0, stderr.decode()
        _index_is_whole(place.index)
        assert_no_duplicates(fake)
        assert ours(fake) == intended["a"]
        assert served(fake, mine) == before
        saved = json.loads(place.index.read_text(encoding="utf-8"))
        assert saved["version"] == fake.version and set(saved["items"]) == set(fake.items)


# --- a Zotero that is down ------------------------------------------------------------------------


@pytest.mark.parametrize(("retries", "bound"), [(4, 5), (30, 6)])
def test_a_zotero_that_is_down_stops_the_sync_quickly(
    services: FakeServices,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    retries: int,
    bound: int,
) -> None:
    """Retries, then the host's breaker (6 failures in a row) bound the requests and the backoff
    (2 s, 4 s, ... on a fake clock, so nothing really sleeps)."""
    with FakeZotero() as fake:
        place = make_place(tmp_path, services, fake, retries=retries, timeout=5.0)
        fake.fault_mode(1.0, kinds=["503"])
        result = cli_sync(place, monkeypatch, *place.args("a.md"))
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("list2bib: error: zotero: ") and "503" in lines[0]
        assert "nothing was written to group 12345" in lines[0]
        assert len(fake.requests) == bound
        # Waited on the fake clock: about half a minute by default, a minute at most (the breaker).
        assert sum(place.clock.sleeps) <= 62
        assert fake.items == {}
