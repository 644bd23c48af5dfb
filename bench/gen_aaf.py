#!/usr/bin/env python3
"""bench/gen_aaf.py — a synthetic AAF export of a French département (044).

The ministry's "Annuaire Académique Fédérateur" (AAF) feeds an ENT with XML
files, root <ficAlimMENESR>, one file per kind of record, split into
numbered batches (docs: INTEROP.md section 4 and its "Quirks" section). This
script writes such an export, made up but realistic, so that Carnet's
importer (`carnet import aaf`) can be tested and benchmarked at scale:

  python3 bench/gen_aaf.py OUTDIR [--establishments 240] [--pupils 64000]
      [--relatives-per-pupil 1.9] [--staff 6000] [--seed 1] [--date 20260901]
      [--batch 20000] [--delta N --delta-date 20260908]

Without --delta it writes the Complet files
OUTDIR/ENT_NANTES_Complet_<date>_<Type>_<NNNN>.xml for Type in EtabEducNat,
MatiereEducNat, MefEducNat, PersEducNat, Eleve and PersRelEleve, at most
--batch records a file. With --delta N it makes the same Complet again (same
seed, nothing written) and writes Delta files
ENT_NANTES_Delta_<delta-date>_<Type>_<NNNN>.xml holding exactly N requests:
pupils modified (class move, name, address), relatives modified (mail,
mobile), new pupils with their new relatives, pupils who left (deleted),
teachers given a new class; it prints one JSON line of counts per kind
(modify_pupil, modify_relative, add_pupil, add_relative, delete_pupil,
modify_staff: they sum to N). Both modes then print, as their last line,
one JSON line of what the export holds (counts of establishments, classes,
groups, pupils, relatives, staff, files written and of the special cases
below; with --delta, those of the Complet it follows and the Delta files).

What the importer meets in it:
- about 3/4 collèges (6e–3e), 1/4 lycées (LGT 2NDE/1G/TG, LP 2NDPRO/1PRO/TPRO),
  classes of 22–31 pupils (so their number follows --pupils), a few groups
  (LV2, Latin, maths speciality); every class has its ~10 subjects, each
  taught by a teacher who has 3–6 classes or groups, when the
  establishment has that many;
- families: twins (same relatives, same birth date), separated parents at
  two addresses, relatives with children in two or three establishments,
  ~5 % of pupils with one relative only, contacts (grandparents,
  step-parents) up to --relatives-per-pupil distinct relatives per pupil,
  relatives without mail or phones; ~2 % of teachers in two
  establishments, ~1 % of staff without ENTPersonStructRattach, ~1 % of
  teachers with a function in an establishment outside the export (049);
- French names with accents, apostrophes, hyphens, compound surnames;
- the quirks of real exports: EtabEducNat in ISO-8859-15 (declared, and
  with œ, which Latin-1 lacks), other files in UTF-8 with or without an XML
  declaration, a DOCTYPE naming a DTD that is not there, values written
  with decimal character references (&#201;), empty attributes as
  <value/>, ~1 % of labels with a double space, CRLF and LF files, one file
  (MefEducNat) without a final newline.

--staff is a floor: the teachers needed to cover every class come first,
then staff are added (teachers with fewer classes, then assistants) until
--staff is reached. Jointures: pupils from 1000001, relatives from 2000001,
staff from 3000001 (one digit more above 250 000 pupils). Deterministic: the
same arguments give byte-identical files (random.Random seeded, no clock, no
hash order). Files are written as records are made (streamed); only the
establishments' plan and the staff are held: ~35 MB at the default size.
"""

import argparse
import datetime
import json
import math
import os
import random
import sys
import unicodedata

ACAD = "NANTES"
DEPT = "044"
FOREIGN_DEPT = "049"  # staff functions in establishments absent from the export
MAIL_DOMAIN = "ac-nantes.fr"
UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
VERSION_AF = "AAF-VE1301"
MAX_TEACHER_SLOTS = 6
MIN_TEACHER_SLOTS = 3

# --- Nomenclatures -----------------------------------------------------------

SUBJECTS = [  # ENTMatJointure, ENTLibelleMatiere
    ("001000", "ACCOMPAGNEMENT PERSONNALISE"),
    ("003800", "VIE DE CLASSE"),
    ("013000", "PHILOSOPHIE"),
    ("020100", "FRANCAIS"),
    ("020700", "LATIN"),
    ("030201", "ANGLAIS LV1"),
    ("030202", "ESPAGNOL LV2"),
    ("030203", "ALLEMAND LV2"),
    ("040300", "HISTOIRE-GEOGRAPHIE"),
    ("040700", "SCIENCES ECONOMIQUES ET SOCIALES"),
    ("040800", "HIST.GEO.  GEOPOLITIQUE SCIENCES POLITIQUES"),
    ("050300", "ENSEIGNEMENT MORAL ET CIVIQUE"),
    ("061300", "MATHEMATIQUES"),
    ("061400", "ENSEIGNEMENT SCIENTIFIQUE"),
    ("061500", "SCIENCES NUMERIQUES ET TECHNOLOGIE"),
    ("063900", "SCIENCES DE LA VIE ET DE LA TERRE"),
    ("067400", "PHYSIQUE-CHIMIE"),
    ("070100", "TECHNOLOGIE"),
    ("080100", "ARTS PLASTIQUES"),
    ("080400", "EDUCATION MUSICALE"),
    ("081000", "ARTS APPLIQUES & CULTURES ARTISTIQUES"),
    ("090100", "PREVENTION SANTE ENVIRONNEMENT"),
    ("090200", "ECONOMIE-GESTION"),
    ("090300", "ENSEIGNEMENT PROFESSIONNEL"),
    ("100100", "EDUCATION PHYSIQUE ET SPORTIVE"),
    ("110100", "SECTION EUROPÉENNE ANGLAIS"),
]

# Level key: age index (6e = 0), MEF, MEF label, ENTEleveNivFormation, class
# code prefix, class label prefix, group code prefix, group label prefix.
LEVELS = {
    "6EME": (0, "10010012110", "6EME", "6EME", "6", "6EME ", "6", "6EME"),
    "5EME": (1, "10110001110", "5EME", "5EME", "5", "5EME ", "5", "5EME"),
    "4EME": (2, "10210001110", "4EME", "4EME", "4", "4EME ", "4", "4EME"),
    "3EME": (3, "10310019110", "3EME", "3EME", "3", "3EME ", "3", "3EME"),
    "2NDE": (4, "20010018110", "2NDE GENERALE ET TECHNOLOGIQUE", "2NDE", "2NDE", "2NDE ",
             "2", "2NDE"),
    "1ERE": (5, "20111000110", "1ERE GENERALE", "1ERE", "1G", "1ERE GENERALE ", "1", "1ERE"),
    "TLE": (6, "20211000110", "TERMINALE GENERALE", "TERMINALE", "TG", "TERMINALE GENERALE ",
            "T", "TERMINALE"),
    "2PRO": (4, "24731902310", "2NDPRO METIERS DE LA RELATION CLIENT", "2NDE PRO", "2NDPRO",
             "2NDE PRO ", "2P", "2NDE PRO"),
    "1PRO": (5, "24831907321", "1PRO METIERS DU COMMERCE ET DE LA VENTE", "1ERE PRO", "1PRO",
             "1ERE PRO ", "1P", "1ERE PRO"),
    "TPRO": (6, "24931907321", "TLEPRO METIERS DU COMMERCE ET DE LA VENTE", "TERMINALE PRO",
             "TPRO", "TERMINALE PRO ", "TP", "TERMINALE PRO"),
}
MEF_EXTRA = {  # ENTMEFRattach, ENTMEFSTAT11 per MEF code
    "10010012110": ("10010012110", "10010010110"),
    "10110001110": ("10110001110", "10110010110"),
    "10210001110": ("10210001110", "10210010110"),
    "10310019110": ("10310019110", "10310010110"),
    "20010018110": ("20010018110", "20010010110"),
    "20111000110": ("20111000110", "20110010110"),
    "20211000110": ("20211000110", "20210010110"),
    "24731902310": ("24731902310", "24730010310"),
    "24831907321": ("24831907321", "24830010320"),
    "24931907321": ("24931907321", "24930010320"),
}
KIND_LEVELS = {
    "CLG": ["6EME", "5EME", "4EME", "3EME"],
    "LGT": ["2NDE", "1ERE", "TLE"],
    "LP": ["2PRO", "1PRO", "TPRO"],
}
KIND_TYPE = {"CLG": "COLLEGE", "LGT": "LYCEE GENERAL ET TECHNOLOGIQUE",
             "LP": "LYCEE PROFESSIONNEL"}
KIND_PREFIX = {"CLG": "COLLEGE ", "LGT": "LYCEE ", "LP": "LYCEE PROFESSIONNEL "}
KIND_WEIGHT = {"CLG": 1.0, "LGT": 2.0, "LP": 0.9}  # relative size in pupils
KIND_CLASS_SIZE = {"CLG": 26, "LGT": 31, "LP": 22}

