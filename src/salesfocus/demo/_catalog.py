"""Fixed word lists and catalogue parameters of the fictional wholesaler (no randomness here)."""

from __future__ import annotations

import numpy as np

# --- groups planted in the data --------------------------------------------------------------------------------
GROUPS = ("regular", "loss_maker", "growth", "top", "churned")
REGULAR, LOSS, GROWTH, TOP, CHURNED = range(5)
# share of customers per planted group (regular takes the rest)
GROUP_SHARE = {LOSS: 0.08, GROWTH: 0.06, TOP: 0.05, CHURNED: 0.10}

# --- sectors ---------------------------------------------------------------------------------------------------
SECTORS = (
    "Bouw",
    "Zorg",
    "Industrie",
    "Horeca",
    "Retail",
    "Logistiek",
    "Onderwijs",
    "Overheid",
    "Agrarisch",
    "Zakelijke dienstverlening",
)
BOUW, ZORG, INDUSTRIE, HORECA, RETAIL, LOGISTIEK, ONDERWIJS, OVERHEID, AGRARISCH, ZAKELIJK = range(10)
SECTOR_WEIGHTS = np.array([0.14, 0.09, 0.14, 0.10, 0.12, 0.09, 0.06, 0.05, 0.08, 0.13])
TOP_SECTORS = (BOUW, ZORG)

# --- regions: Dutch provinces and Flemish provinces ------------------------------------------------------------
REGIONS = (
    "Groningen",
    "Friesland",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
    "Antwerpen",
    "Oost-Vlaanderen",
    "West-Vlaanderen",
    "Vlaams-Brabant",
    "Limburg (BE)",
)
REGION_COUNTRY = np.array([0] * 12 + [1] * 5)  # 0 = NL, 1 = BE
COUNTRIES = ("NL", "BE")
_NL_W = np.array([0.035, 0.037, 0.028, 0.067, 0.024, 0.120, 0.079, 0.165, 0.213, 0.022, 0.150, 0.060])
_BE_W = np.array([0.28, 0.23, 0.18, 0.17, 0.14])
REGION_WEIGHTS = np.concatenate([0.72 * _NL_W / _NL_W.sum(), 0.28 * _BE_W / _BE_W.sum()])
NOORD_BRABANT, ANTWERPEN = 10, 12
TOP_REGIONS = (NOORD_BRABANT, ANTWERPEN)

TOWNS = (
    ("Groningen", "Hoogezand", "Stadskanaal", "Delfzijl"),
    ("Leeuwarden", "Sneek", "Drachten", "Heerenveen"),
    ("Assen", "Emmen", "Hoogeveen", "Meppel"),
    ("Zwolle", "Enschede", "Deventer", "Almelo", "Hengelo"),
    ("Almere", "Lelystad", "Dronten", "Emmeloord"),
    ("Arnhem", "Nijmegen", "Apeldoorn", "Ede", "Doetinchem"),
    ("Utrecht", "Amersfoort", "Nieuwegein", "Veenendaal", "Zeist"),
    ("Amsterdam", "Haarlem", "Alkmaar", "Hilversum", "Zaandam", "Hoorn"),
    ("Rotterdam", "Den Haag", "Leiden", "Dordrecht", "Delft", "Gouda", "Zoetermeer"),
    ("Middelburg", "Vlissingen", "Goes", "Terneuzen"),
    ("Eindhoven", "Tilburg", "Breda", "Den Bosch", "Helmond", "Oss", "Roosendaal"),
    ("Maastricht", "Venlo", "Heerlen", "Roermond", "Sittard"),
    ("Antwerpen", "Mechelen", "Turnhout", "Lier", "Geel", "Schoten"),
    ("Gent", "Aalst", "Sint-Niklaas", "Dendermonde", "Lokeren"),
    ("Brugge", "Kortrijk", "Oostende", "Roeselare", "Ieper"),
    ("Leuven", "Vilvoorde", "Tienen", "Halle", "Aarschot"),
    ("Hasselt", "Genk", "Sint-Truiden", "Tongeren", "Lommel"),
)

SURNAMES_NL = (
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "Schouten",
    "van Beek",
    "Willems",
    "van Vliet",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "Prins",
    "Blom",
    "Huisman",
    "Kuipers",
    "Verbeek",
)
SURNAMES_BE = (
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Hermans",
    "Aerts",
    "Pauwels",
    "Van den Broeck",
    "Verstraete",
    "Desmet",
    "Dumont",
    "Cools",
    "Vermeulen",
    "Lambrechts",
    "Van Damme",
    "De Clercq",
    "Martens",
    "Van de Velde",
    "Coppens",
)

