"""What a published record's venue says beyond its name: one canonical name per venue, the volume
a year's proceedings carry (NeurIPS, JMLR, TACL by year; PMLR's from its address), the publisher
under the name bibliographies use (or none where the venue has none), and the chapter of a
proceedings series typed as a conference paper."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from list2bib.model import Identifier, IdKind, Record, WorkKind
from list2bib.resolve import venues

# Venues whose volumes are numbered by year: the year of volume 1, less one (NeurIPS 2017 is
# volume 30, JMLR 2000 volume 1, TACL 2013 volume 1).
VOLUME_YEAR_ZERO = {"NeurIPS": 1987, "JMLR": 1999, "TACL": 2012}
PMLR_SERIES = "Proceedings of Machine Learning Research"
_PMLR_VOLUME = re.compile(r"^v(\d+)/")
_PMLR_URL = re.compile(r"//proceedings\.mlr\.press/v(\d+)/", re.IGNORECASE)
# ICLR's proceedings are on OpenReview from 2017; before, the papers were on arXiv only.
_ICLR_OPENREVIEW_FROM = 2017
# A publisher's registered name (Crossref's) -> the name bibliographies give it (DBLP's).
PUBLISHER_NAMES = {
    "springer science and business media llc": "Springer",
    "springer berlin heidelberg": "Springer",
    "springer international publishing": "Springer",
    "springer nature switzerland": "Springer",
    "springer nature singapore": "Springer",
    "springer nature": "Springer",
    "mit press - journals": "MIT Press",
    "the mit press": "MIT Press",
    "institute of electrical and electronics engineers (ieee)": "IEEE",
    "institute of electrical and electronics engineers": "IEEE",
    "association for computing machinery (acm)": "ACM",
    "association for computing machinery": "ACM",
    "elsevier bv": "Elsevier",
    "oxford university press (oup)": "Oxford University Press",
    "cambridge university press (cup)": "Cambridge University Press",
    "american association for the advancement of science (aaas)": (
        "American Association for the Advancement of Science"
    ),
}
# Book series that publish conference proceedings: a chapter in one is a conference paper.
PROCEEDINGS_SERIES = frozenset(
    {"lecture notes in computer science", "lecture notes in artificial intelligence",
     "communications in computer and information science",
     "lecture notes in business information processing", "leibniz international proceedings "
     "in informatics (lipics)", "ifip advances in information and communication technology"}
)  # fmt: skip


def complete(record: Record, ids: Sequence[Identifier] = (), *, short: bool = False) -> Record:
    """`record` with its venue's canonical name (`short`: its short name, `NeurIPS`), volume,
    publisher and entry type as above. Nothing is guessed: a volume comes from the venue's
    numbering or the record's own address."""
    if record.kind is not WorkKind.PUBLISHED or record.source == "bib":
        return record
    fields = dict(record.venue)
    entry_type, month = record.entry_type, record.month
    if entry_type == "incollection" and fields.get("series", "").lower() in PROCEEDINGS_SERIES:
        entry_type = "inproceedings"
    if publisher := fields.get("publisher", ""):
        fields["publisher"] = PUBLISHER_NAMES.get(" ".join(publisher.lower().split()), publisher)
    year = int(record.year[:4]) if record.year and record.year[:4].isdigit() else None
    venue = venues.record_venue(record)
    if venue is not None:
        name = fields.get(venue.bibtex_field)
        if venue.fixed and venue.entry_type == "inproceedings":
            # The sources' month of such a paper is its preprint's or its submission's
            # (OpenReview), never the meeting's: one NeurIPS entry is dated like another.
            month = None
        if name and (venue.fixed or short):
            fields[venue.bibtex_field] = venue.short if short else venue.title_for(record.year)
        zero = VOLUME_YEAR_ZERO.get(venue.short)
        if zero is not None and year is not None and year > zero and not fields.get("volume"):
            fields["volume"] = str(year - zero)
        before_openreview = year is None or year < _ICLR_OPENREVIEW_FROM
        on_openreview = fields.get("publisher", "").lower() == "openreview.net"
        if venue.short == "ICLR" and before_openreview and on_openreview:
            del fields["publisher"]
    pmlr = _pmlr_volume(record, ids)
    if pmlr and not fields.get("volume"):
        fields["volume"] = pmlr
        fields.setdefault("series", PMLR_SERIES)
    if (fields, entry_type, month) == (record.venue, record.entry_type, record.month):
        return record
    return replace(record, venue=fields, entry_type=entry_type, month=month)


def _pmlr_volume(record: Record, ids: Sequence[Identifier]) -> str | None:
    """The PMLR volume of the record's own address or of a PMLR link the list gave."""
    for identifier in ids:
        if identifier.kind is IdKind.PMLR and (found := _PMLR_VOLUME.match(identifier.value)):
            return found.group(1)
    found = _PMLR_URL.search(record.url or "")
    return found.group(1) if found else None