DISCIPLINES = {  # key: function code and label of the teacher (ENTPersonFonctions)
    "LM": ("L0202", "LETTRES MODERNES"), "LC": ("L0201", "LETTRES CLASSIQUES"),
    "PH": ("L0100", "PHILOSOPHIE"), "MA": ("L1300", "MATHEMATIQUES"),
    "AN": ("L0422", "ANGLAIS"), "ES": ("L0426", "ESPAGNOL"), "AL": ("L0421", "ALLEMAND"),
    "HG": ("L1000", "HISTOIRE ET GEOGRAPHIE"), "PC": ("L1500", "PHYSIQUE CHIMIE"),
    "SV": ("L1600", "SCIENCES DE LA VIE ET DE LA TERRE"), "TE": ("L1400", "TECHNOLOGIE"),
    "AP": ("L1800", "ARTS PLASTIQUES"), "EM": ("L1700", "EDUCATION MUSICALE"),
    "EP": ("L1900", "EDUCATION PHYSIQUE ET SPORTIVE"),
    "SE": ("L1100", "SCIENCES ECONOMIQUES ET SOCIALES"),
    "LH": ("P0202", "LETTRES-HISTOIRE"), "MS": ("P1315", "MATHEMATIQUES-SCIENCES PHYSIQUES"),
    "AA": ("L7200", "ARTS APPLIQUES"), "BS": ("P7300", "BIOTECHNOLOGIES SANTE ENVIRONNEMENT"),
    "EG": ("P8012", "ECONOMIE ET GESTION"), "VE": ("P8039", "VENTE"),
}
_CLG = [("LM", ["020100"]), ("MA", ["061300"]), ("AN", ["030201"]),
        ("HG", ["040300", "050300"]), ("SV", ["063900"]), ("PC", ["067400"]),
        ("TE", ["070100"]), ("AP", ["080100"]), ("EM", ["080400"]), ("EP", ["100100"])]
_LP = [("LH", ["020100", "040300", "050300"]), ("MS", ["061300", "067400"]),
       ("AN", ["030201"]), ("EP", ["100100"]), ("AA", ["081000"]), ("BS", ["090100"]),
       ("EG", ["090200"]), ("VE", ["090300"])]
CLASS_SLOTS = {  # per level: (discipline, subjects) taught to each class
    "6EME": _CLG, "5EME": _CLG, "4EME": _CLG, "3EME": _CLG,
    "2NDE": [("LM", ["020100"]), ("MA", ["061300"]), ("AN", ["030201"]),
             ("HG", ["040300", "050300"]), ("PC", ["067400"]), ("SV", ["063900"]),
             ("SE", ["040700"]), ("TE", ["061500"]), ("EP", ["100100"])],
    "1ERE": [("LM", ["020100"]), ("HG", ["040300", "050300"]), ("AN", ["030201"]),
             ("PC", ["061400"]), ("EP", ["100100"]), ("PC", ["067400"]), ("SV", ["063900"]),
             ("SE", ["040700"])],
    "TLE": [("PH", ["013000"]), ("HG", ["040300", "050300"]), ("AN", ["030201"]),
            ("SV", ["061400"]), ("EP", ["100100"]), ("PC", ["067400"]), ("SV", ["063900"]),
            ("SE", ["040700"]), ("HG", ["040800"])],
    "2PRO": _LP, "1PRO": _LP, "TPRO": _LP,
}
# Group options per level: code suffix, label, discipline, subject, share of
# the level's pupils, exclusive set ("LV2": one of them at most).
_LV2 = [("LV2ESP", "ESPAGNOL LV2", "ES", "030202", 0.7, "LV2"),
        ("LV2ALL", "ALLEMAND LV2", "AL", "030203", 0.3, "LV2")]
_LAT = [("LAT", "LATIN", "LC", "020700", 0.15, "")]
OPTIONS = {
    "6EME": [], "5EME": _LV2 + _LAT, "4EME": _LV2 + _LAT, "3EME": _LV2 + _LAT,
    "2NDE": _LV2,
    "1ERE": _LV2 + [("SPEMATH", "SPECIALITE MATHEMATIQUES", "MA", "061300", 0.6, "")],
    "TLE": _LV2 + [("SPEMATH", "SPECIALITE MATHEMATIQUES", "MA", "061300", 0.45, "")],
    "2PRO": [], "1PRO": [], "TPRO": [],
}
GROUP_SIZE = 28

FUNCTIONS = {  # staff other than teachers: TYPE, TYPE_LABEL, CODE, LABEL
    "DIR": ("DIR", "DIRECTION", "D0010", "DIRECTION"),
    "EDU": ("EDU", "EDUCATION", "E0030", "CONSEILLER PRINCIPAL D'EDUCATION"),
    "SUR": ("SUR", "SURVEILLANCE", "ED001", "ASSISTANT D'EDUCATION"),
    "DOC": ("DOC", "DOCUMENTATION", "L0080", "DOCUMENTATION"),
    "ADF": ("ADF", "PERSONNELS ADMINISTRATIFS", "A0010", "SECRETARIAT"),
    "GES": ("ADF", "PERSONNELS ADMINISTRATIFS", "G0010", "GESTION MATERIELLE & FINANCIERE"),
}

# --- Names and places ----------------------------------------------------------

SURNAMES = """MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON
MICHEL LEFÈVRE LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT
FONTAINE ROUSSEAU VINCENT MULLER LEFEBVRE FAURE ANDRÉ MERCIER BLANC GUÉRIN BOYER GARNIER
CHEVALIER FRANÇOIS LEGRAND GAUTHIER GARCIA PERRIN ROBIN CLÉMENT MORIN NICOLAS HENRY
ROUSSEL MATHIEU GAUTIER MASSON MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE NOËL MEYER
DUFOUR MEUNIER BRUN BLANCHARD GIRAUD JOLY RIVIÈRE LUCAS BRUNET GAILLARD BARBIER ARNAUD
MARTINEZ GÉRARD ROCHE RENARD SCHMITT ROY LEROUX COLIN VIDAL CARON PICARD ROGER FABRE
AUBERT LEMOINE RENAUD DUMAS LACROIX OLIVIER PHILIPPE BOURGEOIS PIERRE BENOÎT REY LECLERC
PAYET ROLLAND LECLERCQ GUILLAUME LECOMTE LOPEZ JEAN DUPUY GUILLOT HUBERT BERGER CARPENTIER
SANCHEZ DUPUIS MOULIN LOUIS DESCHAMPS HUET VASSEUR PEREZ BOUCHER FLEURY ROYER KLEIN
JACQUET ADAM PARIS POIRIER MARTY AUBRY GUYOT CARRÉ CHARLES RENAULT CHARPENTIER MÉNARD
MAILLARD BARON BERTIN BAILLY HERVÉ SCHNEIDER FERNANDEZ COLLET LÉGER BOUVIER JULIEN
PRÉVOST MILLET PERROT DANIEL COUSIN GERMAIN BRETON BESSON LANGLOIS RÉMY PELLETIER
LÉVÊQUE PERRIER LEBLANC BARRÉ LEBRUN MARCHAL WEBER MALLET HAMON BOULANGER JACOB MONNIER
MICHAUD RODRIGUEZ GUICHARD GILLET ÉTIENNE GRONDIN POULAIN TESSIER CHEVALLIER COLLIN
CHAUVIN BOUCHET GAY LEMAÎTRE BÉNARD MARÉCHAL HUMBERT REYNAUD ANTOINE HOARAU PERRET
BARTHÉLEMY CORDIER PICHON LEJEUNE GILBERT LAMY DELAUNAY PASQUIER CARLIER LAPORTE NGUYEN
TRAN DIALLO TRAORÉ BENSAÏD HADDAD KOUASSI TANGUY GUILLOU QUÉMÉNER CADIOU MORVAN RIOU JÉGOU
KERGOAT DUPONT-MOREAU SAINT-MARTIN BOURDAIS CHESNEAU GUÉRINEAU""".split()
SURNAMES += ["LE BRETON", "LE GALL", "LE ROUX", "LE GOFF", "LE CORRE", "LE BIHAN",
             "LE FLOCH", "LE MEUR", "N'DIAYE", "D'ALMEIDA", "DA SILVA", "DE LA FONTAINE",
             "DES ROCHES", "M'BAPPÉ", "O'NEILL", "VAN DEN BERGHE"]
FEMALE = """Élodie Hélène Chloé Léa Manon Camille Inès Zoé Jade Louise Emma Alice Lina Rose Anna
Ambre Julia Mila Léna Agathe Clémence Maëlys Océane Anaïs Noémie Mathilde Juliette Lou
Margaux Romane Éva Sarah Célia Nina Lucie Pauline Marine Justine Amandine Aurélie Céline
Sandrine Nathalie Isabelle Sophie Stéphanie Valérie Virginie Émilie Caroline Laëtitia
Mélanie Karine Delphine Séverine Audrey Gaëlle Solène Maïwenn Anne-Sophie Marie-Claire
Marie-Hélène Fatou Aïcha Yasmine Fatima Nour Chiara Leïla Salomé Apolline Capucine Héloïse
Bérénice Françoise Geneviève Brigitte Martine Christine Sylvie Monique Colette Anne Marie
Jeanne Charlotte Victoire Garance Albane Elsa Iris Margot Lise Maud Hortense Louna Nolwenn
Gwenaëlle Soazig Maëlle Éloïse Faustine Ophélie Cécile Estelle Zélie Anne-Laure""".split()
MALE = """Lucas Hugo Louis Gabriel Arthur Jules Raphaël Léo Adam Nathan Maël Noé Timéo Enzo
Théo Tom Mathis Sacha Paul Ethan Nolan Baptiste Clément Maxime Antoine Thomas Alexandre
Romain Julien Nicolas Sébastien Stéphane Frédéric Jérôme Laurent Olivier Christophe Cédric
Fabrice Grégory Yannick Erwan Gwenaël Loïc Killian Ewen Titouan Elouan Mathéo Aurélien
Benoît François Hervé Joël Gaël Jean-Baptiste Pierre-Louis Jean-Pierre Jean-Marc
Marc-Antoine Mamadou Moussa Youssef Mohamed Karim Rayan Ilyès Amine Bilal Kevin Dylan
Anthony Jérémy Quentin Valentin Corentin Florian Bastien Damien Guillaume Xavier Yves
Michel Alain Patrick Philippe Bernard Daniel Gérard René Roger André Henri Émile Gaspard
Côme Éloi Victor Félix Oscar Marius Augustin Martin Simon Samuel Axel Noah Liam Aaron
Ibrahim Ismaël Joachim Tanguy Goulven""".split()

