"""Chinese-first text analysis, the same for indexing and querying and for every backend.

fold:     NFKC (full-width -> half-width, compatibility forms), lower case, traditional ->
          simplified (opencc's character table, so 發動機 and 发动机 are one word);
words:    jieba search-mode segmentation (rjieba, dictionary only: no HMM guesses), domain
          dictionary, stop words (function words and question words), synonyms (each synonym
          also adds its group's main word);
grams:    every character bigram of Chinese runs and whole Latin/number tokens, in text order:
          robust to words the dictionary does not know, and the base of phrase queries (the
          ranking leaves out bigrams that are stop words);
pinyin:   the bigrams' pinyin, so a homophone typo (花贝 for 花呗) still matches;
chars:    single Han characters (stop words left out): paraphrases of a short question often
          share characters but no bigram (关掉 / 关了, 不用 / 用不了), and unigrams + bigrams is the
          classic robust indexing of Chinese;
prefixes: folded title prefixes and pinyin initials for autocomplete.

The domain dictionary and synonyms live in the database (search.models), editable in the admin;
`get_analyzer()` reloads them when they change.
"""

from __future__ import annotations

import importlib.util
import json
import operator
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import rjieba

# Bumped whenever a change here gives different tokens for the same text: an index built by an
# older version no longer matches the queries and must be rebuilt.
ANALYSIS_VERSION = 4

# Han ideographs (BMP blocks, compatibility ideographs, and the supplementary planes).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_CHAR = re.compile(f"[{_HAN}]")
# A run of Han characters, or a Latin/number token (keeps model numbers like a3-200, 450nm, 1.5t).
RUN = re.compile(f"[{_HAN}]+|[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+(?:[-_.+/][0-9a-z]+)*")
_WORDISH = re.compile(f"[0-9a-z{_HAN}\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]")

# Particles, pronouns and function words that carry no meaning a searcher is after.
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "嘛",
        "么",
        "哦",
        "哈",
        "啦",
        "喔",
        "呐",
        "之",
        "得",
        "地",
        "着",
        "过",
        "所",
        "而",
        "则",
        "我",
        "你",
        "您",
        "他",
        "她",
        "它",
        "我们",
        "你们",
        "他们",
        "她们",
        "咱们",
        "自己",
        "本人",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "并",
        "也",
        "都",
        "就",
        "又",
        "还是",
        "这",
        "那",
        "这个",
        "那个",
        "这些",
        "那些",
        "这样",
        "那样",
        "此",
        "请",
        "请问",
        "一下",
        "一个",
        "一些",
        "下",
        "个",
        "些",
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "this",
        "that",
        "with",
        "as",
        "from",
    ]
)

# How a question is asked, not what it is about: interrogative pronouns and question framings.
# Users phrase the same need as 怎么/如何/为什么/怎么办..., so these only add noise to ranking.
QUESTION_WORDS = frozenset(
    [
        "怎",
        "怎么",
        "怎样",
        "怎么样",
        "怎么办",
        "怎么弄",
        "怎么回事",
        "如何",
        "如何是好",
        "什么",
        "什么样",
        "为什么",
        "为何",
        "为啥",
        "啥",
        "咋",
        "咋办",
        "咋样",
        "干嘛",
        "是不是",
    ]
)
STOP_WORDS = STOP_WORDS | QUESTION_WORDS