# name prefixes ("Bakkerij Jansen BV", "Zorggroep Tilburg") and suffixes ("Van Dijk Installatietechniek")
SECTOR_PREFIX = (
    ("Bouwbedrijf", "Aannemersbedrijf", "Installatiebedrijf", "Dakdekkersbedrijf", "Schildersbedrijf", "Timmerbedrijf"),
    ("Zorggroep", "Huisartsenpraktijk", "Tandartspraktijk", "Thuiszorg", "Fysiotherapie", "Woonzorgcentrum"),
    ("Machinefabriek", "Metaalbewerking", "Kunststoffabriek", "Constructiebedrijf", "Staalbouw"),
    ("Restaurant", "Hotel", "Eetcafé", "Brasserie", "Bakkerij", "Lunchroom"),
    ("Slagerij", "Bloemenhandel", "Fietsenwinkel", "Kaashandel", "Bouwmarkt", "Drogisterij"),
    ("Transportbedrijf", "Koeriersdienst", "Expeditiebedrijf", "Verhuisbedrijf"),
    ("Basisschool", "Kinderopvang", "Scholengemeenschap", "Opleidingscentrum"),
    ("Gemeente", "Waterschap", "Veiligheidsregio", "Omgevingsdienst"),
    ("Loonbedrijf", "Kwekerij", "Melkveebedrijf", "Hoveniersbedrijf", "Boomkwekerij"),
    ("Adviesbureau", "Accountantskantoor", "Advocatenkantoor", "Ingenieursbureau", "Administratiekantoor"),
)
SECTOR_SUFFIX = (
    ("Bouw", "Installatietechniek", "Bouwgroep", "Dakwerken", "Renovatie"),
    ("Zorg", "Medisch Centrum", "Zorgcentrum", "Thuiszorg"),
    ("Techniek", "Metaal", "Industries", "Engineering", "Precisie"),
    ("Catering", "Horeca", "Events", "Hospitality"),
    ("Mode", "Wonen", "Tuincentrum", "Retail"),
    ("Logistics", "Transport", "Distributie", "Cargo"),
    ("Opleidingen", "Academie", "Training"),
    ("Facilitair", "Dienstverlening"),
    ("Agro", "Tuinbouw", "Veehouderij", "Groen"),
    ("Consultancy", "Advies", "Accountants", "Partners"),
)
LEGAL_NL = ("BV", "B.V.", "", "VOF", "Holding BV", "BV")
LEGAL_BE = ("BV", "NV", "", "BVBA", "CommV", "BV")
EMAIL_PREFIX = ("info", "info", "info", "inkoop", "administratie", "bestellingen", "facturen")

SIZE_CLASSES = ("1-9", "10-49", "50-249", "250+")
SIZE_LO = np.array([1, 10, 50, 250])
SIZE_HI = np.array([9, 49, 249, 4000])

CHANNELS = ("field", "inside", "webshop")
FIELD, INSIDE, WEBSHOP = range(3)

ACCOUNT_MANAGERS_NL = ("Sanne de Vries", "Mark Jansen", "Eva Bakker", "Thomas Visser")
ACCOUNT_MANAGERS_BE = ("Pieter Claes", "Lotte Peeters")
ACCOUNT_MANAGERS = ACCOUNT_MANAGERS_NL + ACCOUNT_MANAGERS_BE

# --- product groups: name, share of the ~2000 articles, price range (EUR), cost ratio, mean quantity per line ----
PRODUCT_GROUPS = (
    ("Bevestigingsmiddelen", 0.11, 1.5, 18.0, 0.55, 20.0),
    ("Handgereedschap", 0.09, 8.0, 120.0, 0.64, 2.5),
    ("Elektrisch gereedschap", 0.07, 45.0, 650.0, 0.74, 1.3),
    ("Sanitair", 0.08, 25.0, 900.0, 0.70, 1.6),
    ("Verwarming en klimaat", 0.06, 60.0, 2500.0, 0.78, 1.2),
    ("Bouwmaterialen", 0.09, 4.0, 90.0, 0.82, 18.0),
    ("Verf en afwerking", 0.07, 8.0, 110.0, 0.60, 5.0),
    ("Persoonlijke beschermingsmiddelen", 0.07, 3.0, 85.0, 0.58, 8.0),
    ("Schoonmaak en hygiëne", 0.07, 2.0, 60.0, 0.63, 10.0),
    ("Kantoorartikelen", 0.06, 1.0, 45.0, 0.68, 8.0),
    ("Verpakkingsmaterialen", 0.06, 0.4, 25.0, 0.77, 40.0),
    ("Medische disposables", 0.06, 2.0, 70.0, 0.62, 12.0),
    ("Horeca-apparatuur", 0.04, 150.0, 6000.0, 0.76, 1.1),  # niche
    ("Machines en onderdelen", 0.04, 40.0, 3500.0, 0.73, 1.5),  # niche
    ("Service en onderhoud", 0.03, 75.0, 1200.0, 0.42, 1.2),  # niche: contracts and labour
)
N_PRODUCT_GROUPS = len(PRODUCT_GROUPS)
NICHE_GROUPS = (12, 13, 14)
N_PRODUCTS = 2000

