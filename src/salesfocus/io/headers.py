"""Recognise Dutch and English export headers without configuration.

A header is normalised (lower case, accents and punctuation removed) and looked up in a table of
synonyms per canonical column. The first match wins per canonical column; a mapping file overrides.
"""

from __future__ import annotations

import re
import unicodedata

from salesfocus.io.schemas import SCHEMAS

__all__ = ["normalise", "propose_mapping", "guess_table", "SYNONYMS"]

# Synonyms per canonical column name; table-specific entries win over the shared ones.
_SHARED: dict[str, list[str]] = {
    "customer_id": [
        "customer_id", "customerid", "customer", "customer no", "customer number", "customer code", "client id",
        "account id", "account number", "klantnummer", "klantnr", "klant nr", "klant", "klantcode", "klant id",
        "debiteur", "debiteurnummer", "debiteurnr", "debiteur nr", "relatienummer", "relatienr", "relatie",
        "sold to", "soldto", "bill to", "customer key",
    ],
    "name": ["name", "customer name", "company", "company name", "naam", "klantnaam", "bedrijfsnaam", "bedrijf",
             "relatienaam", "debiteurnaam", "organisatie", "organisation", "organization"],
    "sector": ["sector", "industry", "branche", "branch", "segment", "industrie", "sbi", "sector naam"],
    "region": ["region", "regio", "province", "provincie", "state", "area", "gebied", "rayon"],
    "country": ["country", "land", "country code", "landcode"],
    "size_class": ["size_class", "size class", "size", "company size", "grootte", "grootteklasse", "omvang",
                   "bedrijfsgrootte", "klasse"],
    "employees": ["employees", "number of employees", "fte", "medewerkers", "aantal medewerkers", "werknemers",
                  "aantal werknemers", "personeel"],
    "account_manager": ["account_manager", "account manager", "accountmanager", "sales rep", "salesrep",
                        "vertegenwoordiger", "verkoper", "owner", "eigenaar", "behandelaar", "contactpersoon intern"],
    "email": ["email", "e-mail", "e mail", "email address", "e-mailadres", "emailadres", "mail", "contact email"],
    "status": ["status", "klantstatus", "customer status", "state"],
    "acquired_date": ["acquired_date", "acquired", "customer since", "klant sinds", "startdatum", "start date",
                      "created", "aangemaakt", "datum aangemaakt"],
    "channel": ["channel", "kanaal", "verkoopkanaal", "sales channel", "bron kanaal"],
    "payment_terms_days": ["payment_terms_days", "payment terms", "betalingstermijn", "betaaltermijn",
                           "termijn dagen"],
    "order_id": ["order_id", "order id", "orderid", "order", "order no", "order number", "ordernummer", "ordernr",
                 "order nr", "invoice", "invoice no", "invoiceno", "factuur", "factuurnummer", "factuurnr",
                 "bonnummer", "pakbon", "document", "documentnummer", "boekstuk", "transaction id"],
    "order_date": ["order_date", "order date", "orderdate", "date", "datum", "orderdatum", "invoicedate",
                   "invoice date", "factuurdatum", "boekdatum", "transaction date", "leverdatum", "documentdatum"],
    "product_id": ["product_id", "product id", "product", "productid", "sku", "item", "item no", "stockcode",
                   "stock code", "artikel", "artikelnummer", "artikelnr", "artikelcode", "productcode",
                   "product code"],
    "product_group": ["product_group", "product group", "productgroep", "artikelgroep", "category",
                      "categorie", "product category", "productcategorie", "groep", "hoofdgroep"],
    "quantity": ["quantity", "qty", "aantal", "hoeveelheid", "stuks", "units", "volume"],
    "revenue": ["revenue", "net revenue", "netrevenue", "sales", "net sales", "amount", "line total", "omzet",
                "netto omzet", "omzet netto", "bedrag", "regelbedrag", "regeltotaal", "totaal", "verkoopbedrag",
                "netto bedrag", "value", "waarde"],
    "cost": ["cost", "cogs", "cost of goods", "cost price", "costs", "kostprijs", "inkoopwaarde", "inkoopprijs",
             "kosten", "inkoop", "kostprijs totaal", "inkoopbedrag"],
    "activity_date": ["activity_date", "activity date", "date", "datum", "activiteitdatum", "datum activiteit"],
    "activity_type": ["activity_type", "activity type", "type", "activity", "activiteit", "soort", "soort activiteit",
                      "activiteitsoort", "kind"],
    "hours": ["hours", "uren", "duur", "duration", "tijd uren", "aantal uren"],
    "employee": ["employee", "medewerker", "user", "gebruiker", "uitgevoerd door", "done by"],
    "invoice_id": ["invoice_id", "invoice id", "invoice", "invoice no", "invoice number", "factuur",
                   "factuurnummer", "factuurnr"],
    "invoice_date": ["invoice_date", "invoice date", "invoicedate", "factuurdatum", "datum", "date"],
    "due_date": ["due_date", "due date", "vervaldatum", "vervaldag", "uiterste betaaldatum"],
    "paid_date": ["paid_date", "paid date", "payment date", "betaaldatum", "datum betaald", "betaald op",
                  "datum betaling"],
    "amount": ["amount", "invoice amount", "bedrag", "factuurbedrag", "totaal", "total", "bedrag incl",
               "bedrag excl"],
    "assessment_date": ["assessment_date", "assessment date", "date", "datum", "beoordelingsdatum"],
    "potential_revenue": ["potential_revenue", "potential revenue", "potential", "potentie", "potentiele omzet",
                          "omzetpotentie", "potentiële omzet"],
    "margin_ok": ["margin_ok", "margin ok", "marge ok", "marge", "margin"],
    "speed_ok": ["speed_ok", "speed ok", "snelheid", "speed", "snel"],
    "innovation": ["innovation", "innovatie", "innovatief", "innovative"],
    "network": ["network", "netwerk"],
    "network_relevance": ["network_relevance", "relevantie netwerk", "relevance", "relevantie"],
    "network_reputation": ["network_reputation", "reputatie", "reputation"],
    "network_size": ["network_size", "netwerkomvang", "omvang netwerk", "network size"],
    "nps": ["nps", "nps score", "aanbevelingsscore", "score", "tevredenheid", "satisfaction"],
    "note": ["note", "notes", "opmerking", "opmerkingen", "toelichting", "comment", "comments"],
    "lead_id": ["lead_id", "lead id", "lead", "lead nummer", "leadnummer", "lead nr"],
    "lead_date": ["lead_date", "lead date", "date", "datum", "created", "aangemaakt"],
    "stage": ["stage", "fase", "status", "stadium", "stage reached"],
    "prospect_id": ["prospect_id", "prospect id", "prospect", "prospectnummer", "prospect nr", "suspect id"],
    "value": ["value", "waarde", "bedrag", "amount", "offertebedrag", "deal value"],
    "quote_date": ["quote_date", "quote date", "offertedatum", "datum offerte"],
    "closed_date": ["closed_date", "closed date", "close date", "afgesloten", "datum gewonnen", "won date"],
    "source": ["source", "bron", "herkomst", "lead source"],
    "identified_date": ["identified_date", "identified", "datum geidentificeerd", "created", "aangemaakt", "datum"],
}

