"""The demo's Delphi loop on the consultation: reasons, then one round that asks again.

Runs inside the synthesis, after the consultation's ratings and before management finalises
the values, as a real process would: some raters explain their rating in a reason; the admin
asks again about the draft values without consensus ("Ask again" on the round list, here
``carry_over.repeat_round``); most raters answer again after reading the group's distribution and
the reasons, and some move towards the group. The repeat round takes the week after the
consultation and is published, so its results show the change per item, the stability, the
verdicts, the items settled in the consultation and what the declared stop rule says.
"""

from __future__ import annotations

import datetime as dt
import random
from statistics import median_low
from zoneinfo import ZoneInfo

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Round
from rounds import get_kind
from rounds.lifecycle.carry_over import repeat_round
from rounds.lifecycle.editing import move_round, set_published
from rounds.results.reasons import REASON

#: The consultation declares that it stops after the one repeat the demo runs.
STOP_AFTER = 2
#: Share of the consultation's raters who answer the repeat round.
RETURNING = 0.8
#: Chance that a returning rater away from the group's median moves one step towards it.
MOVES = 0.3
#: Per draft value: reasons of those who agree (4–5), and of those who do not (1–3). Each is
#: given once per round, so each value gets at least VERBATIM_MIN_AUTHORS reasons (the least
#: that others may read) and no sentence twice.
REASONS = {
    "Borgeren i centrum": (
        [
            "Det er borgerne, vi er her for, og det skal kunne ses i alt, vi gør.",
            "Værdien samler det, de fleste af os allerede arbejder efter.",
            "Den giver os et fælles sprog, når vi skal prioritere mellem opgaver.",
            "Borgerne oplever os som mange kontorer; værdien kan gøre os til én kommune.",
            "Den er let at forklare for nye kolleger og for borgerne selv.",
            "Den minder os om, at reglerne er til for borgerne og ikke omvendt.",
        ],
        [
            "Det er en selvfølge, så værdien siger ikke noget nyt.",
            "Vi mangler tid til borgerne, og det løser en værdi ikke.",
            "Den risikerer at blive et slogan, hvis ikke ressourcerne følger med.",
            "Den glemmer de kolleger, der aldrig møder borgerne direkte.",
        ],
    ),
    "Samarbejde på tværs": (
        [
            "Mange af de sværeste sager kræver, at flere afdelinger løser dem sammen.",
            "Vi taber tid og viden, når sager ligger stille mellem to afdelinger.",
            "Værdien sætter ord på det, runde 1 pegede på igen og igen.",
            "Samarbejde på tværs giver borgerne færre overleveringer.",
            "Den giver os lov til at ringe til en kollega i stedet for at sende en mail.",
            "Vi kan lære meget af hinandens måder at arbejde på.",
        ],
        [
            "Samarbejde er godt, men det kræver tid, som ingen har afsat.",
            "Værdien siger ikke, hvem der har ansvaret, når flere er involveret.",
            "Det er mere en arbejdsgang end en værdi.",
            "Vores systemer taler ikke sammen, så værdien bliver svær at leve op til.",
        ],
    ),
    "Faglighed og udvikling": (
        [
            "Faglighed er det, der får dygtige kolleger til at blive.",
            "Vi skal kunne udvikle os i jobbet og ikke kun på kurser.",
            "Værdien viser, at ledelsen tager vores faglighed alvorligt.",
            "Uden udvikling står vi stille, mens opgaverne ændrer sig.",
            "Den passer til det, vi skrev om rekruttering i første runde.",
        ],
        [
            "Udvikling lyder godt, men der er ikke råd til efteruddannelse.",
            "Værdien handler mest om os selv og for lidt om borgerne.",
            "Den er for bred; alle kan skrive under på den uden at ændre noget.",
            "Læring i hverdagen betyder mere for mig end ordet udvikling.",
        ],
    ),
    "Åbenhed og tillid": (
        [
            "Tillid er forudsætningen for, at vi tør sige fra og komme med idéer.",
            "Åbenhed om beslutninger gør det lettere at bakke op om dem.",
            "Værdien rammer det, mange skrev om ledelse i første runde.",
            "Vi får bedre løsninger, når fejl kan siges højt uden frygt.",
            "Den forpligter ledelsen til at forklare, ikke kun beslutte.",
            "Tillid sparer kontrol, og kontrol koster tid.",
        ],
        [
            "Tillid kan man ikke beslutte; den skal vises i praksis.",
            "Jeg savner åbenhed i dag og tvivler på, at en værdi ændrer det.",
            "Ordene er store, men det er uklart, hvad de betyder for min hverdag.",
            "Åbenhed må ikke betyde, at alt skal deles med alle.",
            "Værdien kan opleves som en kritik af dem, der allerede gør det godt.",
            "Der mangler et svar på, hvad der sker, når tilliden bliver brudt.",
        ],
    ),
    "Ansvar for fællesskabet": (
        [
            "Vi er en del af et lokalsamfund, og det bør en værdi sige.",
            "Den peger på klima og økonomi, som ingen af de andre værdier nævner.",
            "Vi skal tænke på hele kommunen og ikke kun på vores egen afdeling.",
            "Værdien minder om, at ressourcerne er fælles.",
        ],
        [
            "Jeg forstår ikke, hvad værdien betyder for mit arbejde.",
            "Den blander for mange ting sammen: økonomi, klima og fællesskab.",
            "Det lyder som en sparerunde i pænt tøj.",
            "Fællesskabet er allerede dækket af samarbejde på tværs.",
            "Ansvar for hvad og over for hvem? Det står ikke klart.",
            "Værdien er for abstrakt til at man kan handle på den.",
        ],
    ),
}
#: The reason of a rater who moved, after reading the group's reasons.
MOVED = [
    "Efter at have læst de andres begrundelser har jeg flyttet mig lidt.",
    "Begrundelserne fik mig til at se værdien fra en anden side.",
    "Jeg har justeret mit svar; de andres argumenter var bedre end jeg troede.",
    "Fordelingen overraskede mig, og jeg er blevet lidt mere enig med gruppen.",
]