# affinity rows: one per sector, then a "loss maker" and a "growth" buying profile (weights per product group)
_BASE_AFF = np.array([1.0, 0.8, 0.5, 0.5, 0.4, 0.6, 0.5, 0.7, 0.8, 0.6, 0.6, 0.3, 0.15, 0.15, 0.2])
_BOOST = {
    BOUW: {0: 3.0, 1: 2.0, 2: 2.0, 3: 2.5, 4: 2.0, 5: 3.5, 6: 2.0, 7: 1.5},
    ZORG: {8: 3.0, 11: 6.0, 7: 1.5, 9: 1.0, 14: 0.6},
    INDUSTRIE: {0: 2.5, 1: 2.0, 2: 2.0, 7: 2.0, 13: 1.2, 10: 1.0},
    HORECA: {8: 3.0, 10: 2.0, 12: 1.5, 9: 0.5},
    RETAIL: {10: 3.0, 9: 1.5, 8: 1.5},
    LOGISTIEK: {10: 4.0, 7: 1.5, 1: 1.0},
    ONDERWIJS: {9: 4.0, 8: 2.0},
    OVERHEID: {9: 2.5, 8: 1.5, 7: 1.5, 5: 1.0},
    AGRARISCH: {13: 1.2, 1: 1.5, 7: 1.5, 5: 1.5, 10: 1.0},
    ZAKELIJK: {9: 4.0, 8: 1.0, 2: 0.6},
}
# loss makers: cheap bulk and low-margin groups; growth customers: high-margin groups (fasteners, PPE, paint, service)
_LOSS_ROW = np.array([0.5, 0.3, 0.8, 0.3, 0.8, 3.0, 0.3, 0.2, 0.3, 0.6, 3.0, 0.2, 0.0, 0.0, 0.0])
_GROWTH_ROW = np.array([3.0, 1.5, 0.2, 0.6, 0.1, 0.1, 2.5, 3.0, 1.5, 0.3, 0.1, 1.5, 0.0, 0.0, 1.5])


def affinity_matrix() -> np.ndarray:
    """Rows 0-9 sectors, row 10 loss-maker profile, row 11 growth profile; each row sums to 1."""
    rows = []
    for s in range(len(SECTORS)):
        w = _BASE_AFF.copy()
        for g, b in _BOOST[s].items():
            w[g] += b
        rows.append(w)
    rows += [_LOSS_ROW, _GROWTH_ROW]
    m = np.array(rows, dtype=np.float64)
    return m / m.sum(axis=1, keepdims=True)


LOSS_ROW, GROWTH_ROW = 10, 11

# niche access: probability that a customer of a sector buys from niche group 12/13/14 at all
NICHE_ACCESS = np.full((len(SECTORS), 3), 0.03)
NICHE_ACCESS[HORECA, 0] = 0.45
NICHE_ACCESS[INDUSTRIE, 1] = 0.40
NICHE_ACCESS[AGRARISCH, 1] = 0.35
NICHE_ACCESS[:, 2] = 0.06
NICHE_ACCESS[ZORG, 2] = 0.15

# --- leads and prospects -----------------------------------------------------------------------------------------
LEAD_CHANNELS = ("website", "beurs", "referral", "cold call", "LinkedIn", "webinar")
WON_CHANNEL_W = np.array([0.25, 0.20, 0.30, 0.05, 0.12, 0.08])
OPEN_CHANNEL_W = np.array([0.33, 0.15, 0.08, 0.24, 0.12, 0.08])
NSR_CHANNEL_W = np.array([0.60, 0.05, 0.02, 0.03, 0.20, 0.10])
P_QUOTE = np.array([0.35, 0.45, 0.65, 0.20, 0.30, 0.35])  # chance a (non-won) lead gets a quote, per channel
PROSPECT_SOURCES = LEAD_CHANNELS + ("KvK-lijst",)
PROSPECT_SOURCE_W = np.array([0.22, 0.14, 0.08, 0.12, 0.14, 0.06, 0.24])
PROSPECT_STATUS = ("suspect", "prospect", "ex-customer")

# --- assessment notes per planted group ----------------------------------------------------------------------------
NOTES = (
    (
        "Geen bijzonderheden",
        "Tevreden klant",
        "Prijsgevoelig, vergelijkt offertes",
        "Bestelt vooral online",
        "Vaste afnemer",
        "Inkoper wisselt vaak",
    ),
    (
        "Veel kleine bestellingen",
        "Klaagt regelmatig over levertijd",
        "Betaalt structureel laat",
        "Veel retouren",
        "Belt vaak voor kleine vragen",
        "Wil altijd extra korting",
    ),
    (
        "Kleine afnemer maar zeer tevreden",
        "Koopt nu een klein deel bij ons, interesse in meer",
        "Breidt uit, vraagt naar ons assortiment",
        "Enthousiast over service",
        "Potentie bij nieuwe vestiging",
    ),
    (
        "Strategische klant, jaarafspraak loopt",
        "Wil samen nieuwe productlijn testen",
        "Ambassadeur in de branche",
        "Kwartaaloverleg met directie",
        "Raamcontract verlengd",
    ),
    (
        "Overgestapt naar concurrent",
        "Prijs te hoog volgens inkoper",
        "Nieuwe inkoper, geen contact meer",
        "Ontevreden over levering",
        "Bedrijf ingekrompen",
    ),
)
