"""The demo dialogue's frame: rounds shaped like the reference case, people, items and weights.

What participants wrote is in :mod:`dialogue.demo.services.corpus`.

Everything here was written for this project; names are generated from common Danish first
and last names and belong to nobody in particular.
"""

TITLE = "Fælles værdier for Eksempel Kommune"
SLUG = "vaerdier"
DESCRIPTION = (
    "Ledere og medarbejdere i Eksempel Kommune udvikler sammen de værdier, vi skal arbejde "
    "efter de næste år. Dialogen kører i fem runder á en uge, og alle bidrag er anonyme."
)

#: (kind, title, prompt) of the five rounds of the reference process.
ROUNDS = [
    ("challenges", "Udfordringer", "Hvilke udfordringer står kommunen over for – bredt set?"),
    ("prioritisation", "Prioritering", "Hvilke udfordringer er de vigtigste?"),
    (
        "culture",
        "Kulturen i dag",
        "Hvad kendetegner kulturen i dag – styrker og svagheder set i forhold til de "
        "vigtigste udfordringer?",
    ),
    ("consultation", "Høring", "Hvad mener I om direktionens forslag til værdier?"),
    (
        "action",
        "Handling",
        "Hvordan kan jeg/vi bidrage til, at værdierne bliver omsat i handlinger?",
    ),
]

#: Department → (number of leaders, number of employees). One department is deliberately tiny,
#: so that reports have a group to suppress.
DEPARTMENTS = {
    "Borgerservice": (3, 27),
    "Børn og Unge": (6, 46),
    "Ældre og Sundhed": (6, 44),
    "Teknik og Miljø": (4, 30),
    "Jobcenter": (4, 28),
    "Økonomi og HR": (3, 21),
    "Kultur og Fritid": (1, 3),
}
ROLE_GROUPS = ("Leder", "Medarbejder")

FIRST_NAMES = [
    "Anne",
    "Mette",
    "Hanne",
    "Susanne",
    "Lene",
    "Maria",
    "Marianne",
    "Camilla",
    "Louise",
    "Charlotte",
    "Pia",
    "Tina",
    "Helle",
    "Karen",
    "Peter",
    "Jens",
    "Lars",
    "Michael",
    "Henrik",
    "Thomas",
    "Søren",
    "Jan",
    "Niels",
    "Christian",
    "Martin",
    "Anders",
    "Rasmus",
    "Jesper",
    "Mads",
    "Morten",
    "Ida",
    "Freja",
    "Sofie",
    "Emma",
    "Laura",
    "Julie",
    "Mikkel",
    "Frederik",
    "Jonas",
    "Simon",
]
LAST_NAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
]

#: The themes of round 1 as the prioritisation round's items (corpus topics → labels). Until
#: the theme analysis fills a round's items, the demo enters them as an admin would.
THEME_LABELS = {
    "arbejdsmiljø": "Arbejdsmiljø og trivsel",
    "digitalisering": "Digitalisering",
    "rekruttering": "Rekruttering og fastholdelse",
    "samarbejde": "Samarbejde på tværs",
    "borgerne": "Borgernes forventninger",
    "økonomi": "Økonomi og prioritering",
    "ledelse": "Ledelse og kommunikation",
    "klima": "Klima og bæredygtighed",
}
#: How strongly the panel leans towards each theme when ranking (a relative weight).
THEME_WEIGHTS = {
    "arbejdsmiljø": 9,
    "rekruttering": 7,
    "borgerne": 7,
    "samarbejde": 6,
    "ledelse": 4,
    "økonomi": 4,
    "digitalisering": 3,
    "klima": 2,
}

#: Round 4: the executive board's draft values; the panel's agreement (weights for 1–5).
DRAFT_VALUES = {
    "Borgeren i centrum": (1, 2, 6, 28, 33),
    "Samarbejde på tværs": (1, 2, 5, 25, 30),
    "Faglighed og udvikling": (2, 4, 12, 30, 20),
    "Åbenhed og tillid": (6, 12, 10, 22, 18),
    "Ansvar for fællesskabet": (8, 14, 20, 16, 8),
}
#: Round 5: the final values, the action round's items.
FINAL_VALUES = [
    "Borgeren i centrum",
    "Samarbejde på tværs",
    "Faglighed og udvikling",
    "Åbenhed og tillid",
]

#: "Other" comments in the prioritisation round: what participants felt the list missed.
OTHER_COMMENTS = [
    "Tilgængelighed for borgere med handicap mangler på listen.",
    "Jeg savner noget om vores fysiske rammer – mange bygninger er nedslidte.",
    "Det er svært at vælge; arbejdsmiljø og rekruttering hænger tæt sammen.",
    "Husk de små arbejdspladser, der ikke har en HR-medarbejder tæt på.",
    "Der bør også stå noget om at lære af vores fejl.",
    "Samarbejdet med de frivillige foreninger burde være et punkt for sig.",
    "Jeg synes, borgerinddragelse og borgernes forventninger er to forskellige ting.",
]