COMMUNES = [  # name (AAF writes it in capitals), postal codes, weight
    ("NANTES", ("44000", "44100", "44200", "44300"), 14), ("SAINT-NAZAIRE", ("44600",), 4),
    ("SAINT-HERBLAIN", ("44800",), 3), ("REZÉ", ("44400",), 3), ("ORVAULT", ("44700",), 2),
    ("VERTOU", ("44120",), 2), ("CARQUEFOU", ("44470",), 2), ("COUËRON", ("44220",), 2),
    ("LA CHAPELLE-SUR-ERDRE", ("44240",), 2), ("BOUGUENAIS", ("44340",), 1),
    ("SAINT-SÉBASTIEN-SUR-LOIRE", ("44230",), 2), ("GUÉRANDE", ("44350",), 2),
    ("LA BAULE-ESCOUBLAC", ("44500",), 2), ("PORNIC", ("44210",), 1),
    ("CHÂTEAUBRIANT", ("44110",), 2), ("ANCENIS-SAINT-GÉRÉON", ("44150",), 2),
    ("CLISSON", ("44190",), 1), ("BLAIN", ("44130",), 1), ("SAVENAY", ("44260",), 1),
    ("MACHECOUL-SAINT-MÊME", ("44270",), 1), ("PORNICHET", ("44380",), 1),
    ("SAINTE-LUCE-SUR-LOIRE", ("44980",), 1), ("THOUARÉ-SUR-LOIRE", ("44470",), 1),
    ("BASSE-GOULAINE", ("44115",), 1), ("HÉRIC", ("44810",), 1),
    ("NORT-SUR-ERDRE", ("44390",), 1), ("TREILLIÈRES", ("44119",), 1),
    ("SAINT-BREVIN-LES-PINS", ("44250",), 1), ("PONTCHÂTEAU", ("44160",), 1),
    ("DONGES", ("44480",), 1), ("MONTOIR-DE-BRETAGNE", ("44550",), 1),
    ("TRIGNAC", ("44570",), 1), ("HERBIGNAC", ("44410",), 1), ("NOZAY", ("44170",), 1),
    ("DERVAL", ("44590",), 1), ("GUÉMENÉ-PENFAO", ("44290",), 1), ("VALLET", ("44330",), 1),
    ("LE LOROUX-BOTTEREAU", ("44430",), 1), ("AIGREFEUILLE-SUR-MAINE", ("44140",), 1),
    ("SAINT-PHILBERT-DE-GRAND-LIEU", ("44310",), 1), ("LEGÉ", ("44650",), 1),
    ("SAINTE-PAZANNE", ("44680",), 1), ("BOUAYE", ("44830",), 1), ("INDRE", ("44610",), 1),
    ("SAUTRON", ("44880",), 1), ("SUCÉ-SUR-ERDRE", ("44240",), 1),
    ("SAINT-JULIEN-DE-CONCELLES", ("44450",), 1), ("LA CHEVROLIÈRE", ("44118",), 1),
    ("MISSILLAC", ("44780",), 1), ("LE POULIGUEN", ("44510",), 1),
]
SCHOOL_NAMES = """JULES VERNE|ANNE DE BRETAGNE|RENÉ GUY CADOU|ARISTIDE BRIAND|GABRIEL GUIST'HAU
|GÉRARD PHILIPE|JEAN MOULIN|VICTOR HUGO|PAUL ÉLUARD|LOUIS PASTEUR|MARIE CURIE|SIMONE VEIL
|JACQUES PRÉVERT|ALBERT CAMUS|JEAN JAURÈS|GEORGES CLEMENCEAU|CONDORCET|LA COLINIÈRE
|LES SABLES D'OR|HECTOR BERLIOZ|CLAUDE DEBUSSY|ANTOINE DE SAINT-EXUPÉRY|JEAN ROSTAND
|ERNEST RENAN|PIERRE DE COUBERTIN|LOUISE MICHEL|OLYMPE DE GOUGES|ROSA PARKS|NELSON MANDELA
|LA NOË LAMBERT|LES CHAMPS BLANCS|LE VAL D'ERDRE|JEAN DE LA FONTAINE|AIMÉ CÉSAIRE
|RENÉ BERNIER|LA DURANTIÈRE|LES ÉCHOUSSES|SOPHIE GERMAIN|ÉMILE ZOLA|HONORÉ DE BALZAC
|GEORGE SAND|ARTHUR RIMBAUD|FRANÇOISE DOLTO|CHARLES PÉGUY|LÉO LAGRANGE|LA REINETIÈRE
|LE GALINET|LES PERRIÈRES|PIERRE NORANGE|JULIEN LAMBOT|GUTENBERG|ANDRÉ MALRAUX
|ÉDOUARD HERRIOT|MAURICE UTRILLO|LA NOÉ|LES DERVALLIÈRES|RENÉ CASSIN|JEAN MONNET
|CAMILLE CLAUDEL|THÉODORE MONOD|LES CORDELIERS|MONTESQUIEU|GASTON SERPETTE
|BELLEVUE|LE PLESSIS|LA NEUSTRIE|SAINT-EXUPÉRY|HÉLÈNE BOUCHER""".replace("\n", "").split("|")
STREET_TYPES = ["RUE", "RUE", "RUE", "AVENUE", "BOULEVARD", "ALLÉE", "IMPASSE", "PLACE",
                "CHEMIN", "ROUTE", "SQUARE", "QUAI"]
STREET_NAMES = ["DES LILAS", "DU GÉNÉRAL DE GAULLE", "JEAN JAURÈS", "DE LA PAIX", "DES ÉCOLES",
                "DE L'ÉGLISE", "DU CŒUR", "DES SŒURS", "VICTOR HUGO", "DE LA GARE",
                "DU MOULIN", "DES CHÊNES", "PASTEUR", "DE BRETAGNE", "DE LA LOIRE",
                "DES MIMOSAS", "DU STADE", "DU CHÂTEAU", "DES GENÊTS", "DE LA MAIRIE",
                "SAINT-MICHEL", "DES ARTS & MÉTIERS", "ANATOLE FRANCE", "DES TILLEULS",
                "DU PORT", "DES CAMÉLIAS", "DE LA RÉPUBLIQUE", "DES PÊCHEURS", "DU BOCAGE",
                "DE LA FONTAINE", "DES HORTENSIAS", "GAMBETTA", "DES ACACIAS", "DU PRIEURÉ",
                "DE L'ERDRE", "DES MARAIS", "DU LAVOIR", "DE LA BRIÈRE", "FOCH", "DES PINS"]
LINE2 = ["APPT {n}", "BAT {b} APPT {n}", "RESIDENCE LES PINS", "RÉSIDENCE DU PARC", "ETAGE {n}",
         "LIEU-DIT LA HAYE", "LA GRANDE NOË", "ESCALIER {b}"]
MAIL_DOMAINS = ["gmail.com", "orange.fr", "free.fr", "laposte.net", "hotmail.fr", "sfr.fr",
                "wanadoo.fr", "yahoo.fr", "outlook.fr", "icloud.com"]
REGIMES = [("DP DAN", 0.62), ("EXTERNE LIBRE", 0.33), ("INTERNE DANS L'ETABLISSEMENT", 0.05)]

# --- Small helpers -------------------------------------------------------------


