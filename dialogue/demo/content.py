"""The demo dialogue's words: rounds shaped like the reference case, and Danish challenges.

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

#: Challenges by theme. Participants combine a statement with an optional elaboration, which
#: gives varied, realistic short texts (and, as in real dialogues, a few near-duplicates).
CHALLENGES = {
    "arbejdsmiljø": (
        [
            "Travlheden er blevet for stor, og mange kolleger går ned med stress",
            "Sygefraværet stiger, og det rammer dem, der er tilbage",
            "Vi har for lidt tid til den enkelte borger på grund af arbejdspresset",
            "Det psykiske arbejdsmiljø bliver presset af de mange omstruktureringer",
            "Der mangler tid til faglig sparring og restitution i hverdagen",
            "Arbejdsbyrden er skævt fordelt mellem teams",
        ],
        [
            "Vi skal passe bedre på hinanden.",
            "Det går ud over kvaliteten.",
            "Det gør det svært at holde motivationen oppe.",
            "",
        ],
    ),
    "digitalisering": (
        [
            "IT-systemerne taler ikke sammen, så vi taster de samme oplysninger flere gange",
            "Digitaliseringen går hurtigt, men der er ikke tid til at lære de nye systemer",
            "Mange borgere kan ikke bruge de digitale løsninger og bliver hægtet af",
            "Vi bør bruge digitale værktøjer til at frigøre tid til kerneopgaven",
            "Nedbrud og langsomme systemer spilder meget arbejdstid",
            "Kunstig intelligens og automatisering kan ændre vores opgaver markant",
        ],
        [
            "Det kræver uddannelse af medarbejderne.",
            "Vi skal huske de borgere, der ikke er digitale.",
            "Det koster tid hver eneste dag.",
            "",
        ],
    ),
    "rekruttering": (
        [
            "Det er svært at rekruttere uddannet personale, især sygeplejersker og pædagoger",
            "Vi mister dygtige kolleger til private arbejdspladser med højere løn",
            "Nye medarbejdere får for lidt introduktion og oplæring",
            "Kommunen skal være en attraktiv arbejdsplads for unge",
            "Mange går på pension de kommende år, og deres viden forsvinder",
            "Vi bruger for mange vikarer, fordi stillinger står ubesatte",
        ],
        [
            "Vi skal blive bedre til at fastholde folk.",
            "Det skal vi tage alvorligt nu.",
            "Det koster både penge og kvalitet.",
            "",
        ],
    ),
    "samarbejde": (
        [
            "Vi arbejder for meget i siloer, og samarbejdet på tværs af forvaltninger halter",
            "Borgeren oplever at blive sendt rundt mellem afdelinger",
            "Vi kender ikke hinandens opgaver og kompetencer på tværs af huset",
            "Der mangler fælles mål, så afdelingerne trækker i hver sin retning",
            "Videndeling mellem teams sker for tilfældigt",
            "Vi skal se os selv som én kommune og ikke som mange små",
        ],
        [
            "Det kræver, at ledelsen går foran.",
            "Så får borgeren en bedre oplevelse.",
            "Der er meget at vinde her.",
            "",
        ],
    ),
    "borgerne": (
        [
            "Borgerne forventer hurtigere svar og bedre service",
            "Vi skal være borgernes naturlige førstevalg",
            "Borgerne skal inddrages tidligere i beslutninger, der vedrører dem",
            "Flere ældre borgere med komplekse behov stiller nye krav til os",
            "Vi kommunikerer for tungt og bureaukratisk til borgerne",
            "Ventetiden i borgerservice er for lang",
        ],
        [
            "Vi skal tale et sprog, borgerne forstår.",
            "Det handler om tillid.",
            "Det skal kunne mærkes i mødet med borgeren.",
            "",
        ],
    ),
    "økonomi": (
        [
            "Besparelserne år efter år gør det svært at levere den service, vi lover",
            "Der er flere opgaver, men ikke flere penge",
            "Budgettet styrer mere end fagligheden",
            "Vi skal turde prioritere og sige fra over for opgaver",
            "Økonomien er presset af flere ældre og færre i den arbejdsdygtige alder",
            "Det er uklart, hvordan pengene bliver fordelt mellem områderne",
        ],
        [
            "Politikerne må prioritere tydeligt.",
            "Det skaber utryghed blandt medarbejderne.",
            "Vi mangler gennemsigtighed.",
            "",
        ],
    ),
    "ledelse": (
        [
            "Ledelsen er for langt fra hverdagen og kender ikke vores udfordringer",
            "Beslutninger bliver truffet uden at spørge dem, der skal udføre dem",
            "Der mangler tydelig kommunikation om, hvorfor forandringer sker",
            "Vi har brug for ledere, der har tid til at lede og ikke kun administrere",
            "Der skal være plads til at sige sin mening uden at frygte konsekvenser",
            "Tilliden mellem ledelse og medarbejdere skal styrkes",
        ],
        [
            "Åbenhed er afgørende.",
            "Det skaber ejerskab.",
            "Så bliver forandringerne lettere at gennemføre.",
            "",
        ],
    ),
    "klima": (
        [
            "Den grønne omstilling kræver, at vi ændrer vores egne vaner i driften",
            "Kommunen skal gå foran med klimatilpasning og bæredygtige indkøb",
            "Skybrud og oversvømmelser bliver en større opgave for kommunen",
            "Vi bør samarbejde med borgere og virksomheder om bæredygtighed",
        ],
        [
            "Det er en opgave for hele kommunen.",
            "Vi har et ansvar for de næste generationer.",
            "",
        ],
    ),
}

#: A minority view that must not vanish into a large theme.
MINORITY = [
    "Bygninger og hjemmesider er stadig ikke tilgængelige for borgere med handicap",
    "Borgere i kørestol kan ikke komme ind på flere af vores lokaliteter",
    "Vores breve og selvbetjening er svære at bruge for borgere med syns- eller læsehandicap",
]

#: The themes of round 1 as the prioritisation round's items (CHALLENGES keys → labels). Until
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

#: Round 3: strengths and weaknesses of today's culture, by theme.
CULTURE = {
    "arbejdsmiljø": (
        [
            "Vi er gode til at hjælpe hinanden, når det brænder på",
            "Der er et stærkt kollegialt fællesskab i de fleste teams",
            "Mange ledere tager sig tid til at spørge, hvordan man har det",
        ],
        [
            "Vi siger for sjældent fra, selv når arbejdspresset er for stort",
            "Stress bliver stadig opfattet som den enkeltes problem",
            "Vi taler om trivsel, men handler for sent",
        ],
    ),
    "rekruttering": (
        [
            "Vores medarbejdere er stolte af deres fag og anbefaler os til andre",
            "Vi har gode erfaringer med elever og studerende, der bliver hos os",
        ],
        [
            "Nye kolleger bliver kastet ud i opgaverne uden ordentlig introduktion",
            "Vi fejrer sjældent dem, der bliver, og spørger for sent dem, der går",
            "Vi taler mere om mangel på hænder end om at være en god arbejdsplads",
        ],
    ),
    "borgerne": (
        [
            "Mødet med borgeren er præget af faglighed og venlighed",
            "Vi strækker os langt for borgere i svære situationer",
        ],
        [
            "Vi tænker i egne regler og procedurer før borgerens behov",
            "Borgerne skal fortælle deres historie igen og igen",
            "Vores breve og hjemmeside er skrevet til fagfolk, ikke til borgere",
        ],
    ),
    "samarbejde": (
        [
            "Når vi først mødes på tværs, finder vi hurtigt gode løsninger",
            "Der er stor vilje til at hjælpe, hvis man ved, hvem man skal spørge",
        ],
        [
            "Vi tænker i egen afdeling og eget budget",
            "Vi kender for lidt til hinandens opgaver",
            "Gode løsninger bliver ikke delt med resten af huset",
        ],
    ),
    "ledelse": (
        [
            "Nærmeste leder er tilgængelig og lytter",
            "Der er plads til at prøve nye ting i mange afdelinger",
        ],
        [
            "Beslutninger kommer ovenfra uden forklaring",
            "Det er uklart, hvem der har ansvaret for hvad",
        ],
    ),
    "økonomi": (
        ["Vi er gode til at få meget ud af få ressourcer"],
        [
            "Vi prioriterer ikke tydeligt og gør lidt af det hele",
            "Økonomien fylder mere end fagligheden i beslutningerne",
        ],
    ),
    "digitalisering": (
        ["Mange kolleger er nysgerrige på nye digitale værktøjer"],
        ["Nye systemer bliver indført uden tid til oplæring"],
    ),
    "klima": (
        ["Der er stor opbakning til grønne initiativer blandt medarbejderne"],
        ["Klima bliver set som teknisk forvaltnings opgave alene"],
    ),
}

#: Round 4: the executive board's draft values; the panel's agreement (weights for 1–5).
DRAFT_VALUES = {
    "Borgeren i centrum": (1, 2, 6, 28, 33),
    "Samarbejde på tværs": (1, 2, 5, 25, 30),
    "Faglighed og udvikling": (2, 4, 12, 30, 20),
    "Åbenhed og tillid": (6, 12, 10, 22, 18),
    "Ansvar for fællesskabet": (8, 14, 20, 16, 8),
}
CONSULTATION_COMMENTS = {
    "Borgeren i centrum": [
        "Godt, men det skal kunne mærkes i hverdagen og ikke kun stå på plakater.",
        "Husk at borgeren også er pårørende, virksomhed og forening.",
    ],
    "Samarbejde på tværs": [
        "Helt enig. Det kræver, at ledelsen også samarbejder på tværs.",
        "Vi har brug for fælles mødesteder og fælles mål.",
    ],
    "Faglighed og udvikling": [
        "Faglighed er vigtig, men der skal også være tid til efteruddannelse.",
        "Udvikling må ikke blive et ord for flere opgaver.",
    ],
    "Åbenhed og tillid": [
        "Tillid skal gå begge veje – også fra ledelsen til medarbejderne.",
        "Åbenhed om økonomien ville være et godt sted at starte.",
        "Det lyder fint, men jeg savner konkrete eksempler.",
    ],
    "Ansvar for fællesskabet": [
        "Uklart hvad det betyder for mig i mit daglige arbejde.",
        "Kan let blive en undskyldning for at løbe hurtigere.",
    ],
}

#: Round 5: the final values, and commitments by scope.
FINAL_VALUES = [
    "Borgeren i centrum",
    "Samarbejde på tværs",
    "Faglighed og udvikling",
    "Åbenhed og tillid",
]
COMMITMENTS = {
    "me": [
        "Jeg vil spørge borgeren, hvad der er vigtigst for dem, før jeg foreslår en løsning",
        "Jeg vil kontakte en kollega i en anden afdeling, før jeg sender en sag videre",
        "Jeg vil dele det, jeg lærer på kurser, med mit team",
        "Jeg vil sige det højt, når jeg er uenig, og lytte, når andre er",
    ],
    "team": [
        "Vi vil gennemgå vores standardbreve sammen med en borger",
        "Vi vil holde et fælles møde med nabofagområdet hvert kvartal",
        "Vi vil bruge ti minutter på hvert teammøde til faglig sparring",
        "Vi vil gøre vores prioriteringer synlige på tavlen for alle",
    ],
    "across": [
        "Vi vil lave én indgang for borgere med sager i flere forvaltninger",
        "Vi vil oprette et fælles netværk for nye medarbejdere på tværs af huset",
        "Vi vil samle gode eksempler på værdierne i praksis på intranettet",
        "Vi vil evaluere værdiarbejdet sammen hvert halve år",
    ],
}


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