def run_rerating(consultation: Round, rng: random.Random) -> Round:
    """Reasons in ``consultation``, a repeat round of its items without consensus, its answers.

    ``consultation`` has its ratings and its rule; it has closed. Returns the repeat round,
    placed right after it, scheduled for the following week and published.
    """
    kind = get_kind(consultation.kind)
    labels = {item.key: item.label for item in kind.items(consultation)}
    before = kind.ratings(consultation)
    _add_reasons(consultation, _by_item(before), labels, {}, rng, {})
    repeat = repeat_round(consultation, actor_id=None, now=consultation.closes_at)
    _schedule_after(repeat, consultation)
    after, moved, days = _add_answers(repeat, before, rng)
    _add_reasons(repeat, _by_item(after), labels, moved, rng, days)
    set_published(repeat, True, actor_id=None, now=repeat.closes_at)
    return repeat


def _by_item(ratings: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Each item's ratings by author, from each author's ratings by item."""
    found: dict[str, dict[str, int]] = {}
    for author, given in sorted(ratings.items()):
        for key, rating in given.items():
            found.setdefault(key, {})[author] = rating
    return found


def _pairs(authors: list[str], texts: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """Some of ``authors``, each with a different one of ``texts``: no text twice per item."""
    count = min(len(authors), len(texts))
    return list(zip(rng.sample(authors, k=count), rng.sample(texts, k=count), strict=True))


def _add_reasons(round_: Round, by_item, labels, moved, rng: random.Random, days) -> None:
    """Some raters of each item explain their rating, each in a contribution of its own.

    Those who agree give a reason for, the others one against; in the repeat, some of those
    who moved say that the others' reasons moved them (``moved``: their authors by item). A
    reason is sent with its rating, so it has the day of the author's answer (``days``), if any.
    """
    rows = []
    for key, answers in by_item.items():
        for_, against = REASONS[labels[key]]
        movers = moved.get(key, set())
        agree = [a for a, rating in answers.items() if rating >= 4 and a not in movers]
        other = [a for a, rating in answers.items() if rating < 4 and a not in movers]
        chosen = _pairs(agree, for_, rng) + _pairs(other, against, rng)
        chosen += _pairs(sorted(movers), MOVED, rng)
        rows += [
            _reason_row(round_, author, key, text, days.get(author)) for author, text in chosen
        ]
    rng.shuffle(rows)
    Session.add_all(rows)
    Session.flush()


def _reason_row(round_: Round, author: str, key: str, text: str, day=None) -> Contribution:
    return Contribution(
        round_id=round_.id,
        author=author,
        target=key,
        data={"aspect": REASON},
        body=text,
        created_on=day or round_.opens_at.date(),
    )


def _schedule_after(repeat: Round, consultation: Round) -> None:
    """The week after the consultation, 08:00 to 08:00 by the wall clock; then next in order.

    ``repeat_round`` adds the round at the end; the demo's schedule left this week free.
    """
    zone = ZoneInfo(consultation.dialogue.timezone)
    opens = consultation.closes_at.astimezone(zone)
    closes = dt.datetime.combine(opens.date() + dt.timedelta(weeks=1), opens.time(), zone)
    repeat.opens_at, repeat.closes_at = opens.astimezone(dt.UTC), closes.astimezone(dt.UTC)
    while repeat.position > consultation.position + 1:
        move_round(repeat, -1, actor_id=None)


def _add_answers(repeat: Round, before, rng: random.Random):
    """Most raters answer again; some move one step towards the group's median.

    Returns the new ratings (by author, then item), who moved (by item), and the day each
    answered: one answer is sent at once, so all its rows have one day.
    """
    keys = [item.key for item in get_kind(repeat.kind).items(repeat)]
    medians = {key: median_low(r[key] for r in before.values() if key in r) for key in keys}
    after: dict[str, dict[str, int]] = {}
    moved: dict[str, set[str]] = {}
    for author in rng.sample(sorted(before), k=round(len(before) * RETURNING)):
        for key in keys:
            rating = before[author].get(key)
            if rating is None:
                continue
            if rating != medians[key] and rng.random() < MOVES:
                rating += 1 if medians[key] > rating else -1
                moved.setdefault(key, set()).add(author)
            after.setdefault(author, {})[key] = rating
    days = {author: _day(repeat, rng) for author in after}
    rows = [
        Contribution(
            round_id=repeat.id,
            author=author,
            target=key,
            data={"rating": rating},
            created_on=days[author],
        )
        for author, given in after.items()
        for key, rating in given.items()
    ]
    rng.shuffle(rows)
    Session.add_all(rows)
    Session.flush()
    return after, moved, days


def _day(round_: Round, rng: random.Random) -> dt.date:
    return round_.opens_at.date() + dt.timedelta(days=rng.randint(0, 6))