SYNONYMS: dict[str, dict[str, list[str]]] = {
    table: {col: _SHARED.get(col, [col]) for col in schema.names} for table, schema in SCHEMAS.items()
}
# Within one table a word must point at one column; these tables know better than the shared list.
SYNONYMS["prospects"]["prospect_id"] = _SHARED["prospect_id"] + ["id", "nummer", "relatienummer"]
SYNONYMS["prospects"]["customer_id"] = ["customer_id", "klantnummer", "debiteurnummer", "customer number"]
SYNONYMS["invoices"]["invoice_id"] = _SHARED["invoice_id"] + ["document", "documentnummer", "boekstuk"]
SYNONYMS["customers"]["customer_id"] = _SHARED["customer_id"] + ["id", "nummer"]


def normalise(header: str) -> str:
    """Lower-case, strip accents, turn punctuation and underscores into single spaces."""
    s = unicodedata.normalize("NFKD", str(header)).encode("ascii", "ignore").decode()
    s = re.sub(r"[^0-9a-zA-Z]+", " ", s).strip().lower()
    return s


def propose_mapping(table: str, headers: list[str]) -> dict[str, str]:
    """Canonical column -> source header for the headers that are recognised.

    Exact canonical names win; then synonyms in the order listed (most specific first).
    Each source header is used at most once.
    """
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(normalise(h), h)
    used: set[str] = set()
    out: dict[str, str] = {}
    syn = SYNONYMS[table]
    for col in syn:  # exact canonical names first
        h = by_norm.get(normalise(col))
        if h is not None and h not in used:
            out[col] = h
            used.add(h)
    for col, words in syn.items():
        if col in out:
            continue
        for w in words:
            h = by_norm.get(normalise(w))
            if h is not None and h not in used:
                out[col] = h
                used.add(h)
                break
    return out


_NAME_HINTS = {
    "customers": ["klant", "customer", "debiteur", "relatie", "client", "account"],
    "order_lines": ["order", "sales", "verkoop", "omzet", "regel", "line", "transact", "invoice_lines", "retail"],
    "activities": ["activit", "activiteit", "bezoek", "visit", "call", "ticket", "crm"],
    "invoices": ["invoice", "factu", "debiteurenlijst", "betaling", "payment"],
    "assessments": ["assess", "beoordel", "nps", "potentie", "enquete", "survey"],
    "leads": ["lead", "funnel", "offerte", "quote", "pipeline"],
    "prospects": ["prospect", "suspect"],
}


def guess_table(filename: str, headers: list[str]) -> str:
    """Which canonical table a bare file is, from its name and headers; ``order_lines`` when unsure."""
    name = filename.lower()
    scores: dict[str, float] = {}
    for table in SCHEMAS:
        mapped = propose_mapping(table, headers)
        required = SCHEMAS[table].required
        # An order export missing only its amount column is still an order export (the error says so).
        if not all(c in mapped for c in required) and not (
                table == "order_lines" and {"order_id", "order_date"} <= mapped.keys()):
            continue
        score = len(mapped) / len(SCHEMAS[table].columns) + len(required)
        if any(h in name for h in _NAME_HINTS[table]):
            score += 10
        scores[table] = score
    if not scores:
        return "order_lines"
    return max(scores, key=lambda t: (scores[t], t == "order_lines"))
