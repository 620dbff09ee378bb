"""Is a listed link a work (a paper, report, blog post, essay) or something nobody cites (a person,
a chat invite, a tool, a course, a channel, a venue's page, a link collection)? The evidence a
reader uses: the link target, then the section it is listed under. A scholarly identifier (arXiv,
DOI, OpenReview, ACL, PMLR, ...) always makes a work.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from list2bib.model import IdKind
from list2bib.text.identifiers import parse_identifier, split_url, url_host

# Link targets that name what is behind them: (host pattern, path pattern, reason).
_TARGETS: tuple[tuple[str, str, str], ...] = (
    (r"discord\.gg|discord(?:app)?\.com", r"/(?:invite|channels)?/?\S*", "a chat invite"),
    (r"t\.me|telegram\.me|chat\.whatsapp\.com|gitter\.im|matrix\.to", r"", "a chat invite"),
    (r"join\.slack\.com|[\w-]+\.slack\.com", r"", "a chat invite"),
    (r"scholar\.google\.[a-z.]+", r"/citations", "a person's Google Scholar profile"),
    (r"(?:www\.)?semanticscholar\.org", r"/author/", "a person's Semantic Scholar profile"),
    (r"dblp\.org|dblp\.uni-trier\.de", r"/pid/", "a person's DBLP page"),
    (r"orcid\.org", r"", "a person's ORCID page"),
    (r"(?:www\.)?linkedin\.com", r"/(?:in|company)/", "a profile page"),
    (r"(?:www\.|mobile\.)?(?:twitter|x)\.com", r"/[\w]+/?$", "a social media profile"),
    (r"(?:www\.|m\.)?youtube\.com", r"/(?:@|c/|channel/|user/)", "a video channel"),
    (r"space\.bilibili\.com", r"", "a video channel"),
    (r"docs\.google\.com", r"/(?:spreadsheets|forms)/", "a spreadsheet or form"),
    (r"(?:www\.)?(?:coursera\.org|edx\.org|udemy\.com|udacity\.com)", r"", "a course"),
    (r"pypi\.org|(?:www\.)?npmjs\.com", r"/(?:project|package)/", "a software package"),
    (r"chrome\.google\.com|chromewebstore\.google\.com|apps\.apple\.com|play\.google\.com",
     r"", "an app"),
    (r"[\w.-]+\.readthedocs\.io", r"", "software documentation"),
    (r"huggingface\.co", r"/spaces/", "a demo"),
    (r"huggingface\.co", r"/(?!papers/|datasets/|blog/|docs/)[\w.-]+/[\w.-]+/?$", "a model page"),
    (r"(?:www\.)?github\.com", r"/[\w.-]+/?$", "a person's or group's code page"),
)  # fmt: skip
_COMPILED = tuple((re.compile(h), re.compile(p), why) for h, p, why in _TARGETS)

# Section headings under which a plain link is not a work. Papers about tools, datasets or
# benchmarks carry identifiers and are kept whatever their section says.
_SECTIONS: tuple[tuple[str, str], ...] = (
    (r"tools?|toolkits?|software|librar(?:y|ies)|frameworks?|packages?|apps?|products?"
     r"|platforms?|demos?|playgrounds?|codebases?|implementations?", "a tool or software page"),
    (r"courses?|lectures?|classes|syllab(?:us|i)|curricul(?:um|a)", "a course"),
    (r"people|researchers?|authors?|who to follow|persons?|scholars?", "a person"),
    (r"groups?|labs?|organi[sz]ations?|institutions?|companies|startups?|communit(?:y|ies)"
     r"|teams?|discord|slack|chats?", "a group or community"),
    (r"youtube|(?:video |youtube )?channels?|podcasts?", "a video channel"),
    (r"leaderboards?|arenas?", "a leaderboard"),
    (r"conferences?|workshops?|venues?|events?|meetups?",
     "a venue or workshop page"),
    (r"(?:other |related |more )?(?:awesome[- ])?lists?|collections?|other awesome\w*"
     r"|related (?:repos?|repositories|resources|projects)", "a link collection"),
    (r"newsletters?|social media|twitter|contacts?|follow us", "a channel or profile"),
)  # fmt: skip
# A short heading names a kind by its head noun: the last word (`LLM Interpretability Tools`,
# `Courses and lectures`), or the first when a joint or preposition follows (`Tools & Libraries`,
# `Tools for probing`); not `Tool use in language models`, a topic of papers.
_SECTION_RES = tuple(
    (
        re.compile(rf"^(?:.*\s)?(?:{p})$|^(?:{p})\s*(?:&|and|,|for|of|to|in)\s", re.IGNORECASE),
        why,
    )
    for p, why in _SECTIONS
)
_MAX_SECTION_WORDS = 5
# A heading that also names works (`Blogs & Videos`, `Tools and Papers`) is no evidence.
_WORK_WORDS = re.compile(
    r"\b(?:papers?|articles?|blogs?|posts?|essays?|reports?|notes?|surveys?|readings?"
    r"|publications?|preprints?|books?|theses|thesis|write-?ups?)\b",
    re.IGNORECASE,
)
_EMOJI_AND_MARKS = re.compile(r"[^\w\s&'-]+|^\s*\d+\s*")


def non_work_reason(topics: Sequence[str], urls: Sequence[str]) -> str | None:
    """Why an entry with these topics and link targets is not a work, or None when it may be.

    Any link with a scholarly identifier makes a work. Otherwise the entry's first link decides
    when it names a person, chat, channel, app or the like; then a section heading (the innermost
    that names a kind): Tools, Courses, People, Groups, Videos, Leaderboards, Workshops, Lists.
    """
    if any(_is_scholarly(url) for url in urls):
        return None
    if urls and (why := _target_reason(urls[0])):  # the entry's own link, as a reader follows it
        return f"{why} ({url_host(urls[0]).removeprefix('www.')})"
    for topic in reversed(topics):
        name = " ".join(_EMOJI_AND_MARKS.sub(" ", topic).split())
        if len(name.split()) > _MAX_SECTION_WORDS or _WORK_WORDS.search(name):
            continue
        for pattern, why in _SECTION_RES:
            if pattern.match(name):
                return f"{why} (listed under {topic!r})"
    return None


def _is_scholarly(url: str) -> bool:
    ident = parse_identifier(url)
    return ident is not None and ident.kind is not IdKind.URL


def _target_reason(url: str) -> str | None:
    try:
        parts = split_url(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    path = parts.path or "/"
    for host_re, path_re, why in _COMPILED:
        if host_re.fullmatch(host) and (not path_re.pattern or path_re.match(path)):
            return why
    return None
