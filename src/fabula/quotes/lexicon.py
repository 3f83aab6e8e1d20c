"""Word lists the quote scanner and the attribution sieve share.

Kept as data so a reader can see at a glance what counts as a speech verb or an elision.
"""

from __future__ import annotations

import re

from fabula.characters.names import GENDERED_NOUNS as SEX_NOUNS

# Verbs that introduce speech; present, past and -ing forms are generated below.
_SPEECH_STEMS = (
    "say said",
    "ask asked",
    "reply replied",
    "cry cried",
    "whisper whispered",
    "mutter muttered",
    "murmur murmured",
    "exclaim exclaimed",
    "answer answered",
    "return returned",
    "observe observed",
    "add added",
    "continue continued",
    "shout shouted",
    "call called",
    "yell yelled",
    "scream screamed",
    "snap snapped",
    "growl growled",
    "hiss hissed",
    "sigh sighed",
    "laugh laughed",
    "chuckle chuckled",
    "sob sobbed",
    "groan groaned",
    "moan moaned",
    "gasp gasped",
    "breathe breathed",
    "stammer stammered",
    "stutter stuttered",
    "grumble grumbled",
    "declare declared",
    "remark remarked",
    "reply rejoined",
    "retort retorted",
    "respond responded",
    "interrupt interrupted",
    "explain explained",
    "insist insisted",
    "urge urged",
    "plead pleaded",
    "beg begged",
    "demand demanded",
    "inquire inquired",
    "enquire enquired",
    "query queried",
    "suggest suggested",
    "agree agreed",
    "admit admitted",
    "protest protested",
    "object objected",
    "persist persisted",
    "resume resumed",
    "begin began",
    "announce announced",
    "tell told",
    "warn warned",
    "promise promised",
    "repeat repeated",
    "echo echoed",
    "mumble mumbled",
    "drawl drawled",
    "bark barked",
    "roar roared",
    "bellow bellowed",
    "thunder thundered",
    "squeak squeaked",
    "squeal squealed",
    "shriek shrieked",
    "wail wailed",
    "whine whined",
    "grunt grunted",
    "purr purred",
    "coo cooed",
    "smile smiled",
    "grin grinned",
    "nod nodded",
    "pant panted",
    "call called",
    "conclude concluded",
    "confess confessed",
    "assent assented",
    "reason reasoned",
    "argue argued",
    "counter countered",
    "correct corrected",
    "prompt prompted",
    "chime chimed",
    "offer offered",
    "state stated",
    "mention mentioned",
    "venture ventured",
    "hazard hazarded",
    "falter faltered",
    "speak spoke",
    "interpose interposed",
    "pursue pursued",
    "assert asserted",
    "sneer sneered",
    "snarl snarled",
    "jeer jeered",
    "ejaculate ejaculated",
    "vociferate vociferated",
    "lisp lisped",
    "whimper whimpered",
    "simper simpered",
    "titter tittered",
    "giggle giggled",
    "snort snorted",
    "cheer cheered",
    "accost accosted",
    "address addressed",
    "hint hinted",
    "insinuate insinuated",
    "acknowledge acknowledged",
    "recollect recollected",
    "rejoice rejoiced",
    "exclaim exclaimed",
    "write wrote",
    "read read",
    "think thought",
    "wonder wondered",
    "muse mused",
    "reflect reflected",
    "pray prayed",
    "sing sang",
    "type typed",
    "text texted",
    "scrawl scrawled",
    "scribble scribbled",
    # PDNC tags no pattern read ("implored Fanny", "she hiccoughed"):
    "entreat entreated",
    "implore implored",
    "mourn mourned",
    "question questioned",
    "complain complained",
    "bawl bawled",
    "command commanded",
    "sniff sniffed",
    "chatter chattered",
    "hiccough hiccoughed",
    "speculate speculated",
    "screech screeched",
    "proceed proceeded",
    "assure assured",
    "confide confided",
    "blurt blurted",
    "acquiesce acquiesced",
    "remonstrate remonstrated",
    "report reported",
    "pronounce pronounced",
    "concede conceded",
    "chorus chorused",
    "affirm affirmed",
    "counsel counselled",
    "quaver quavered",
    "interject interjected",
    "expostulate expostulated",
    "reiterate reiterated",
    "croon crooned",
    "warble warbled",
    "request requested",
    "remind reminded",
    "vow vowed",
    "boom boomed",
    "pipe piped",
)