def apportion(total, weights):
    """Split the integer total in proportion to weights (largest remainders)."""
    s = sum(weights)
    if s <= 0:
        weights, s = [1] * len(weights), len(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def uai(dept, number):
    """A UAI: 3-digit département, 4 digits, the check letter of the 7 digits."""
    digits = "%s%04d" % (dept, number)
    return digits + UAI_LETTERS[int(digits) % 23]


def ascii_fold(s):
    """Accents and ligatures removed, for mail addresses."""
    s = s.replace("Œ", "OE").replace("œ", "oe").replace("Æ", "AE").replace("æ", "ae")
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def mail_part(s):
    """A name as it appears in a mail address: folded, lower case, no spaces."""
    return ascii_fold(s).lower().replace("'", "").replace(" ", "-")


def fmt_date(d):
    """dd/mm/yyyy."""
    return "%02d/%02d/%04d" % (d.day, d.month, d.year)


def random_day(rng, year):
    """A day of the given year."""
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def weighted(rng, pairs):
    """One value out of (value, weight) pairs."""
    r = rng.random() * sum(w for _, w in pairs)
    for v, w in pairs:
        r -= w
        if r < 0:
            return v
    return pairs[-1][0]


def double_space(label):
    """A label with its first space doubled (a quirk of real exports)."""
    return label.replace(" ", "  ", 1) if " " in label else label


# --- Streamed XML writing -------------------------------------------------------


def file_style(phase, typ, index):
    """Declared encoding (None: no declaration), CRLF, final newline, of one file."""
    if phase == "Delta":
        return {"Eleve": (None, True, True), "PersRelEleve": ("UTF-8", False, True),
                "PersEducNat": (None, False, False)}.get(typ, ("UTF-8", False, True))
    if typ == "EtabEducNat":
        return ("ISO-8859-15", True, True)
    if typ == "MatiereEducNat":
        return (None, False, True)
    if typ == "MefEducNat":
        return ("UTF-8", False, False)
    if typ == "PersEducNat":
        return ("UTF-8", True, True)
    if typ == "Eleve":
        return (None, False, True) if index % 2 == 0 else ("UTF-8", True, True)
    return (None, True, True) if index % 2 == 0 else ("UTF-8", False, True)


def xml_text(s):
    """Text escaped for XML content."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class BatchWriter:
    """The records of one Type, written as they come into numbered batch files.

    dry: nothing is written (a Delta run makes the Complet again only to
    know it). One non-ASCII value in 23 (the first of each file included)
    is written with decimal character references."""

    def __init__(self, outdir, phase, date, typ, category, batch, dry=False):
        self.outdir, self.phase, self.date, self.typ = outdir, phase, date, typ
        self.cat_name, self.cat_value = category
        self.batch, self.dry = batch, dry
        self.files, self.fh, self.in_file, self.total = [], None, 0, 0
        self.nonascii = 0
        self.op = ('    <operationalAttributes><attr name="%s"><value>%s</value></attr>'
                   "</operationalAttributes>\n" % category)

    def _open(self):
        """Start the next batch file."""
        index = len(self.files)
        encoding, self.crlf, self.final_nl = file_style(self.phase, self.typ, index)
        name = "ENT_%s_%s_%s_%s_%04d.xml" % (ACAD, self.phase, self.date, self.typ, index)
        path = os.path.join(self.outdir, name)
        codec = "iso8859_15" if encoding == "ISO-8859-15" else "utf-8"
        self.fh = open(path, "w", encoding=codec, errors="xmlcharrefreplace", newline="")
        self.files.append(path)
        self.nonascii, self.in_file = 0, 0
        head = ""
        if encoding:
            head = '<?xml version="1.0" encoding="%s"?>\n' % encoding
        head += '<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n<ficAlimMENESR>\n'
        head += '<!-- versionAF="%s" -->\n' % VERSION_AF
        self._write(head)

    def _write(self, text):
        """Text with \\n line ends, written with the file's line ends."""
        self.fh.write(text.replace("\n", "\r\n") if self.crlf else text)

    def _close(self):
        """End the current batch file."""
        self._write("</ficAlimMENESR>" + ("\n" if self.final_nl else ""))
        self.fh.close()
        self.fh = None

    def _value(self, v):
        """One <value>: empty as <value/>, some non-ASCII text as &#NNN;."""
        if v == "":
            return "<value/>"
        s = xml_text(v)
        if not s.isascii():
            self.nonascii += 1
            if self.nonascii % 23 == 1:
                s = "".join(c if ord(c) < 128 else "&#%d;" % ord(c) for c in s)
        return "<value>" + s + "</value>"

    def _values(self, v):
        """The <value>s of an attribute: a string or a list (empty: <value/>)."""
        if isinstance(v, str):
            return self._value(v)
        if not v:
            return "<value/>"
        return "".join(self._value(x) for x in v)

    def _next(self):
        """Count one request; False in a dry run, else its batch file is open."""
        self.total += 1
        if self.dry:
            return False
        if self.fh is None:
            self._open()
        elif self.in_file >= self.batch:
            self._close()
            self._open()
        self.in_file += 1
        return True

    def add(self, jid, attrs):
        """An addRequest; attrs: (name, str or list) pairs, None values skipped."""
        if not self._next():
            return
        parts = ["  <addRequest>\n", self.op, "    <identifier><id>%s</id></identifier>\n" % jid,
                 "    <attributes>\n"]
        for name, v in attrs:
            if v is not None:
                parts.append('      <attr name="%s">%s</attr>\n' % (name, self._values(v)))
        parts.append("    </attributes>\n  </addRequest>\n")
        self._write("".join(parts))

    def modify(self, jid, mods):
        """A modifyRequest replacing the attributes named in mods."""
        if not self._next():
            return
        parts = ["  <modifyRequest>\n", self.op,
                 "    <identifier><id>%s</id></identifier>\n" % jid, "    <modifications>\n"]
        for name, v in mods:
            parts.append('      <modification name="%s" operation="replace">%s</modification>\n'
                         % (name, self._values(v)))
        parts.append("    </modifications>\n  </modifyRequest>\n")
        self._write("".join(parts))

    def delete(self, jid):
        """A deleteRequest."""
        if self._next():
            self._write("  <deleteRequest>\n" + self.op
                        + "    <identifier><id>%s</id></identifier>\n  </deleteRequest>\n" % jid)

    def close(self, always=False):
        """End the last file; always: write an empty file if there was no record."""
        if self.dry:
            return
        if self.fh is None and always and not self.files:
            self._open()
        if self.fh is not None:
            self._close()


# --- The establishments -----------------------------------------------------------


class Estab:
    """One establishment, its classes, groups and seats left for pupils."""

    def __init__(self, idx, kind, number):
        self.idx, self.kind, self.uai = idx, kind, uai(DEPT, number)
        self.levels = KIND_LEVELS[kind]
        self.classes = {}  # level: [[code, label, seats left], ...]
        self.groups = {}  # level: {option suffix: [codes]}
        self.group_list = []  # (code, label, discipline, subject, level)
        self.left = {}  # level: seats left
        self.near = []  # later establishments, nearest first (siblings go there)


def plan_establishments(rng, n, pupils):
    """The establishments with their classes and groups, seats summing to pupils."""
    n_lyc = 0 if n == 1 else max(1, round(n / 4))
    n_lp = round(n_lyc / 3)
    kinds = ["CLG"] * (n - n_lyc) + ["LGT"] * (n_lyc - n_lp) + ["LP"] * n_lp
    rng.shuffle(kinds)
    numbers = rng.sample(range(1, 10000), n)
    estabs = [Estab(i, k, numbers[i]) for i, k in enumerate(kinds)]
    weights = [KIND_WEIGHT[e.kind] * rng.uniform(0.6, 1.5) for e in estabs]
    used_names = set()
    for e, size in zip(estabs, apportion(pupils, weights)):
        e.commune = weighted(rng, [(i, w) for i, (_, _, w) in enumerate(COMMUNES)])
        city, cps, _ = COMMUNES[e.commune]
        for _ in range(20):
            base = rng.choice(SCHOOL_NAMES) if e.idx else "RENÉ GUY CADOU"
            if (e.commune, base) not in used_names:
                break
        used_names.add((e.commune, base))
        e.name = KIND_PREFIX[e.kind] + base
        if rng.random() < 0.01:
            e.name = double_space(e.name)
        e.city, e.cp = city, rng.choice(cps)
        e.street = "%d %s %s" % (rng.randint(1, 90), rng.choice(STREET_TYPES),
                                 rng.choice(STREET_NAMES))
        e.phone = "02 %02d %02d %02d %02d" % (rng.choice((40, 51, 28)), rng.randrange(100),
                                             rng.randrange(100), rng.randrange(100))
        plan_classes(rng, e, size)
    # One label with a double space and ISO-8859-15 letters, whatever the draw.
    estabs[0].street = "1 RUE DU CŒUR"
    first = estabs[0].classes[estabs[0].levels[-1]][0]
    first[1] = double_space(first[1])
    for e in estabs:
        e.near = nearest_later(estabs, e)
    return estabs


def plan_classes(rng, e, size):
    """Classes and groups of an establishment of size pupils."""
    per_level = apportion(size, [rng.uniform(0.9, 1.1) for _ in e.levels])
    for lv, n in zip(e.levels, per_level):
        _, _, _, _, cprefix, lprefix, gprefix, glabel = LEVELS[lv]
        k = max(1, round(n / KIND_CLASS_SIZE[e.kind]))
        classes = []
        for i, seats in enumerate(apportion(n, [1] * k)):
            mark = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i] if e.kind == "CLG" and i < 26 else str(i + 1)
            label = lprefix + mark
            if rng.random() < 0.01:
                label = double_space(label)
            classes.append([cprefix + mark, label, seats])
        e.classes[lv] = classes
        e.left[lv] = n
        e.groups[lv] = {}
        for suffix, olabel, disc, subject, share, _ in OPTIONS[lv]:
            expected = n * share
            if expected < 1:
                continue
            count = max(1, math.ceil(expected / GROUP_SIZE))
            codes = []
            for j in range(count):
                code = gprefix + suffix + (str(j + 1) if count > 1 else "")
                label = "%s %s%s" % (glabel, olabel, " %d" % (j + 1) if count > 1 else "")
                if rng.random() < 0.01:
                    label = double_space(label)
                codes.append(code)
                e.group_list.append((code, label, disc, subject, lv))
            e.groups[lv][suffix] = codes
    e.total_left = size