# The one-character stop words, removed from the character tokens by one substitution (a
# regex pass costs a third of str.translate or of a per-character test on a long text).
_STOP_CHARS = re.compile(
    "[" + "".join(sorted(w for w in STOP_WORDS if len(w) == 1 and _HAN_CHAR.match(w))) + "]+"
)
_MAX_PREFIX = 12
# Full-width punctuation of ordinary Chinese text, replaced first so that NFKC normalisation
# (slow once it has anything to change) has nothing left to do in the usual case.
_FULL_WIDTH_PUNCTUATION = (
    ("，", ","),
    ("：", ":"),
    ("；", ";"),
    ("（", "("),
    ("）", ")"),
    ("！", "!"),
    ("？", "?"),
    ("\u3000", " "),
)


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Map each traditional character to its simplified form (opencc's character table)."""
    import opencc

    table: dict[int, str] = {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            source, _tab, targets = line.rstrip("\n").partition("\t")
            target = targets.split(" ")[0] if targets else ""
            if len(source) == 1 and len(target) == 1 and source != target:
                table[ord(source)] = target
    return table


@lru_cache(maxsize=1)
def _traditional() -> frozenset[str]:
    return frozenset(map(chr, _t2s_table()))


def fold(text: str) -> str:
    """Return `text` normalised for matching: NFKC, lower case, simplified characters."""
    for wide, narrow in _FULL_WIDTH_PUNCTUATION:
        if wide in text:
            text = text.replace(wide, narrow)
    text = unicodedata.normalize("NFKC", text).lower()
    if not _traditional().isdisjoint(text):  # a translate costs more than this check
        text = text.translate(_t2s_table())
    return text


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold `text` and return, for each folded character, the index of its source character."""
    folded = fold(text)
    if len(folded) == len(text):  # the usual case: folding kept every character in place
        return folded, list(range(len(text)))
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        piece = fold(char)
        pieces.append(piece)
        offsets.extend([index] * len(piece))
    return "".join(pieces), offsets


def is_han(char: str) -> bool:
    return bool(_HAN_CHAR.match(char))


def is_wordlike(token: str) -> bool:
    """Return whether a segmenter token is a word (not punctuation, blanks or a mix of them)."""
    return token.isalnum() or (_WORDISH.search(token) is not None and " " not in token)


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, tuple[str, ...]]:
    """Map code points to their readings without tone, the first as pypinyin's lazy_pinyin
    gives it for the character alone.

    Read from pypinyin's own single-character table, without importing pypinyin: its import
    loads the phrase dictionary too (56 MB resident in every process that analyses, where
    single characters need 12 MB). tests/search/test_analysis.py checks every character
    against lazy_pinyin."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or spec.origin is None:
        raise ImportError("pypinyin is not installed")
    path = Path(spec.origin).parent / "pinyin_dict.json"
    readings = json.loads(path.read_text(encoding="utf-8"))
    return {
        int(code): tuple(dict.fromkeys(_toneless(r) for r in spoken.split(",")))
        for code, spoken in readings.items()
    }


def _toneless(reading: str) -> str:
    # lǜ -> lv: pypinyin's NORMAL style writes ü as v and drops the tone marks.
    decomposed = unicodedata.normalize("NFKD", reading).replace("u\u0308", "v")
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _char_pinyin(char: str) -> str:
    readings = _pinyin_table().get(ord(char))
    return readings[0] if readings else char


# Pinyin of each character seen (a few thousand entries): a dict lookup costs far less than a
# call, and a 600-character text needs one per character.
_char_pinyins: dict[str, str] = {}


def _pinyins(chars: str) -> list[str]:
    known = _char_pinyins
    out = list(map(known.get, chars))
    if None in out:
        for index, char in enumerate(chars):
            if out[index] is None:
                out[index] = known[char] = _char_pinyin(char)
    return out


def _title_initials(compact: str) -> list[str]:
    """Return the pinyin initials of a title's Han characters, read in context (伺服: sf,
    重庆银行: cqyh), and, when they differ, each character's own first reading's initials.

    The context needs pypinyin's phrase dictionary (~45 MB): only indexing makes prefixes, so
    only the indexing processes load it; queries are matched letter for letter."""
    from pypinyin import Style, lazy_pinyin

    han = "".join(char for char in compact if is_han(char))
    if not han:
        return []
    in_context = "".join(lazy_pinyin(han, style=Style.FIRST_LETTER))
    one_by_one = "".join(
        pinyin[:1] if pinyin.isascii() else char
        for char, pinyin in zip(han, map(_char_pinyin, han), strict=True)
    )
    return list(dict.fromkeys((in_context, one_by_one)))


@dataclass
class Tokens:
    words: list[str] = field(default_factory=list)
    grams: list[str] = field(default_factory=list)
    pinyin: list[str] = field(default_factory=list)
    chars: list[str] = field(default_factory=list)


class Analyzer:
    """Turns text into tokens; built from the domain dictionary and the synonym groups."""

    def __init__(
        self,
        *,
        dictionary: dict[str, int | None] | None = None,
        synonyms: list[list[str]] | None = None,
    ):
        self.synonyms: dict[str, str] = {}
        for group in synonyms or ():
            folded = [fold(word) for word in group if word.strip()]
            for word in folded[1:]:
                if word != folded[0]:
                    self.synonyms[word] = folded[0]
        self.groups: dict[str, tuple[str, ...]] = {}
        for group in synonyms or ():
            members = tuple(dict.fromkeys(fold(word) for word in group if word.strip()))
            for word in members:
                self.groups[word] = members
        self.dictionary = {fold(word): freq for word, freq in (dictionary or {}).items()}
        # Synonyms of several characters must come out of the segmenter whole.
        for group in synonyms or ():
            for word in group:
                folded = fold(word)
                if len(folded) > 1 and not rjieba.has_word(folded):
                    self.dictionary.setdefault(folded, None)

    def synonym_group(self, word: str) -> tuple[str, ...]:
        """Return every word of `word`'s synonym group (empty when it has none)."""
        return self.groups.get(word, ())

    def install(self) -> None:
        """Teach the process-wide segmenter this analyzer's dictionary."""
        for word, freq in self.dictionary.items():
            if freq:
                rjieba.add_word(word, freq, None)
            else:
                rjieba.add_word(word, rjieba.suggest_freq(word), None)  # a freq that joins it

    # --- token streams ----------------------------------------------------------------------

    def words(self, folded: str) -> list[str]:
        """Return search-mode words of folded text, without stop words, synonyms added."""
        # Without the HMM, characters the dictionary cannot join stay single: its guessed
        # "new words" (我花, 码花 around an unknown 花呗) split the same text differently in a
        # question and in an answer, while bigrams already match unknown words.
        wordish = _WORDISH.search
        words = [
            word
            for word in rjieba.cut_for_search(folded, False)
            if word not in STOP_WORDS
            and (word.isalnum() or (wordish(word) is not None and " " not in word))
        ]
        synonyms = self.synonyms
        if not synonyms:
            return words
        out: list[str] = []
        for word in words:
            out.append(word)
            canonical = synonyms.get(word)
            if canonical is not None:
                out.append(canonical)
        return out

    @staticmethod
    def grams(folded: str) -> list[str]:
        """Return bigrams of Han runs (a lone character stays whole) and Latin/number tokens."""
        out: list[str] = []
        append, extend = out.append, out.extend
        for run in RUN.findall(folded):
            if len(run) > 1 and is_han(run[0]):
                extend(map(operator.add, run[:-1], run[1:]))
            else:
                append(run)
        return out

    @staticmethod
    def pinyin(grams: list[str]) -> list[str]:
        """Return the pinyin of Han bigrams ("花呗" and "花贝" both give "huabei"), stop words
        left out."""
        return [
            "".join(_pinyins(gram)) for gram in grams if is_han(gram[0]) and gram not in STOP_WORDS
        ]

    @staticmethod
    def grams_and_pinyin(folded: str) -> tuple[list[str], list[str]]:
        """Return `grams(folded)` and the pinyin of those grams, in one pass over the text."""
        grams, pinyin, _chars = Analyzer._scan(folded, pinyin=True, chars=False)
        return grams, pinyin

    @staticmethod
    def _scan(folded: str, *, pinyin: bool, chars: bool) -> tuple[list, list, list]:
        # One regex pass gives grams, their pinyin and the Han characters (stop words left out
        # of the last two); the text of an item is long, so a second pass would show.
        grams: list[str] = []
        sounds: list[str] = []
        han_runs: list[str] = []
        add = operator.add
        for run in RUN.findall(folded):
            if not is_han(run[0]):
                grams.append(run)
                continue
            if chars:
                han_runs.append(run)
            if len(run) == 1:
                grams.append(run)
                if pinyin and run not in STOP_WORDS:
                    sounds.append(_pinyins(run)[0])
                continue
            pairs = list(map(add, run[:-1], run[1:]))
            grams.extend(pairs)
            if not pinyin:
                continue
            spoken = _pinyins(run)
            if STOP_WORDS.isdisjoint(pairs):
                sounds.extend(map(add, spoken[:-1], spoken[1:]))
            else:
                sounds.extend(
                    spoken[i] + spoken[i + 1]
                    for i, pair in enumerate(pairs)
                    if pair not in STOP_WORDS
                )
        return grams, sounds, list(_STOP_CHARS.sub("", "".join(han_runs)))

    def analyze(
        self, text: str, *, pinyin: bool = True, chars: bool = True, lead: int | None = None
    ) -> Tokens:
        """Return the words, grams and (optionally) pinyin and character tokens of `text`.

        With `lead`, pinyin and characters come from the first `lead` folded characters only
        (words and grams from all of it)."""
        folded = fold(text)
        if lead is None or len(folded) <= lead or not (pinyin or chars):
            grams, sounds, singles = self._scan(folded, pinyin=pinyin, chars=chars)
        else:
            grams = self.grams(folded)
            _grams, sounds, singles = self._scan(folded[:lead], pinyin=pinyin, chars=chars)
        return Tokens(words=self.words(folded), grams=grams, pinyin=sounds, chars=singles)

    def prefixes(self, title: str) -> list[str]:
        """Return the autocomplete tokens of a title: prefixes of it and of its words and
        of its pinyin initials (hb for 花呗)."""
        folded = fold(title).strip()
        out: set[str] = set()
        compact = "".join(RUN.findall(folded))
        for start_text in [compact, *self.words(folded)]:
            for end in range(1, min(len(start_text), _MAX_PREFIX) + 1):
                out.add(start_text[:end])
        for initials in _title_initials(compact):
            for end in range(2, min(len(initials), _MAX_PREFIX) + 1):
                out.add(initials[:end])
        return sorted(out)


# --- the process-wide analyzer, reloaded when the vocabulary changes -------------------------

_CHECK_EVERY = 5.0  # seconds between checks of the vocabulary's change stamp
_state_lock = threading.Lock()
_state: dict = {"analyzer": None, "stamp": None, "checked": 0.0}


def _vocabulary_stamp():
    from django.db.models import Count, Max

    from search.models import DictionaryWord, SearchSynonym

    words = DictionaryWord.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    groups = SearchSynonym.objects.filter(active=True).aggregate(
        n=Count("pk"), last=Max("updated_at")
    )
    return (words["n"], words["last"], groups["n"], groups["last"])


def _load_analyzer() -> Analyzer:
    from search.models import DictionaryWord, SearchSynonym

    analyzer = Analyzer(
        dictionary=dict(DictionaryWord.objects.values_list("word", "frequency")),
        synonyms=[group.words() for group in SearchSynonym.objects.filter(active=True)],
    )
    analyzer.install()
    return analyzer


def get_analyzer() -> Analyzer:
    """Return the analyzer with the current dictionary and synonyms from the database."""
    now = time.monotonic()
    with _state_lock:
        if _state["analyzer"] is not None and now - _state["checked"] < _CHECK_EVERY:
            return _state["analyzer"]
        stamp = _vocabulary_stamp()
        if _state["analyzer"] is None or stamp != _state["stamp"]:
            _state["analyzer"] = _load_analyzer()
            _state["stamp"] = stamp
        _state["checked"] = now
        return _state["analyzer"]


def reset_analyzer() -> None:
    """Forget the cached analyzer (after a vocabulary change in this process, and in tests)."""
    with _state_lock:
        _state.update(analyzer=None, stamp=None, checked=0.0)