def _forms(stems: tuple[str, ...]) -> frozenset[str]:
    forms: set[str] = set()
    for pair in stems:
        base, past = pair.split()
        forms.update({base, past})
        if base.endswith("y") and base[-2] not in "aeiou":
            forms.add(base[:-1] + "ies")
        elif base.endswith(("s", "sh", "ch", "x", "o")):
            forms.add(base + "es")
        else:
            forms.add(base + "s")
        stem = base[:-1] if base.endswith("e") and not base.endswith("ee") else base
        forms.add(stem + "ing")
    return frozenset(forms)


SPEECH_VERBS = _forms(_SPEECH_STEMS) | {"said", "says", "quoth"}
# Verbs with a particle that introduce speech in a tag ("Jon went on", "broke in Mara").
PHRASAL_SPEECH = frozenset(
    {
        *("go on", "goes on", "went on", "going on"),
        *("break in", "breaks in", "broke in", "put in", "puts in", "cut in", "cuts in"),
        *("chimed in", "chimes in", "struck in", "burst out", "bursts out", "spoke up", "speaks up"),
    }
)
THOUGHT_VERBS = _forms(("think thought", "wonder wondered", "muse mused"))
# Speech verbs that mean thought when turned on oneself: "she told herself", "he asked himself".
INWARD_VERBS = _forms(
    ("tell told", "ask asked", "remind reminded", "say said", "warn warned", "promise promised")
)
WRITTEN_VERBS = _forms(("write wrote", "read read", "type typed", "text texted", "scrawl scrawled")) | {
    "scribble",
    "scribbled",
    "written",
}
REFLEXIVES = frozenset({"himself", "herself", "themselves", "themself", "myself", "yourself", "ourselves"})

# Words that make narration about a text rather than a voice: "the sign read", "her letter said".
WRITTEN_NOUNS = frozenset(
    {
        "letter",
        "letters",
        "note",
        "notes",
        "sign",
        "signs",
        "message",
        "messages",
        "text",
        "texts",
        "card",
        "telegram",
        "inscription",
        "headline",
        "poster",
        "label",
        "notice",
        "postcard",
        "email",
        "e-mail",
        "memo",
        "placard",
        "banner",
        "page",
        "screen",
        "diary",
        "journal",
        "written",
        "wrote",
        "writes",
        "scrawled",
        "typed",
        "texted",
        "engraved",
        "printed",
        "read",
        "reads",
        "ran",
    }
)

PRONOUN_GENDER = {
    "he": "he",
    "him": "he",
    "his": "he",
    "himself": "he",
    "she": "she",
    "her": "she",
    "hers": "she",
    "herself": "she",
    "they": "they",
    "them": "they",
    "their": "they",
    "themselves": "they",
}

# Head nouns of descriptions that fix a gender: "said her husband" is a man, "the old lady" a woman.
# Besides the nouns that say a person's sex, a speaker tag reads offices, ranks and trades as the
# sex that holds them in the fiction it reads ("said the captain"); coreference leaves those open.
GENDERED_NOUNS = (
    SEX_NOUNS
    | dict.fromkeys(
        (
            "youth",
            "earl",
            "butler",
            "footman",
            "coachman",
            "clergyman",
            "curate",
            "rector",
            "vicar",
            "parson",
            "colonel",
            "captain",
            "major",
            "general",
            "sailor",
            "soldier",
            "policeman",
            "constable",
        ),
        "he",
    )
    | dict.fromkeys(("matron",), "she")
)
# Family words a household uses as names, bare of any article: "said nanny", "cried mamma".
HOUSEHOLD_NAMES = frozenset(
    {
        "mother",
        "father",
        "mamma",
        "mama",
        "papa",
        "mummy",
        "daddy",
        "granny",
        "grandmamma",
        "grandpapa",
        "nanny",
        "nurse",
        "uncle",
        "aunt",
        "auntie",
    }
)
# Relatives who share a surname with whom "his"/"her" is, and the titles that mark them:
# "said his wife" after Mr. Allen is Mrs. Allen, "her father" after Elizabeth Bennet Mr. Bennet.
KIN_TITLES = {
    "wife": ("mrs.", "mrs", "lady", "madame"),
    "mother": ("mrs.", "mrs", "lady", "madame"),
    "husband": ("mr.", "mr", "sir", "lord", "monsieur"),
    "father": ("mr.", "mr", "sir", "lord", "monsieur"),
}
# Offices a description names by the title the holder's name carries: "the doctor" is Dr. Aziz
# or Doctor Losberne, whoever of them was named last; "the general" General Tilney.
OFFICE_TITLES = {
    "doctor": ("doctor", "dr.", "dr"),
    "professor": ("professor", "prof."),
    "captain": ("captain", "capt."),
    "colonel": ("colonel", "col."),
    "major": ("major",),
    "general": ("general",),
    "admiral": ("admiral",),
    "judge": ("judge",),
    "inspector": ("inspector",),
    "sergeant": ("sergeant",),
    "count": ("count",),
    "countess": ("countess",),
    "baron": ("baron",),
    "duke": ("duke",),
    "duchess": ("duchess",),
    "king": ("king",),
    "queen": ("queen",),
}
# Forms of address that fix the gender of whom a quote speaks to ("Yes, sir." "Mamma, look!").
_MALE_ADDRESS = ("sir", "papa", "father", "uncle", "my lord", "your lordship", "master", "my boy", "old man")
_FEMALE_ADDRESS = ("madam", "ma'am", "mamma", "mama", "mother", "aunt", "my lady", "your ladyship", "miss")
ADDRESS_GENDER = dict.fromkeys(_MALE_ADDRESS, "he") | dict.fromkeys(_FEMALE_ADDRESS, "she")

