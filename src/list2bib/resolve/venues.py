"""Venue names: the major ML/NLP/CV/IR venues and journals with the aliases S2, DBLP, Crossref and
lists write, mapped to one canonical name; list venue hints (`[NeurIPS 2022]`) read and compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from list2bib.model import Record
from list2bib.text.titles import fold_ascii

# (short, BibTeX field, fixed, canonical title, aliases separated by "|").
# `{year}` and `{acl_nth}` (ACL's meeting number: 2022 is the 60th) are filled in when the year is
# known. `fixed`: the canonical title is always written (its proceedings carry no per-year name
# worth keeping); otherwise a source's complete name is kept and only abbreviations, truncations
# and DBLP's long booktitles are replaced. Aliases are compared after `_key` (case, accents,
# punctuation, years, ordinals and a leading "Proceedings of the" dropped).
_C, _J = "booktitle", "journal"
# A non-fixed venue's own name is kept when it has at least this many words (not an acronym).
MIN_COMPLETE_WORDS = 5
_ACL = "Association for Computational Linguistics"
_TABLE: tuple[tuple[str, str, bool, str, str], ...] = (
    ("NeurIPS", _C, True,
     "Advances in Neural Information Processing Systems",
     "neurips|nips|neural information processing systems|advances in neural information "
     "processing systems|adv neural inf process syst|annual conference on neural information "
     "processing systems|conference on neural information processing systems"),
    ("ICLR", _C, True,
     "International Conference on Learning Representations",
     "iclr|international conference on learning representations|learning representations"),
    ("ICML", _C, True,
     "International Conference on Machine Learning",
     "icml|international conference on machine learning|pmlr icml"),
    ("COLM", _C, True,
     "Conference on Language Modeling",
     "colm|conference on language modeling"),
    ("AISTATS", _C, True,
     "International Conference on Artificial Intelligence and Statistics",
     "aistats|international conference on artificial intelligence and statistics|"
     "artificial intelligence and statistics"),
    ("UAI", _C, True,
     "Conference on Uncertainty in Artificial Intelligence",
     "uai|conference on uncertainty in artificial intelligence|uncertainty in artificial "
     "intelligence"),
    ("CoRL", _C, True,
     "Conference on Robot Learning",
     "corl|conference on robot learning"),
    ("COLT", _C, True,
     "Conference on Learning Theory",
     "colt|conference on learning theory|annual conference computational learning theory"),
    ("AAAI", _C, True,
     "Proceedings of the AAAI Conference on Artificial Intelligence",
     "aaai|aaai conference on artificial intelligence|national conference on artificial "
     "intelligence"),
    ("IJCAI", _C, True,
     "Proceedings of the International Joint Conference on Artificial Intelligence",
     "ijcai|international joint conference on artificial intelligence"),
    ("ACL", _C, False,
     f"Proceedings of the {{acl_nth}} Annual Meeting of the {_ACL}",
     f"acl|annual meeting of the {_ACL}|meeting of the {_ACL}|annual meeting of the "
     "association for computational linguistics volume long papers"),
    ("EMNLP", _C, False,
     "Proceedings of the {year} Conference on Empirical Methods in Natural Language Processing",
     "emnlp|conference on empirical methods in natural language processing|empirical methods "
     "in natural language processing"),
    ("NAACL", _C, False,
     "Proceedings of the {year} Conference of the North American Chapter of the "
     f"{_ACL}: Human Language Technologies",
     f"naacl|naacl hlt|naacl-hlt|north american chapter of the {_ACL}|conference of the north "
     f"american chapter of the {_ACL} human language technologies|conference of the north "
     f"american chapter of the {_ACL}"),
    ("EACL", _C, False,
     f"Proceedings of the {{year}} Conference of the European Chapter of the {_ACL}",
     f"eacl|conference of the european chapter of the {_ACL}|european chapter of the {_ACL}"),
    ("AACL", _C, False,
     f"Proceedings of the Conference of the Asia-Pacific Chapter of the {_ACL}",
     f"aacl|aacl-ijcnlp|aacl ijcnlp|asia-pacific chapter of the {_ACL}|conference of the "
     f"asia-pacific chapter of the {_ACL}"),
    ("COLING", _C, False,
     "Proceedings of the International Conference on Computational Linguistics",
     "coling|international conference on computational linguistics"),
    ("Findings of ACL", _C, True,
     f"Findings of the {_ACL}: ACL {{year}}",
     f"findings of acl|acl findings|findings of the {_ACL} acl|findings of the {_ACL} "
     f"acl ijcnlp"),
    ("Findings of EMNLP", _C, True,
     f"Findings of the {_ACL}: EMNLP {{year}}",
     f"findings of emnlp|emnlp findings|findings of the {_ACL} emnlp"),
    ("Findings of NAACL", _C, True,
     f"Findings of the {_ACL}: NAACL {{year}}",
     f"findings of naacl|naacl findings|findings of the {_ACL} naacl"),
    ("TACL", _J, True,
     f"Transactions of the {_ACL}",
     f"tacl|transactions of the {_ACL}|trans assoc comput linguistics|"
     "transactions of the association for computational linguistics"),
    ("CVPR", _C, False,
     "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition",
     "cvpr|computer vision and pattern recognition|conference on computer vision and pattern "
     "recognition|ieee cvf conference on computer vision and pattern recognition|ieee "
     "conference on computer vision and pattern recognition"),
    ("ICCV", _C, False,
     "Proceedings of the IEEE/CVF International Conference on Computer Vision",
     "iccv|ieee international conference on computer vision|international conference on "
     "computer vision|ieee cvf international conference on computer vision"),
    ("ECCV", _C, False,
     "European Conference on Computer Vision",
     "eccv|european conference on computer vision|computer vision eccv"),
    ("KDD", _C, False,
     "Proceedings of the ACM SIGKDD Conference on Knowledge Discovery and Data Mining",
     "kdd|sigkdd|knowledge discovery and data mining|acm sigkdd conference on knowledge "
     "discovery and data mining|acm sigkdd international conference on knowledge discovery "
     "and data mining|acm sigkdd international conference on knowledge discovery data mining"),
    ("WWW", _C, False,
     "Proceedings of the ACM Web Conference",
     "www|thewebconf|the web conference|web conference|acm web conference|international world "
     "wide web conference|world wide web conference|proceedings of the acm web conference"),
    ("SIGIR", _C, False,
     "Proceedings of the International ACM SIGIR Conference on Research and "
     "Development in Information Retrieval",
     "sigir|annual international acm sigir conference on research and development in "
     "information retrieval|international acm sigir conference on research and development in "
     "information retrieval"),
    ("ICRA", _C, False,
     "IEEE International Conference on Robotics and Automation",
     "icra|ieee international conference on robotics and automation|international conference "
     "on robotics and automation"),
    ("TMLR", _J, True,
     "Transactions on Machine Learning Research",
     "tmlr|transactions on machine learning research|trans mach learn res"),
    ("JMLR", _J, True,
     "Journal of Machine Learning Research",
     "jmlr|journal of machine learning research|j mach learn res"),
    ("TPAMI", _J, True,
     "IEEE Transactions on Pattern Analysis and Machine Intelligence",
     "tpami|pami|ieee transactions on pattern analysis and machine intelligence|ieee trans "
     "pattern anal mach intell"),
    ("Nature Machine Intelligence", _J, True,
     "Nature Machine Intelligence",
     "nature machine intelligence|nat mach intell|nat mac intell|natmi"),
    ("Nature", _J, True,
     "Nature",
     "nature"),
    ("Science", _J, True,
     "Science",
     "science"),
    ("PNAS", _J, True,
     "Proceedings of the National Academy of Sciences",
     "pnas|proceedings of the national academy of sciences|proceedings of the national academy "
     "of sciences of the united states of america|proc natl acad sci usa|proc natl acad sci"),
    ("Distill", _J, True,
     "Distill",
     "distill"),
    ("Neural Computation", _J, True,
     "Neural Computation",
     "neural computation|neural comput"),
)  # fmt: skip
# Words that say a hint is about something other than the main track.
_WORKSHOP = re.compile(r"\bworkshops?\b|\bws\b", re.IGNORECASE)
_FINDINGS = re.compile(r"\bfindings\b", re.IGNORECASE)
_HINT_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)|['’](\d\d)\b")
_ARXIV_HINT = re.compile(r"\b(arxiv|corr|preprint)\b", re.IGNORECASE)
_ORDINALS = """first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth
    thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth
    thirtieth fortieth fiftieth sixtieth seventieth"""
_ORDINAL_WORDS = frozenset(_ORDINALS.split())
_COMPOUND_ORDINAL = re.compile(r"^(twenty|thirty|forty|fifty|sixty|seventy)\w*$")
_LEADING = ("proceedings", "proc", "of", "the", "in")
_PLACEHOLDER = re.compile(r"\s*\{(?:year|acl_nth)\}")
# DBLP appends `, ACRONYM YEAR, place, dates` to a proceedings title.
_ACRONYM_YEAR = re.compile(r"[A-Za-z][\w@/-]*(?: [\w-]+)? \d{4}")


@dataclass(frozen=True, slots=True)
class Venue:
    """One venue. `series` is the main venue a track belongs to (EMNLP for Findings of EMNLP);
    `title` may hold `{year}`/`{acl_nth}` placeholders (see `title_for`)."""

    short: str
    bibtex_field: str
    title: str
    entry_type: str
    fixed: bool = True
    series: str = ""

    @property
    def findings(self) -> bool:
        return self.short.startswith("Findings of ")

    def title_for(self, year: str | None) -> str:
        """The canonical title, its placeholders filled when the year is known (else dropped)."""
        text = self.title
        if year and year[:4].isdigit():
            nth = int(year[:4]) - 1962  # ACL 1963 was the 1st meeting
            text = text.replace("{year}", year[:4]).replace("{acl_nth}", _ordinal(nth))
        return " ".join(_PLACEHOLDER.sub("", text).split())


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _key(name: str) -> str:
    """Compare form: ASCII, lower case, no parentheses, punctuation, numbers, ordinals or
    leading `Proceedings of the`."""
    text = fold_ascii(name).lower().replace("&", " and ")
    text = re.sub(r"\([^)]*\)", " ", text)
    words = [
        w
        for w in re.sub(r"[^a-z0-9]+", " ", text).split()
        if not re.fullmatch(r"\d+(st|nd|rd|th)?", w)
        and w not in _ORDINAL_WORDS
        and not _COMPOUND_ORDINAL.match(w)
    ]
    while words and words[0] in _LEADING:
        words.pop(0)
    return " ".join(words)


def _build() -> tuple[dict[str, Venue], dict[str, Venue], tuple[tuple[str, Venue], ...]]:
    by_alias: dict[str, Venue] = {}
    by_short: dict[str, Venue] = {}
    titles: list[tuple[str, Venue]] = []
    for short, field, fixed, title, aliases in _TABLE:
        series = short.removeprefix("Findings of ")
        kind = "inproceedings" if field == "booktitle" else "article"
        venue = Venue(short, field, title, kind, fixed, series)
        by_short[short.lower()] = venue
        for alias in (short, title, *aliases.split("|")):
            by_alias.setdefault(_key(alias.replace("{year}", "").replace("{acl_nth}", "")), venue)
        titles.append((_key(title.replace("{year}", "").replace("{acl_nth}", "")), venue))
        titles.extend((_key(a), venue) for a in aliases.split("|") if len(a.split()) >= 4)
    return by_alias, by_short, tuple(titles)


_BY_ALIAS, _BY_SHORT, _LONG_NAMES = _build()
VENUES: tuple[Venue, ...] = tuple(dict.fromkeys(_BY_SHORT.values()))


def lookup(name: str) -> Venue | None:
    """The venue a name (abbreviation, full, S2/DBLP/Crossref spelling, truncated) stands for.
    A name that says Findings (`EMNLP (Findings)`, DBLP's hit venue) is the Findings track."""
    venue = _find(name)[0]
    if venue is not None and not venue.findings and _FINDINGS.search(name):
        return _BY_SHORT.get(f"findings of {venue.short.lower()}", venue)
    return venue


def _find(name: str) -> tuple[Venue | None, bool]:
    """(venue, whether it was recognised only as a truncated name)."""
    if not name or not name.strip():
        return None, False
    for candidate in _readings(name):
        key = _key(candidate)
        if key in _BY_ALIAS:
            return _BY_ALIAS[key], False
    venue = _truncated(_key(name))
    return venue, venue is not None


def _readings(name: str) -> list[str]:
    """The whole name, then DBLP's leading parts (`Title 35: Annual ..., NeurIPS 2022, City`),
    then any `ACRONYM YEAR` part DBLP puts after the title."""
    text = " ".join(name.replace("{", "").replace("}", "").split())
    parts = [p.strip() for p in text.split(",")]
    readings = [text]
    readings += [", ".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]
    readings += [parts[0].split(":")[0]] if ":" in parts[0] else []
    readings += [p for p in parts[1:] if _ACRONYM_YEAR.fullmatch(p)]
    return readings


def without_dblp_tail(name: str) -> str:
    """`Proceedings of ... (Volume 1: Long Papers), ACL 2022, Dublin, Ireland, May 22-27, 2022`
    -> the title before DBLP's `ACRONYM YEAR` part; other names unchanged."""
    text = " ".join(name.split())
    parts = [p.strip() for p in text.split(",")]
    for i, part in enumerate(parts[1:], start=1):
        if _ACRONYM_YEAR.fullmatch(part):
            return ", ".join(parts[:i])
    return text


def _truncated(key: str) -> Venue | None:
    """A cut-off name (`Proceedings of the 2019 Conference of the North`): a prefix of exactly
    one venue's long name, and long enough to mean something."""
    if len(key.split()) < 3:
        return None
    found = {venue.short: venue for long, venue in _LONG_NAMES if long.startswith(key + " ")}
    return next(iter(found.values())) if len(found) == 1 else None


def normalise(field: str, name: str, year: str | None) -> str:
    """The name to write in `field` (`booktitle`/`journal`): the canonical title for known
    abbreviations, truncations and DBLP's long booktitles; a complete name as the source gives it
    (minus DBLP's place and date tail)."""
    text = " ".join(name.replace("{", "").replace("}", "").split())
    venue, truncated = _find(text)
    if venue is not None and not venue.findings and _FINDINGS.search(text):
        venue = lookup(text)
    if venue is None:
        return without_dblp_tail(text)
    if venue.fixed or field != venue.bibtex_field or truncated:
        return venue.title_for(year)
    own = without_dblp_tail(text)
    if len(_key(own).split()) >= MIN_COMPLETE_WORDS and not _looks_truncated(own):
        return own
    return venue.title_for(year)


def _looks_truncated(name: str) -> bool:
    return bool(re.search(r"\b(of|the|and|on|for|in|to|a)$", name.strip(), re.IGNORECASE))


def parse_hint(hint: str) -> tuple[Venue | None, str | None, bool]:
    """A list's venue hint -> (venue, year, findings). `EMNLP 2023 Findings` gives Findings of
    EMNLP; a workshop or arXiv hint names no venue (only its year)."""
    year_match = _HINT_YEAR.search(hint)
    year = None
    if year_match:
        year = year_match.group(1) or f"20{year_match.group(2)}"
    findings = bool(_FINDINGS.search(hint))
    if _WORKSHOP.search(hint) or _ARXIV_HINT.search(hint):
        return None, year, findings
    text = _HINT_YEAR.sub(" ", hint)
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
    venue = lookup(_FINDINGS.sub(" ", text))
    if venue is None:
        venue = next(
            (v for w in re.split(r"[\s/,;:|'’-]+", text) if (v := _BY_SHORT.get(w.lower()))), None
        )
    if venue is not None and findings and not venue.findings:
        venue = _BY_SHORT.get(f"findings of {venue.short.lower()}", venue)
    return venue, year, findings or (venue is not None and venue.findings)


def record_venue(record: Record) -> Venue | None:
    """The known venue a record was published at (None for preprints and unknown venues)."""
    name = record.venue.get("booktitle") or record.venue.get("journal") or ""
    return lookup(name) if name else None


def hint_agrees(hint: str, record: Record) -> str | None:
    """None when the list's hint and a published record agree (or cannot be compared), else a
    short text for the list's maintainer."""
    hinted, year, _ = parse_hint(hint)
    found = record_venue(record)
    if hinted is None or found is None:
        return None
    said = f"{hinted.short}{f' {year}' if year else ''}"
    if hinted.series != found.series:
        return f"list says {said}, sources say {_describe(found, record.year)}"
    if hinted.findings != found.findings:
        main = f"{found.series} main"
        listed = hinted.short if hinted.findings else main
        return f"list says {listed}, sources say {found.short if found.findings else main}"
    if year and record.year and year != record.year[:4]:
        return f"list says {said}, sources say {_describe(found, record.year)}"
    return None


def _describe(venue: Venue, year: str | None) -> str:
    return f"{venue.short}{f' {year[:4]}' if year else ''}"


def conference_name(record: Record) -> str:
    """The conference a published record appeared at, from the venue table: its short name and
    year (`ICLR 2023`), as Zotero's `conferenceName`; '' when the venue is no known conference."""
    venue = record_venue(record)
    if venue is None or venue.bibtex_field != "booktitle":
        return ""
    return f"{venue.short} {(record.year or '')[:4]}".strip()