def nearest_later(estabs, e, limit=12):
    """Up to limit establishments after e: same commune first, then nearest."""
    later = estabs[e.idx + 1:e.idx + 200]
    later = sorted(later, key=lambda f: (f.commune != e.commune, f.idx))
    return later[:limit]


# --- The staff ---------------------------------------------------------------------


class Staff:
    """One PersEducNat record."""

    def __init__(self, role, estab, disc=None):
        self.role, self.estab, self.disc = role, estab, disc
        self.fn_estabs = [estab]  # establishments of the functions (ENS: teaching there)
        self.slots = []  # (estab, "C" or "G", code, subjects)
        self.principal = []  # (estab, class code)
        self.foreign = None  # UAI of a function outside the export
        self.lent = False  # gave classes to a teacher of another establishment


def plan_staff(rng, estabs, target):
    """Every establishment's staff; teachers cover every class and group."""
    for e in estabs:
        pools = {}
        for lv in e.levels:
            for code, _, _ in e.classes[lv]:
                for disc, subjects in CLASS_SLOTS[lv]:
                    pools.setdefault(disc, []).append((e, "C", code, subjects))
        for code, _, disc, subject, _ in e.group_list:
            pools.setdefault(disc, []).append((e, "G", code, [subject]))
        e.pools = pools
        e.k = {d: max(1, math.ceil(len(s) / MAX_TEACHER_SLOTS)) for d, s in pools.items()}
        size = sum(e.left.values())
        e.others = (["DIR", "DIR"] + ["EDU"] * (2 if size > 350 or rng.random() < 0.3 else 1)
                    + ["SUR"] * min(5, 2 + size // 150 + rng.randrange(2)) + ["DOC"]
                    + ["GES"] + ["ADF"] * rng.randint(1, 3))
    natural = sum(sum(e.k.values()) + len(e.others) for e in estabs)
    for i in range(max(0, target - natural)):
        e = estabs[i % len(estabs)]
        split = [d for d, s in e.pools.items() if len(s) / (e.k[d] + 1) >= MIN_TEACHER_SLOTS]
        if split:
            d = max(split, key=lambda d: (len(e.pools[d]) / e.k[d], d))
            e.k[d] += 1
        else:
            e.others.append("SUR")
    staff, teachers = [], []
    for e in estabs:
        staff.extend(Staff(role, e) for role in e.others)
        for d, slots in e.pools.items():
            pos = 0
            for size in apportion(len(slots), [1] * e.k[d]):
                t = Staff("ENS", e, d)
                t.slots = slots[pos:pos + size]
                pos += size
                staff.append(t)
                teachers.append(t)
    share_teachers(rng, estabs, teachers)
    for t in rng.sample(teachers, round(len(teachers) * 0.01)):
        if t.foreign is None and len(t.fn_estabs) == 1:
            t.foreign = uai(FOREIGN_DEPT, rng.randrange(1, 10000))
    choose_principals(teachers)
    no_rattach = set(rng.sample(range(len(staff)), max(1, round(len(staff) * 0.01))))
    for i, s in enumerate(staff):
        s.rattach = None if i in no_rattach else s.estab.uai
    return staff


def share_teachers(rng, estabs, teachers):
    """About 2 % of teachers (at least one) get classes in a second establishment."""
    if len(estabs) < 2 or not teachers:
        return
    by_key = {}
    for t in teachers:
        by_key.setdefault((t.estab.idx, t.disc), []).append(t)
    wanted, done = max(1, round(len(teachers) * 0.02)), 0
    order = list(range(len(teachers)))
    rng.shuffle(order)
    # Those with too few classes where they are first: they complete their service.
    order.sort(key=lambda i: len(teachers[i].slots) >= MIN_TEACHER_SLOTS)
    for i in order:
        t = teachers[i]
        if done >= wanted:
            break
        if len(t.fn_estabs) > 1 or len(t.slots) > 4 or t.lent:
            continue
        start = rng.randrange(len(estabs))
        for j in range(len(estabs)):
            b = estabs[(start + j) % len(estabs)]
            if b is t.estab:
                continue
            donors = [u for u in by_key.get((b.idx, t.disc), [])
                      if len(u.slots) > MIN_TEACHER_SLOTS and len(u.fn_estabs) == 1]
            if donors:
                u = donors[0]
                n = min(2, len(u.slots) - MIN_TEACHER_SLOTS)
                t.slots += u.slots[-n:]
                del u.slots[-n:]
                u.lent = True
                t.fn_estabs.append(b)
                done += 1
                break


def choose_principals(teachers):
    """One professeur principal per class, a different teacher where possible."""
    by_class = {}
    for t in teachers:
        for e, kind, code, _ in t.slots:
            if kind == "C":
                by_class.setdefault((e.idx, code), (e, []))[1].append(t)
    for (_, code), (e, ts) in by_class.items():
        free = [t for t in ts if not t.principal]
        (free or ts)[0].principal.append((e, code))


def person_names(rng, female):
    """sn, given name (sometimes in capitals), title."""
    given = rng.choice(FEMALE if female else MALE)
    if rng.random() < 0.1:
        given = given.upper()
    return rng.choice(SURNAMES), given, "Mme" if female else "M."


def name_staff(rng, staff, unit, year):
    """Jointure, names, birth date and academic mail of every staff record."""
    used = set()
    for i, s in enumerate(staff):
        s.jid = str(3 * unit + i + 1)
        female = rng.random() < 0.6
        s.sn, s.given, s.title = person_names(rng, female)
        s.patro = rng.choice(SURNAMES) if female and rng.random() < 0.3 else s.sn
        s.birth = fmt_date(random_day(rng, year - rng.randint(24, 63)))
        local = "%s.%s" % (mail_part(s.given), mail_part(s.sn))
        n, cand = 1, local
        while cand in used:
            n += 1
            cand = "%s%d" % (local, n)
        used.add(cand)
        s.mail = "%s@%s" % (cand, MAIL_DOMAIN)


def staff_attrs(s):
    """The attributes of a PersEducNat record."""
    if s.role == "ENS":
        code, label = DISCIPLINES[s.disc]
        fns = ["%s$ENS$ENSEIGNEMENT$%s$%s" % (e.uai, code, label) for e in s.fn_estabs]
        if s.foreign:
            fns.append("%s$ENS$ENSEIGNEMENT$%s$%s" % (s.foreign, code, label))
    else:
        fns = ["%s$%s" % (s.estab.uai, "$".join(FUNCTIONS[s.role]))]
    classes, groups, cmat, gmat = staff_teaching(s)
    teaching = s.role == "ENS"
    return [
        ("ENTPersonJointure", s.jid), ("sn", s.sn), ("givenName", s.given),
        ("ENTPersonNomPatro", s.patro), ("personalTitle", s.title),
        ("ENTPersonDateNaissance", s.birth), ("mail", s.mail),
        ("ENTPersonStructRattach", s.rattach), ("ENTPersonFonctions", fns),
        ("ENTAuxEnsClasses", classes if teaching else None),
        ("ENTAuxEnsGroupes", groups if teaching else None),
        ("ENTAuxEnsClassesMatieres", cmat if teaching else None),
        ("ENTAuxEnsGroupesMatieres", gmat if teaching else None),
        ("ENTAuxEnsClassesPrincipal",
         ["%s$%s" % (e.uai, c) for e, c in s.principal] if teaching else None),
        ("PersEducNatPresenceDevantEleves", "O" if s.role in ("ENS", "DOC") else "N"),
    ]


def staff_teaching(s):
    """ENTAuxEnsClasses, …Groupes, …ClassesMatieres, …GroupesMatieres values."""
    classes, groups, cmat, gmat = [], [], [], []
    for e, kind, code, subjects in s.slots:
        (classes if kind == "C" else groups).append("%s$%s" % (e.uai, code))
        for sub in subjects:
            (cmat if kind == "C" else gmat).append("%s$%s$%s" % (e.uai, code, sub))
    if s.foreign:
        classes.append("%s$3A" % s.foreign)
        cmat.append("%s$3A$%s" % (s.foreign, s.slots[0][3][0] if s.slots else "001000"))
    return classes, groups, cmat, gmat


# --- Families: pupils and their relatives --------------------------------------------


class Ctx:
    """What the family generation needs and counts."""

    def __init__(self, rng, args, estabs, unit, eleve, persrel):
        self.rng = rng
        self.args, self.estabs, self.unit = args, estabs, unit
        self.eleve, self.persrel = eleve, persrel
        self.n_pupils = self.n_rel = self.families = 0
        self.stats = {"twins_families": 0, "separated_families": 0,
                      "single_relative_pupils": 0, "relatives_in_2_establishments": 0,
                      "relatives_in_3_establishments": 0}
        date = args.date_obj
        self.year = date.year if date.month >= 8 else date.year - 1
        self.entry = "01/09/%d" % self.year
        self.ine_offset = (args.seed * 7368787) % 10 ** 9
        self.res_pupils = self.res_rel = None  # Delta: samples (reservoirs)
        self.rng_d = None


def take_seat(rng, e, lv):
    """A class of level lv of e with a seat left (the seat is taken): its code."""
    r = rng.randrange(e.left[lv])
    for c in e.classes[lv]:
        r -= c[2]
        if r < 0:
            c[2] -= 1
            e.left[lv] -= 1
            e.total_left -= 1
            return c[0]
    raise AssertionError("no seat")


def level_of_age(e, age):
    """The level of e for an age index, if it has seats left."""
    for lv in e.levels:
        if LEVELS[lv][0] == age and e.left[lv] > 0:
            return lv
    return None


def place_sibling(rng, cands, ages, used, spread, every_age=False):
    """(establishment, level) for a brother or sister of another age, or None.

    cands: the establishments to try in turn; spread: not one the family
    already has a child in; every_age: all ages tried after four random ones."""
    a0 = ages[0]
    tries = []
    for _ in range(4):
        a = a0 + rng.choice((1, 1, 2, 2, 3, 4)) * rng.choice((-1, 1))
        tries.append(a if 0 <= a <= 6 else 2 * a0 - a)
    if every_age:
        tries += list(range(7))
    for a in tries:
        if a < 0 or a > 6 or a in ages:
            continue
        for f in cands:
            if spread and f in used:
                continue
            lv = level_of_age(f, a)
            if lv:
                return f, lv
    return None


def place_children(ctx, e, force):
    """The family's children as (establishment, level, class, twin?) in seat order."""
    rng = ctx.rng
    r = rng.randrange(e.total_left)
    for lv in e.levels:
        r -= e.left[lv]
        if r < 0:
            break
    if force == "twins":
        lv = max(e.levels, key=lambda x: e.left[x])
    kids = [(e, lv, take_seat(rng, e, lv))]
    ages = [LEVELS[lv][0]]
    twins = force == "twins" or (force is None and rng.random() < 0.015)
    if twins and e.left[lv] > 0:
        kids.append((e, lv, take_seat(rng, e, lv)))
        ages.append(ages[0])
    else:
        twins = False
    if force == "cross":
        want = 3 if len(ctx.estabs) >= 3 else 2
    else:
        want = weighted(rng, [(1, 0.72), (2, 0.23), (3, 0.05)])
    spread = force == "cross" or (want == 3 and rng.random() < 0.3)
    while len(kids) < want + (1 if twins else 0):
        used = [k[0] for k in kids]
        if force == "cross":  # somewhere else, wherever there are seats
            got = place_sibling(rng, ctx.estabs[e.idx + 1:], ages, used, True, True)
        else:
            got = place_sibling(rng, [e] + e.near, ages, used, spread)
        if not got:
            break
        f, flv = got
        kids.append((f, flv, take_seat(rng, f, flv)))
        ages.append(LEVELS[flv][0])
    return kids, twins


def address(rng, commune=None):
    """(ENTPersonAdresse, postal code, city) of a home in the département."""
    if commune is None:
        commune = weighted(rng, [(i, w) for i, (_, _, w) in enumerate(COMMUNES)])
    city, cps, _ = COMMUNES[commune]
    line = "%d%s %s %s" % (rng.randint(1, 180), " BIS" if rng.random() < 0.03 else "",
                           rng.choice(STREET_TYPES), rng.choice(STREET_NAMES))
    if rng.random() < 0.25:
        line += "$" + rng.choice(LINE2).format(n=rng.randint(1, 40), b=rng.choice("ABCDE"))
    return line, rng.choice(cps), city


def phone(rng, mobile):
    """A French phone number, spaced or not."""
    head = rng.choice(("06", "07")) if mobile else "02 %d" % rng.choice((40, 51, 28, 72))
    head = head.replace(" ", "")
    digits = head + "".join(str(rng.randrange(10)) for _ in range(10 - len(head)))
    if rng.random() < 0.6:
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return digits


def absent(rng):
    """An attribute without value: left out, or written as <value/>."""
    return None if rng.random() < 0.5 else ""


def make_relative(ctx, female, sn, patro, birth_year, home, link):
    """A relative (the addRequest written at once); returns the pupil-side link."""
    rng = ctx.rng
    ctx.n_rel += 1
    idx = ctx.n_rel
    jid = str(2 * ctx.unit + idx)
    given = rng.choice(FEMALE if female else MALE)
    if rng.random() < 0.1:
        given = given.upper()
    mail = absent(rng)
    if rng.random() < 0.85:
        mail = relative_mail(rng, given, sn, idx)
    attrs = [
        ("ENTPersonJointure", jid), ("ENTPersonNomPatro", patro), ("sn", sn),
        ("givenName", given), ("personalTitle", "Mme" if female else "M."),
        ("ENTPersonDateNaissance", fmt_date(random_day(rng, birth_year))),
        ("homePhone", phone(rng, False) if rng.random() < 0.45 else absent(rng)),
        ("telephoneNumber", phone(rng, False) if rng.random() < 0.25 else absent(rng)),
        ("mobile", phone(rng, True) if rng.random() < 0.93 else absent(rng)),
        ("mail", mail),
        ("ENTPersonAdresse", home[0]), ("ENTPersonCodePostal", home[1]),
        ("ENTPersonVille", home[2]), ("ENTPersonPays", "FRANCE"),
    ]
    ctx.persrel.add(jid, attrs)
    if ctx.res_rel is not None:
        sample(ctx, ctx.res_rel, idx - 1, lambda: (jid, idx, female, given, sn, mail))
    return "%s$%s" % (jid, link)


def relative_mail(rng, given, sn, idx):
    """A personal mail address, unique thanks to the relative's number."""
    g, s = mail_part(given), mail_part(sn).replace("-", "")
    local = rng.choice(("%s.%s%d" % (g, s, idx), "%s.%s%d" % (s, g, idx),
                        "%s%s%d" % (g[0], s, idx)))
    return "%s@%s" % (local, rng.choice(MAIL_DOMAINS))


def sample(ctx, res, i, make):
    """Reservoir sampling (Delta runs): item i may replace one of res."""
    k = res[0]
    if i < k:
        res[1].append(make())
        return
    j = ctx.rng_d.randrange(i + 1)
    if j < k:
        res[1][j] = make()


def make_family(ctx, e, force=None):
    """One family: its relatives and its pupils, written."""
    rng = ctx.rng
    kids, twins = place_children(ctx, e, force)
    ctx.families += 1
    if twins:
        ctx.stats["twins_families"] += 1
    n_estabs = len({k[0].idx for k in kids})
    birth_base = ctx.year - 11 - max(LEVELS[lv][0] for _, lv, _ in kids)
    single = force == "single" or (force is None and rng.random() < 0.05)
    separated = not single and (force == "separated" or (force is None and rng.random() < 0.2))
    if separated:
        ctx.stats["separated_families"] += 1
    father_sn, mother_sn = rng.choice(SURNAMES), rng.choice(SURNAMES)
    commune = kids[0][0].commune if rng.random() < 0.8 else None
    home = address(rng, commune)
    links = []
    if single:
        who = weighted(rng, [("mother", 0.75), ("father", 0.2), ("tutor", 0.05)])
        sn = father_sn if who == "father" else mother_sn
        kid_sn = sn
        link = {"mother": "10$1$1$1$1", "father": "20$1$1$1$1", "tutor": "50$1$1$1$1"}[who]
        links.append(make_relative(ctx, who != "father", sn, sn,
                                   birth_base - rng.randint(24, 45), home, link))
    else:
        kid_sn = father_sn if rng.random() < 0.9 else "%s %s" % (father_sn, mother_sn)
        mother_usage = mother_sn if separated or rng.random() < 0.35 else father_sn
        other = address(rng, commune if rng.random() < 0.6 else None) if separated else home
        mother_home, father_home = (home, other) if rng.random() < 0.7 else (other, home)
        mother_first = rng.random() < 0.8
        m_link = "10$1$%d$1$%d" % ((1, 1) if mother_first else (2, 0))
        f_link = "20$%d$%d$1$%d" % (0 if mother_first and not separated else 1,
                                    2 if mother_first else 1, 0 if mother_first else 1)
        pair = [(True, mother_usage, mother_sn, mother_home, m_link),
                (False, father_sn, father_sn, father_home, f_link)]
        if not mother_first:
            pair.reverse()
        for female, sn, patro, h, link in pair:
            links.append(make_relative(ctx, female, sn, patro,
                                       birth_base - rng.randint(24, 46), h, link))
    want = ctx.args.relatives_per_pupil * (ctx.n_pupils + len(kids))
    extras = 0 if single else max(0, min(2, round(want - ctx.n_rel)))
    for i in range(extras):
        female = rng.random() < 0.55
        if separated and i == 0:  # a step-parent, with the parent the children live with
            sn = rng.choice(SURNAMES)
            links.append(make_relative(ctx, female, sn, sn, birth_base - rng.randint(24, 50),
                                       home, "50$0$0$1$0"))
        else:  # a grandparent or another person to call
            sn = rng.choice((father_sn, mother_sn, rng.choice(SURNAMES)))
            links.append(make_relative(ctx, female, sn, sn, birth_base - rng.randint(48, 70),
                                       address(rng), "50$0$0$1$0"))
    if len(links) == 1:
        ctx.stats["single_relative_pupils"] += len(kids)
    if n_estabs >= 2:
        ctx.stats["relatives_in_%d_establishments" % min(3, n_estabs)] += len(links)
    grant = "O" if rng.random() < 0.25 else "N"
    twin_day = None
    for n, (f, lv, cls) in enumerate(kids):
        if twins and n < 2:
            if twin_day is None:
                twin_day = pupil_birth(rng, ctx.year, lv)
            day = twin_day
        else:
            day = pupil_birth(rng, ctx.year, lv)
        make_pupil(ctx, f, lv, cls, kid_sn, day, links, home, grant)


def pupil_birth(rng, year, lv):
    """A birth date for a pupil of level lv (some a year behind or ahead)."""
    y = year - 11 - LEVELS[lv][0]
    r = rng.random()
    y += -1 if r < 0.08 else (1 if r < 0.1 else 0)
    return fmt_date(random_day(rng, y))


def pupil_groups(rng, e, lv):
    """ENTEleveGroupes codes for a pupil of level lv of e (0 to 2): one LV2, options."""
    out = []
    lv2 = [(o[0], o[4]) for o in OPTIONS[lv] if o[5] == "LV2" and e.groups[lv].get(o[0])]
    if lv2:
        out.append(rng.choice(e.groups[lv][weighted(rng, lv2)]))
    for suffix, _, _, _, share, excl in OPTIONS[lv]:
        codes = e.groups[lv].get(suffix)
        if codes and not excl and rng.random() < share:
            out.append(rng.choice(codes))
    return out


def make_pupil(ctx, e, lv, cls, sn, birth, links, home, grant):
    """One pupil (the addRequest written at once)."""
    rng = ctx.rng
    i = ctx.n_pupils
    ctx.n_pupils += 1
    jid = str(ctx.unit + ctx.n_pupils)
    female = rng.random() < 0.5
    given = rng.choice(FEMALE if female else MALE)
    if rng.random() < 0.1:
        given = given.upper()
    others = []
    for _ in range(rng.choice((0, 1, 1, 2))):
        other = rng.choice(FEMALE if female else MALE)
        if other.upper() != given.upper() and other not in others:
            others.append(other)
    groups = pupil_groups(rng, e, lv)
    regimes = REGIMES[:2] if e.kind == "CLG" else REGIMES
    attrs = pupil_attrs(ctx, e, lv, cls, jid, ine(ctx, i), birth, sn, given, others, female,
                        groups, links, weighted(rng, regimes), grant, home)
    ctx.eleve.add(jid, attrs)
    if ctx.res_pupils is not None:
        sample(ctx, ctx.res_pupils, i,
               lambda: (jid, e, lv, cls, female, sn, given, list(links), home, groups))


def ine(ctx, i):
    """The INE of the i-th pupil: 9 digits (unique) and 2 letters."""
    d = (i * 7919 + ctx.ine_offset) % 10 ** 9
    return "%09d%s%s" % (d, UAI_LETTERS[d % 23], UAI_LETTERS[d // 23 % 23])


def pupil_attrs(ctx, e, lv, cls, jid, ine_, birth, sn, given, others, female, groups, links,
                regime, grant, home, entry=None):
    """The attributes of an Eleve record (entry: date of entry in the class)."""
    _, mef, mef_label, niv = LEVELS[lv][:4]
    return [
        ("ENTPersonJointure", jid), ("ENTEleveINE", ine_), ("ENTPersonDateNaissance", birth),
        ("ENTPersonNomPatro", sn), ("sn", sn), ("givenName", given),
        ("ENTPersonAutresPrenoms", others), ("personalTitle", "Mme" if female else "M."),
        ("ENTEleveStructRattachId", e.uai), ("ENTPersonStructRattach", e.uai),
        ("ENTEleveMEF", mef), ("ENTEleveLibelleMEF", mef_label), ("ENTEleveNivFormation", niv),
        ("ENTEleveClasses", ["%s$%s" % (e.uai, cls)]),
        ("ENTEleveGroupes", ["%s$%s" % (e.uai, g) for g in groups]),
        ("ENTElevePersRelEleve", links), ("ENTEleveRegime", regime),
        ("ENTEleveBoursier", grant),
        ("ENTEleveDateEntreeClasses", ["%s$%s$%s" % (e.uai, entry or ctx.entry, cls)]),
        ("ENTPersonAdresse", home[0]), ("ENTPersonCodePostal", home[1]),
        ("ENTPersonVille", home[2]), ("ENTPersonPays", "FRANCE"),
    ]


def make_families(ctx):
    """Families until every seat is taken; special families first."""
    forced = ["twins", "separated", "single"]
    if len(ctx.estabs) >= 2:
        forced.insert(1, "cross")
    for e in ctx.estabs:
        while e.total_left > 0:
            make_family(ctx, e, forced.pop(0) if forced else None)


# --- The nomenclature files ------------------------------------------------------------


def write_estabs(w, estabs):
    """EtabEducNat records."""
    for e in estabs:
        classes = ["%s$%s" % (c[0], c[1]) for lv in e.levels for c in e.classes[lv]]
        groups = ["%s$%s" % (g[0], g[1]) for g in e.group_list]
        w.add(e.uai, [
            ("ENTStructureJointure", e.uai), ("ENTStructureUAI", e.uai),
            ("ENTEtablissementUAI", e.uai), ("ENTStructureNomCourant", e.name),
            ("ENTStructureTypeStruct", KIND_TYPE[e.kind]), ("ENTEtablissementContrat", "PU"),
            ("street", e.street), ("postalCode", e.cp), ("l", e.city),
            ("telephoneNumber", e.phone), ("ENTServAcAcademie", ACAD),
            ("ENTStructureClasses", classes), ("ENTStructureGroupes", groups),
        ])


def write_subjects(w):
    """MatiereEducNat records."""
    for code, label in SUBJECTS:
        w.add(code, [("ENTMatJointure", code), ("ENTLibelleMatiere", label)])


def write_mefs(w):
    """MefEducNat records."""
    for lv in LEVELS.values():
        code, label = lv[1], lv[2]
        rattach, stat = MEF_EXTRA[code]
        w.add(code, [("ENTMefJointure", code), ("ENTLibelleMef", label),
                     ("ENTMEFRattach", rattach), ("ENTMEFSTAT11", stat)])


# --- Delta ------------------------------------------------------------------------------

DELTA_SHARES = [("modify_pupil", 0.40), ("modify_relative", 0.25), ("add", 0.15),
                ("delete_pupil", 0.10), ("modify_staff", 0.10)]


def delta_quotas(n):
    """Requests of each kind for n changes in all ("add": pupils and relatives)."""
    counts = apportion(n, [s for _, s in DELTA_SHARES])
    return dict(zip([k for k, _ in DELTA_SHARES], counts))


def write_delta(ctx, args, staff, writers):
    """The Delta files: exactly args.delta requests. Returns the counts per kind."""
    rng = ctx.rng_d
    q = delta_quotas(args.delta)
    pupils, rels = ctx.res_pupils[1], ctx.res_rel[1]
    teachers = [s for s in staff if s.role == "ENS" and s.slots]
    ms = min(q["modify_staff"], len(teachers))
    mr = min(q["modify_relative"], len(rels))
    dl = min(q["delete_pupil"], len(pupils) // 4)
    mp = min(q["modify_pupil"] + (q["modify_staff"] - ms) + (q["modify_relative"] - mr)
             + (q["delete_pupil"] - dl), len(pupils) - dl)
    adds = args.delta - ms - mr - dl - mp
    rng.shuffle(pupils)
    eleve, persrel, pers = [], [], []
    for p in pupils[:mp]:
        eleve.append(("modify", p[0], modify_pupil(ctx, p)))
    for p in pupils[mp:mp + dl]:
        eleve.append(("delete", p[0], None))
    for jid, idx, female, given, sn, mail in rels[:mr]:
        persrel.append(("modify", jid, modify_relative(rng, idx, given, sn, mail)))
    for t in rng.sample(teachers, ms):
        pers.append(("modify", t.jid, modify_teacher(rng, t)))
    kept = pupils[:mp] or pupils[mp + dl:] or pupils
    new_pupils, new_rels = add_pupils(ctx, adds, kept, eleve, persrel)
    for w, items in ((writers[0], eleve), (writers[1], persrel), (writers[2], pers)):
        rng.shuffle(items)
        for op, jid, body in items:
            if op == "modify":
                w.modify(jid, body)
            elif op == "delete":
                w.delete(jid)
            else:
                w.add(jid, body)
    return {"modify_pupil": mp, "modify_relative": mr, "add_pupil": new_pupils,
            "add_relative": new_rels, "delete_pupil": dl, "modify_staff": ms}


def modify_pupil(ctx, p):
    """The modifications of a pupil: a class move, a new name or a new address."""
    rng = ctx.rng_d
    jid, e, lv, cls, female, sn, given, links, home, groups = p
    kind = weighted(rng, [("class", 0.4), ("name", 0.25), ("address", 0.35)])
    others = [c[0] for c in e.classes[lv] if c[0] != cls]
    if kind == "class" and others:
        new = rng.choice(others)
        day = fmt_date(ctx.args.delta_date_obj)
        return [("ENTEleveClasses", ["%s$%s" % (e.uai, new)]),
                ("ENTEleveDateEntreeClasses", ["%s$%s$%s" % (e.uai, day, new)])]
    if kind == "name":
        if rng.random() < 0.5:
            return [("sn", rng.choice([s for s in SURNAMES if s != sn]))]
        names = [g for g in (FEMALE if female else MALE) if g != given]
        return [("givenName", rng.choice(names))]
    line, cp, city = address(rng)
    return [("ENTPersonAdresse", line), ("ENTPersonCodePostal", cp), ("ENTPersonVille", city)]


def modify_relative(rng, idx, given, sn, old_mail):
    """The modifications of a relative: a new mail, a new mobile, or both."""
    kind = weighted(rng, [("mail", 0.4), ("mobile", 0.4), ("both", 0.2)])
    mods = []
    if kind != "mobile":
        mail = old_mail
        while mail == old_mail:
            mail = relative_mail(rng, given, sn, idx)
        mods.append(("mail", mail))
    if kind != "mail":
        mods.append(("mobile", phone(rng, True)))
    return mods


def modify_teacher(rng, t):
    """A teacher given one more class (or group) of his subject, or one less if none is left.

    The new class is one of his establishment's that another teacher of the
    same subject has: a change of timetable, as at the start of the year."""
    have = {(s[0].idx, s[1], s[2]) for s in t.slots}
    free = [s for s in t.estab.pools[t.disc] if (s[0].idx, s[1], s[2]) not in have]
    slots = list(t.slots)
    if free:
        slots.append(rng.choice(free))
    elif len(slots) > 1:
        slots.pop()
    saved, t.slots = t.slots, slots
    classes, groups, cmat, gmat = staff_teaching(t)
    t.slots = saved
    changed = [s for s in slots if s not in saved] + [s for s in saved if s not in slots]
    if any(s[1] == "G" for s in changed):
        return [("ENTAuxEnsGroupes", groups), ("ENTAuxEnsGroupesMatieres", gmat)]
    return [("ENTAuxEnsClasses", classes), ("ENTAuxEnsClassesMatieres", cmat)]


def add_pupils(ctx, budget, kept, eleve, persrel):
    """New pupils with new relatives (or a younger sibling of a pupil): budget requests."""
    rng = ctx.rng_d
    new_pupils = new_rels = 0
    while budget > 0:
        sibling = budget == 1 or rng.random() < 0.15
        e = rng.choice(ctx.estabs)
        lv = rng.choice(e.levels)
        cls = rng.choice(e.classes[lv])[0]
        if sibling and kept:  # a brother or sister comes: the relatives are there already
            src = rng.choice(kept)
            links, home, sn, e = src[7], src[8], src[5], src[1]
            lv = rng.choice(e.levels)
            cls = rng.choice(e.classes[lv])[0]
        else:
            n_rel = 2 if budget >= 3 and rng.random() < 0.75 else 1
            sn, home, links = rng.choice(SURNAMES), address(rng), []
            for k in range(n_rel):
                ctx.n_rel += 1
                new_rels += 1
                jid = str(2 * ctx.unit + ctx.n_rel)
                female = k == 0
                given = rng.choice(FEMALE if female else MALE)
                persrel.append(("add", jid, [
                    ("ENTPersonJointure", jid), ("ENTPersonNomPatro", sn), ("sn", sn),
                    ("givenName", given), ("personalTitle", "Mme" if female else "M."),
                    ("ENTPersonDateNaissance", fmt_date(random_day(rng, ctx.year - 45))),
                    ("mobile", phone(rng, True)),
                    ("mail", relative_mail(rng, given, sn, ctx.n_rel)),
                    ("ENTPersonAdresse", home[0]), ("ENTPersonCodePostal", home[1]),
                    ("ENTPersonVille", home[2]), ("ENTPersonPays", "FRANCE")]))
                links.append("%s$%s" % (jid, "10$1$1$1$1" if female else "20$0$2$1$0"))
            budget -= n_rel
        i = ctx.n_pupils
        ctx.n_pupils += 1
        new_pupils += 1
        budget -= 1
        jid = str(ctx.unit + ctx.n_pupils)
        female = rng.random() < 0.5
        given = rng.choice(FEMALE if female else MALE)
        day = fmt_date(ctx.args.delta_date_obj)
        attrs = pupil_attrs(ctx, e, lv, cls, jid, ine(ctx, i),
                            pupil_birth(rng, ctx.year, lv), sn, given, [], female,
                            [], links, "DP DAN", "N", home, day)
        eleve.append(("add", jid, attrs))
    return new_pupils, new_rels


# --- Main -------------------------------------------------------------------------------


def parse_args(argv):
    """The command line."""
    p = argparse.ArgumentParser(description="Write a synthetic AAF export (Complet or Delta).")
    p.add_argument("outdir", help="directory of the files (made if missing)")
    p.add_argument("--establishments", type=int, default=240, help="default 240")
    p.add_argument("--pupils", type=int, default=64000, help="default 64000")
    p.add_argument("--relatives-per-pupil", type=float, default=1.9, metavar="R",
                   help="distinct relatives per pupil, default 1.9")
    p.add_argument("--staff", type=int, default=6000, help="at least this many, default 6000")
    p.add_argument("--seed", type=int, default=1, help="default 1")
    p.add_argument("--date", default="20260901", help="date of the Complet, YYYYMMDD")
    p.add_argument("--batch", type=int, default=20000, help="records per file, default 20000")
    p.add_argument("--delta", type=int, default=None, metavar="N",
                   help="write a Delta of N requests instead of the Complet")
    p.add_argument("--delta-date", default="20260908", help="date of the Delta, YYYYMMDD")
    a = p.parse_args(argv)
    if not 1 <= a.establishments <= 9000:
        p.error("--establishments: 1 to 9000")
    if a.pupils < a.establishments:
        p.error("--pupils: at least one per establishment")
    if a.batch < 1 or a.staff < 0 or a.relatives_per_pupil < 0:
        p.error("--batch, --staff and --relatives-per-pupil must be positive")
    if a.delta is not None and a.delta < 1:
        p.error("--delta: at least 1")
    for name in ("date", "delta_date"):
        try:
            setattr(a, name + "_obj", datetime.datetime.strptime(getattr(a, name), "%Y%m%d"))
        except ValueError:
            p.error("--%s: YYYYMMDD" % name.replace("_", "-"))
    return a


def main(argv):
    """Write the export; print the JSON summaries."""
    args = parse_args(argv)
    os.makedirs(args.outdir, exist_ok=True)
    delta = args.delta is not None
    dry = delta
    rng = random.Random(args.seed)
    estabs = plan_establishments(rng, args.establishments, args.pupils)
    staff = plan_staff(rng, estabs, args.staff)
    biggest = max(4 * args.pupils + (args.delta or 0) + 10, len(staff) + 10)
    unit = 10 ** max(6, len(str(biggest)))
    year = args.date_obj.year
    name_staff(rng, staff, unit, year)

    def writer(typ, category, phase="Complet", date=args.date, d=dry):
        return BatchWriter(args.outdir, phase, date, typ, category, args.batch, d)

    per = "categoriePersonne"
    ws = {
        "EtabEducNat": writer("EtabEducNat", ("categorieStructure", "EtabEducNat")),
        "MatiereEducNat": writer("MatiereEducNat", ("categorieMatiere", "MatEducNat")),
        "MefEducNat": writer("MefEducNat", ("categorieMef", "MefEducNat")),
        "Eleve": writer("Eleve", (per, "Eleve")),
        "PersRelEleve": writer("PersRelEleve", (per, "PersRelEleve")),
        "PersEducNat": writer("PersEducNat", (per, "PersEducNat")),
    }
    write_estabs(ws["EtabEducNat"], estabs)
    write_subjects(ws["MatiereEducNat"])
    write_mefs(ws["MefEducNat"])
    ctx = Ctx(rng, args, estabs, unit, ws["Eleve"], ws["PersRelEleve"])
    if delta:
        ctx.rng_d = random.Random("delta-%d" % args.seed)
        ctx.res_pupils = (min(args.delta, args.pupils), [])
        ctx.res_rel = (args.delta, [])
    make_families(ctx)
    for s in staff:
        ws["PersEducNat"].add(s.jid, staff_attrs(s))
    for w in ws.values():
        w.close(always=True)
    files = sum(len(w.files) for w in ws.values())
    if delta:
        dws = [writer(t, (per, t), "Delta", args.delta_date, False)
               for t in ("Eleve", "PersRelEleve", "PersEducNat")]
        kinds = write_delta(ctx, args, staff, dws)
        for w in dws:
            w.close()
        files = sum(len(w.files) for w in dws)
        print(json.dumps(kinds))
    summary = {
        "mode": "Delta" if delta else "Complet",
        "establishments": len(estabs),
        "classes": sum(len(e.classes[lv]) for e in estabs for lv in e.levels),
        "groups": sum(len(e.group_list) for e in estabs),
        "pupils": ws["Eleve"].total, "relatives": ws["PersRelEleve"].total,
        "staff": len(staff), "files": files,
        "families": ctx.families,
    }
    summary.update(ctx.stats)
    summary["teachers_in_2_establishments"] = sum(len(s.fn_estabs) > 1 for s in staff)
    summary["staff_without_rattach"] = sum(s.rattach is None for s in staff)
    summary["staff_with_foreign_function"] = sum(s.foreign is not None for s in staff)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