TITLES = (
    "Mr.",
    "Mrs.",
    "Ms.",
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Mx.",
    "Dr.",
    "Dr",
    "Lady",
    "Lord",
    "Sir",
    "Madame",
    "Mme.",
    "Monsieur",
    "M.",
    "Mademoiselle",
    "Captain",
    "Colonel",
    "Major",
    "General",
    "Admiral",
    "Professor",
    "Aunt",
    "Uncle",
    "Father",
    "Mother",
    "Sister",
    "Brother",
    "Saint",
    "St.",
    "Rev.",
    "Reverend",
    "Judge",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Duke",
    "Duchess",
    "Count",
    "Countess",
    "Baron",
    "Signor",
    "Signora",
    "Herr",
    "Frau",
)
# Titles that alone, capitalised, name whoever holds them: "the Colonel" is Colonel Brandon,
# "Mademoiselle" Mademoiselle Reisz ("Dr." is read as "Doctor").
STANDALONE_TITLES = frozenset(
    {"Colonel", "Major", "Captain", "General", "Admiral", "Professor", "Doctor", "Inspector", "Judge"}
    | {"Mademoiselle", "Madame", "Monsieur", "Signor", "Signora", "Herr", "Frau", "Fraulein"}
    | {"Duke", "Duchess", "Count", "Countess", "Baron", "Marquis"}
)
FEMALE_TITLES = frozenset(
    {"Mrs.", "Mrs", "Ms.", "Ms", "Miss", "Lady", "Madame", "Mme.", "Mademoiselle", "Aunt", "Mother", "Sister"}
    | {"Queen", "Princess", "Duchess", "Countess", "Signora", "Frau"}
)
MALE_TITLES = frozenset(
    {"Mr.", "Mr", "Lord", "Sir", "Monsieur", "M.", "Uncle", "Father", "Brother", "King", "Prince", "Duke"}
    | {"Count", "Baron", "Signor", "Herr"}
)

# Capitalised words that open sentences or tags but never name anyone.
NOT_NAMES = frozenset(
    {
        "I",
        "A",
        "An",
        "The",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "He",
        "She",
        "They",
        "We",
        "You",
        "His",
        "Her",
        "Their",
        "Our",
        "My",
        "Your",
        "Its",
        "Then",
        "There",
        "Here",
        "When",
        "While",
        "As",
        "But",
        "And",
        "Or",
        "So",
        "Yet",
        "If",
        "Oh",
        "Ah",
        "Well",
        "Now",
        "No",
        "Yes",
        "Not",
        "Why",
        "What",
        "Who",
        "How",
        "Where",
        "Which",
        "After",
        "Before",
        "At",
        "In",
        "On",
        "Of",
        "For",
        "From",
        "With",
        "To",
        "By",
        "Into",
        "Upon",
        "Only",
        "Even",
        "Still",
        "Just",
        "Perhaps",
        "Indeed",
        "Again",
        "Once",
        "Twice",
        "Such",
        "Some",
        "Any",
        "Every",
        "Each",
        "All",
        "Both",
        "Neither",
        "Either",
        "None",
        "Nobody",
        "Somebody",
        "Everybody",
        "Mama",
        "Papa",
        "Mamma",
        "Sir",
        "Madam",
        "Ma'am",
    }
)

# Openings that look like a single quote but are elisions: 'tis, 'twas, rock 'n' roll, 'em, '90s.
ELISION = re.compile(
    r"['‘’](?:tis|twas|twere|twill|twould|em|n|cause|cos|coz|til|bout|nough|nother|neath|spose|\d0s|\d\d)(?!\w)",
    re.IGNORECASE,
)
