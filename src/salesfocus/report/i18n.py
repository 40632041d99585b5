"""Words of the report in English and Dutch: headings, column labels, category values, sentences.

Which words does a Dutch or Flemish commercial director expect? The method's own: A-cliënteel,
klantenpiramide, kopgroep, walviscurve, cost-to-serve (klantkosten). Every label the workbook, the HTML
report and the segment lists show comes from here; ``Texts(lang)`` looks them up and formats numbers the
way the language writes them (``€412k`` / ``€ 412.000``, ``2.5%`` / ``2,5%``).

A column or table this module does not know yet (an analysis added later) still gets a readable label:
its snake_case name is translated word by word (``cost_visits`` → *Kosten bezoeken*).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

__all__ = ["LANGS", "Texts", "texts"]

LANGS = ("en", "nl")

# -- sentences and headings ----------------------------------------------------------------------------------
TEXT: dict[str, tuple[str, str]] = {
    "title": ("Customer profitability report", "Rapport klantwinstgevendheid"),
    "subtitle": ("Which customers earn money after cost-to-serve, and where sales should spend its time",
                 "Welke klanten verdienen geld na klantkosten, en waar verkoop zijn tijd aan besteedt"),
    "run_line": ("Run {run_id} of {created}; data {start} to {end}, analysed as of {as_of}; {customers} customers.",
                 "Run {run_id} van {created}; gegevens {start} tot {end}, peildatum {as_of}; {customers} klanten."),
    "in_short": ("In short", "In het kort"),
    "overview": ("Overview", "Overzicht"),
    "rows": ("Rows", "Rijen"),
    "headline": ("Headline figures", "Kerncijfers"),
    "figure": ("Figure", "Kengetal"),
    "value": ("Value", "Waarde"),
    "meaning": ("What it means", "Wat het betekent"),
    "contents": ("Contents", "Inhoud"),
    "sheet": ("Sheet", "Blad"),
    "about_sheet": ("What it shows", "Wat het laat zien"),
    "notes": ("What the run could not do", "Wat de analyse niet kon doen"),
    "missing": ("Not in this run", "Niet in deze analyse"),
    "missing_note": ("{what}: the run has no table {table} — this analysis has not run on this data.",
                     "{what}: de analyse heeft geen tabel {table} — deze analyse is op deze gegevens niet gedraaid."),
    "rows_shown": ("Showing {shown} of {total} rows; the full table is in salesfocus.xlsx and {file}.",
                   "{shown} van {total} rijen getoond; de volledige tabel staat in salesfocus.xlsx en {file}."),
    "rows_capped": ("The first {shown} of {total} rows (full table: {file}).",
                    "De eerste {shown} van {total} rijen (volledige tabel: {file})."),
    "charts": ("Charts", "Grafieken"),
    "key_columns": ("The {shown} key columns; all {total} are in customers.csv.",
                    "De {shown} belangrijkste kolommen; alle {total} staan in customers.csv."),
    "chart_data": ("Chart data", "Grafiekdata"),
    "chart_data_note": ("Points plotted by the charts, taken from the run's tables (sorted, largest first).",
                        "Punten die de grafieken tonen, uit de tabellen van de analyse (gesorteerd, grootste eerst)."),
    "columns_sheet": ("Columns", "Kolommen"),
    "column": ("Column", "Kolom"),
    "csv_name": ("Name in CSV", "Naam in CSV"),
    "generated": ("Made by salesfocus {version}. Figures come from the stored run; nothing is recomputed here.",
                  "Gemaakt met salesfocus {version}. De cijfers komen uit de opgeslagen analyse; hier wordt niets "
                  "herberekend."),
    "print": ("Print or save as PDF", "Afdrukken of als PDF bewaren"),
    "table_behind": ("Table behind the chart", "Tabel achter de grafiek"),
    "no_rows": ("No rows.", "Geen rijen."),
    "yes": ("yes", "ja"),
    "no": ("no", "nee"),
    # chart titles and axes
    "ch_whale": ("Whale curve: cumulative net profit by customer, most profitable first",
                 "Walviscurve: cumulatieve nettowinst per klant, meest winstgevende eerst"),
    "ch_pareto": ("Pareto: cumulative revenue by customer, largest first",
                  "Pareto: cumulatieve omzet per klant, grootste eerst"),
    "ch_pyramid": ("Customer pyramid: share of customers, revenue, cost-to-serve and profit per level",
                   "Klantenpiramide: aandeel klanten, omzet, klantkosten en winst per niveau"),
    "ch_effort": ("Effort versus value: share of visits and of net profit", "Inspanning versus waarde: aandeel "
                  "bezoeken en aandeel nettowinst"),
    "ch_abc": ("A/B/C matrix: annual revenue + potential against yes answers", "ABC-matrix: jaaromzet + potentieel "
               "tegen het aantal keren ja"),
    "sample_note": ("A sample of {shown} of {total} customers, in proportion per segment (all are in customers.csv)",
                    "Een steekproef van {shown} van {total} klanten, naar verhouding per segment (allemaal in "
                    "customers.csv)"),
    "ch_value": ("Value matrix: customers per cell (margin × frequency, colour = satisfaction)",
                 "Waardematrix: klanten per cel (marge × frequentie, kleur = tevredenheid)"),
    "ch_policy": ("Sales hours per segment: now and under the policy", "Verkooputen per segment: nu en volgens het "
                  "beleid"),
    "ch_profile": ("Kopgroep profile: how much more often a trait occurs in the top group (lift)",
                   "Profiel van de kopgroep: hoeveel vaker een kenmerk in de kopgroep voorkomt (lift)"),
    "ch_clusters": ("Behaviour clusters: customers and net profit", "Gedragsclusters: klanten en nettowinst"),
    "ch_loss": ("Largest loss-makers: net profit", "Grootste verliesgevers: nettowinst"),
    "ch_portfolio": ("Targeting portfolio: attractiveness against chance of winning (bubble = size)",
                     "Doelgroepportfolio: aantrekkelijkheid tegen kans op succes (bel = omvang)"),
    "ch_at_risk": ("Customers at risk: value at stake", "Klanten met vertrekrisico: waarde die op het spel staat"),
    "ch_migration": ("Migration between pyramid levels", "Verschuivingen tussen piramideniveaus"),
    "ch_retention": ("Retention per period", "Klantbehoud per periode"),
    "ch_goals": ("Goals: target and actual", "Doelen: doel en realisatie"),
    "ch_funnel": ("Lead funnel", "Leadfunnel"),
    "ch_years": ("Revenue and gross margin per year", "Omzet en brutomarge per jaar"),
    "ch_load": ("Account manager load: active customers against capacity (100% = full)",
                "Belasting accountmanagers: actieve klanten tegenover capaciteit (100% = vol)"),
    "ch_churn": ("Churn drivers: how well each separates leavers from stayers (AUC; 0.5 = not at all)",
                 "Vertrekoorzaken: hoe goed elk vertrekkers van blijvers scheidt (AUC; 0,5 = niet)"),
    "ch_channel_value": ("Net profit per customer won, per lead channel",
                         "Nettowinst per gewonnen klant, per leadkanaal"),
    "ch_projection": ("Customers per pyramid level: now and projected for next period",
                      "Klanten per piramideniveau: nu en verwacht voor de volgende periode"),
    "ch_lead_channels": ("Leads, won and lost per channel", "Leads, gewonnen en verloren per kanaal"),
    "ch_cohorts": ("Cohorts: share still active, by start period", "Cohorten: aandeel nog actief, naar startperiode"),
    "ax_customers_share": ("Share of customers", "Aandeel klanten"),
    "ax_profit_share": ("Cumulative share of net profit", "Cumulatief aandeel nettowinst"),
    "ax_revenue_share": ("Cumulative share of revenue", "Cumulatief aandeel omzet"),
    "ax_share": ("Share", "Aandeel"),
    "ax_yes": ("Yes answers (margin, speed, innovation, network)", "Aantal keren ja (marge, snelheid, innovatie, "
               "netwerk)"),
    "ax_abc_value": ("Annual revenue + potential", "Jaaromzet + potentieel"),
    "ax_hours": ("Hours per year", "Uren per jaar"),
    "ax_lift": ("Lift (1 = as often as in the whole base)", "Lift (1 = even vaak als in het hele bestand)"),
    "ax_frequency": ("Frequency code (1 low – 3 high)", "Frequentiecode (1 laag – 3 hoog)"),
    "ax_margin": ("Margin code (1 low – 3 high)", "Margecode (1 laag – 3 hoog)"),
    "series_cum_profit": ("Cumulative net profit", "Cumulatieve nettowinst"),
    "series_cum_revenue": ("Cumulative revenue", "Cumulatieve omzet"),
    "series_cum_cost": ("Cumulative cost-to-serve", "Cumulatieve klantkosten"),
    "series_total": ("100% of net profit", "100% van de nettowinst"),
    "boundary_high": ("'High' boundary", "Grens 'groot'"),
    "boundary_a": ("A from {n} yes", "A vanaf {n} keer ja"),
    "boundary_c": ("C up to {n} yes", "C tot en met {n} keer ja"),
    "segment": ("Segment", "Segment"),
    "not_focus": ("Other segments", "Overige segmenten"),
    "satisfaction": ("Satisfaction {n}", "Tevredenheid {n}"),
    # sections of the HTML report
    "sec_profit": ("Profit per customer", "Winst per klant"),
    "sec_segments": ("Segments: A-cliënteel and the value matrix", "Segmenten: A-cliënteel en de waardematrix"),
    "sec_prediction": ("Potential and risk", "Potentieel en risico"),
    "sec_targeting": ("Targeting", "Doelgroepkeuze"),
    "sec_periods": ("Over time: migration, retention, goals, funnel", "In de tijd: verschuivingen, behoud, doelen, "
                    "funnel"),
    "sec_data": ("Data and quality", "Gegevens en kwaliteit"),
    "sec_other": ("Other results", "Overige resultaten"),
    # sentences of the summary (each only when its figures are in the run)
    "s_overall": ("{customers} customers bought {revenue} from {start} to {end}. After cost of goods ({margin} gross "
                  "margin) and {cts} cost-to-serve, {profit} net profit remains.",
                  "{customers} klanten kochten van {start} tot {end} voor {revenue}. Na inkoopwaarde ({margin} "
                  "brutomarge) en {cts} klantkosten blijft {profit} nettowinst over."),
    "s_overall_nocost": ("{customers} customers bought {revenue} from {start} to {end}. The data has no cost of goods, "
                         "so margin and profit are unknown.",
                         "{customers} klanten kochten van {start} tot {end} voor {revenue}. De gegevens bevatten geen "
                         "inkoopwaarde, dus marge en winst zijn onbekend."),
    "s_pareto_loss": ("{head} of your customers make {top} of revenue; {loss} lose money, together {loss_total}.",
                      "{head} van uw klanten maakt {top} van de omzet; {loss} kost geld, samen {loss_total}."),
    "s_pareto": ("{head} of your customers make {top} of revenue.", "{head} van uw klanten maakt {top} van de omzet."),
    "s_tail": ("The customers behind the last {tail} of revenue take {cost} of all cost-to-serve.",
               "De klanten achter de laatste {tail} van de omzet nemen {cost} van alle klantkosten voor hun rekening."),
    "s_whale": ("Your most profitable {cust} of customers together earn {peak} of total net profit; the others lose "
                "part of it again (whale curve).",
                "De meest winstgevende {cust} van uw klanten verdient samen {peak} van de totale nettowinst; de "
                "overige klanten kosten een deel daarvan weer (walviscurve)."),
    "s_pyramid": ("Top of the customer pyramid: {n} customers ({share}) bring {rev} of revenue and {profit} of "
                  "net profit.",
                  "Top van de klantenpiramide: {n} klanten ({share}) brengen {rev} van de omzet en {profit} van de "
                  "nettowinst."),
    "s_effort": ("Customers at pyramid level '{level}' get {visits} of all visits but bring {profit} of net profit.",
                 "Klanten op piramideniveau '{level}' krijgen {visits} van alle bezoeken maar brengen {profit} van de "
                 "nettowinst."),
    "s_abc": ("A/B/C matrix: {a} A-customers, {b} B and {c} C.", "ABC-matrix: {a} klanten in het A-cliënteel, {b} B "
              "en {c} C."),
    "s_policy": ("Serving C-customers through scalable channels (e-mail, webshop) frees {hours} hours of visits a "
                 "year for A-customers.",
                 "C-klanten bedienen via schaalbare kanalen (e-mail, webshop) maakt {hours} bezoekuren per jaar vrij "
                 "voor het A-cliënteel."),
    "s_growth": ("{n} customers buy little but are satisfied and earn good margins: the growth group for the next "
                 "campaign.",
                 "{n} klanten kopen weinig maar zijn tevreden en leveren goede marges: de groeigroep voor de volgende "
                 "campagne."),
    "s_kopgroep": ("Your kopgroep (top group, {n} customers) stands out on {traits}: look for prospects with that "
                   "profile{prospects}.",
                   "Uw kopgroep ({n} klanten) onderscheidt zich op {traits}: zoek prospects met dat "
                   "profiel{prospects}."),
    "s_prospects": (" — {n} prospects scored, best first in the prospect list",
                    " — {n} prospects gescoord, de beste bovenaan de prospectlijst"),
    "s_at_risk": ("{n} customers are on the at-risk list: contact them before they leave.",
                  "{n} klanten staan op de risicolijst: neem contact op voordat ze vertrekken."),
    "s_rejected": ("{n} of {read} imported rows were rejected and left out (see rejected.csv).",
                   "{n} van de {read} ingelezen regels zijn afgekeurd en niet meegenomen (zie rejected.csv)."),
    "trait": ("{attr} {value} ({lift}×)", "{attr} {value} ({lift}×)"),
    "and": ("and", "en"),
    "together": ("together {amount}", "samen {amount}"),
    "s_retention": ("{ret} of the previous period's customers bought again in {period}; net revenue retention {nrr}.",
                    "{ret} van de klanten van de vorige periode kocht opnieuw in {period}; netto omzetbehoud {nrr}."),
    "s_migration": ("From {from_p} to {to_p}, {up} customers moved up a pyramid level and {down} moved down; "
                    "{lost} were lost.",
                    "Van {from_p} naar {to_p} stegen {up} klanten een piramideniveau en daalden er {down}; {lost} "
                    "gingen verloren."),
    "s_goals": ("{met} of {total} customer goals met.", "{met} van de {total} klantdoelen gehaald."),
    "s_alarms": ("Alarm signals in red: {names}.", "Alarmsignalen op rood: {names}."),
    "s_focus": ("Focus segments for sales and marketing: {names}.",
                "Focussegmenten voor verkoop en marketing: {names}."),
    # headline meanings (overview sheet)
    "m_customers": ("Customers with at least one order line in the data.", "Klanten met minstens één orderregel."),
    "m_revenue": ("Net revenue in the period, after returns.", "Netto-omzet in de periode, na retouren."),
    "m_gross_margin": ("Revenue minus cost of goods.", "Omzet min inkoopwaarde."),
    "m_cost_to_serve": ("What serving the customers cost: orders, deliveries, visits, calls, support, returns, "
                        "late payment (activity-based).",
                        "Wat het bedienen van de klanten kostte: orders, leveringen, bezoeken, telefoon, support, "
                        "retouren, late betaling (activity-based)."),
    "m_net_profit": ("Gross margin minus cost-to-serve: what the customers really earn you.",
                     "Brutomarge min klantkosten: wat de klanten u werkelijk opleveren."),
    "m_top20_revenue_share": ("Share of revenue made by the largest 20% of customers (Pareto).",
                              "Aandeel van de omzet dat de grootste 20% van de klanten maakt (Pareto)."),
    "m_tail_cost_share": ("Share of cost-to-serve taken by the customers behind the last 20% of revenue.",
                          "Aandeel klantkosten van de klanten die samen de laatste 20% van de omzet maken."),
    "m_whale_peak_share": ("Top of the whale curve: profit of the profitable customers as a share of the total. Above "
                           "100% means the other customers lose money.",
                           "Top van de walviscurve: winst van de winstgevende klanten als deel van het totaal. Boven "
                           "100% betekent dat de overige klanten geld kosten."),
    "m_loss_making_share": ("Share of customers with a negative net profit.", "Aandeel klanten met een negatieve "
                            "nettowinst."),
    "m_loss_making_customers": ("Customers with a negative net profit.", "Klanten met een negatieve nettowinst."),
    "m_loss_making_total": ("Their net profit together (a loss).", "Hun nettowinst samen (een verlies)."),
    "m_rows_read": ("Rows read from the exports.", "Ingelezen regels uit de exports."),
    "m_rows_rejected": ("Rows left out because of a problem (rejected.csv says why).",
                        "Regels die wegens een probleem niet zijn meegenomen (rejected.csv zegt waarom)."),
    "m_order_lines": ("Order lines analysed.", "Geanalyseerde orderregels."),
    "m_abc": ("Customers per segment of the A/B/C matrix.", "Klanten per segment van de ABC-matrix."),
    "m_abcd": ("Customers per segment A–D on the five criteria.", "Klanten per segment A–D op de vijf criteria."),
    "m_value_groups": ("Customers per group of the value matrix.", "Klanten per groep van de waardematrix."),
    "h_abc": ("A / B / C customers", "A- / B- / C-klanten"),
    "h_abcd": ("A / B / C / D customers", "A- / B- / C- / D-klanten"),
    "h_value_groups": ("Value-matrix groups", "Groepen waardematrix"),
    # segment lists
    "lists_index": ("Segment lists", "Segmentlijsten"),
    "grouping": ("Grouping", "Indeling"),
    "with_email": ("With e-mail", "Met e-mail"),
    "without_email": ("Without e-mail (left out)", "Zonder e-mail (weggelaten)"),
    "file": ("File", "Bestand"),
}

# -- tables: sheet title (≤ 31 characters) and what the table shows -----------------------------------------
TABLES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "customers": (("Profit per customer", "Winst per klant"),
                  ("One row per customer: revenue, gross margin, each cost-to-serve component, net profit, level "
                   "and segments.",
                   "Eén rij per klant: omzet, brutomarge, elke component van de klantkosten, nettowinst, niveau en "
                   "segmenten.")),
    "whale_curve": (("Whale curve", "Walviscurve"),
                    ("Customers ranked by net profit (cumulative) and by revenue (Pareto).",
                     "Klanten gerangschikt op nettowinst (cumulatief) en op omzet (Pareto).")),
    "pyramid": (("Customer pyramid", "Klantenpiramide"),
                ("Customers ranked by value into levels, with inactive customers, prospects and suspects below; "
                 "revenue, cost and profit share per level.",
                 "Klanten naar waarde in niveaus, met daaronder inactieve klanten, prospects en suspects; aandeel "
                 "omzet, kosten en winst per niveau.")),
    "effort": (("Effort vs value", "Inspanning vs waarde"),
               ("Visits and sales hours against net profit, per account manager and per pyramid level.",
                "Bezoeken en verkooputen tegenover nettowinst, per accountmanager en per piramideniveau.")),
    "loss_makers": (("Loss-makers", "Verliesgevers"),
                    ("Customers with a negative net profit and what would fix each: minimum order, order fee, price "
                     "increase, minimum annual revenue, cross-selling.",
                     "Klanten met negatieve nettowinst en wat elk zou oplossen: minimale order, orderkosten, "
                     "prijsverhoging, minimale jaaromzet, kruisverkoop.")),
    "loss_maker_cross_selling": (("Loss-makers cross-selling", "Verliesgevers kruisverkoop"),
                                 ("What loss-makers buy in product groups few other customers buy.",
                                  "Wat verliesgevers kopen in productgroepen die weinig andere klanten kopen.")),
    "abc_matrix": (("A-B-C matrix", "ABC-matrix"),
                   ("Annual revenue + potential (high/low) against yes answers to margin, speed, innovation and "
                    "network.",
                    "Jaaromzet + potentieel (groot/klein) tegen het aantal keren ja op marge, snelheid, innovatie en "
                    "netwerk.")),
    "abc_top": (("A-B-C top customers", "ABC topklanten"),
                ("The method's exercise: the largest customers with their answers and segment.",
                 "De oefening uit de methode: de grootste klanten met hun antwoorden en segment.")),
    "value_matrix": (("Value matrix", "Waardematrix"),
                     ("Every customer in one cell of margin × frequency × satisfaction (1–3 each).",
                      "Elke klant in één cel van marge × frequentie × tevredenheid (elk 1–3).")),
    "segment_policy": (("Segment policy", "Segmentbeleid"),
                       ("How each segment is served: contact model, channels, visits and the sales time it frees.",
                        "Hoe elk segment bediend wordt: contactmodel, kanalen, bezoeken en de verkooptijd die het "
                        "vrijmaakt.")),
    "top_group_profile": (("Kopgroep profile", "Profiel kopgroep"),
                          ("Traits of the top group against the whole base: the DNA to look for in prospects.",
                           "Kenmerken van de kopgroep tegenover het hele bestand: het DNA om in prospects te zoeken.")),
    "clusters": (("Clusters", "Clusters"),
                 ("Groups of customers that behave alike.", "Groepen klanten die zich gelijk gedragen.")),
    "prospects": (("Prospects", "Prospects"),
                  ("Prospects scored on how much they look like the top group, best first.",
                   "Prospects gescoord op hoe sterk ze op de kopgroep lijken, beste eerst.")),
    "at_risk": (("At risk", "Vertrekrisico"),
                ("Valuable customers that are likely to stop buying.", "Waardevolle klanten die waarschijnlijk "
                 "stoppen met kopen.")),
    "segments": (("Targeting portfolio", "Doelgroepportfolio"),
                 ("Segments scored on attractiveness and chance of winning, with weights.",
                  "Segmenten gescoord op aantrekkelijkheid en kans op succes, met wegingsfactoren.")),
    "migration": (("Migration", "Migratie"),
                  ("How many customers moved between pyramid levels from one period to the next.",
                   "Hoeveel klanten van de ene periode op de volgende tussen piramideniveaus verschoven.")),
    "retention": (("Retention", "Klantbehoud"),
                  ("Share of last period's customers that bought again.", "Aandeel klanten van de vorige periode dat "
                   "opnieuw kocht.")),
    "goals": (("Goals", "Doelen"),
              ("Customer goals that move the pyramid upward: target against actual.",
               "Klantdoelen die de piramide omhoog bewegen: doel tegenover realisatie.")),
    "funnel": (("Lead funnel", "Leadfunnel"),
               ("Leads, quotes and new customers per channel.", "Leads, offertes en nieuwe klanten per kanaal.")),
    "customer_years": (("Per year", "Per jaar"),
                       ("Revenue, margin and orders per customer per calendar year.",
                        "Omzet, marge en orders per klant per kalenderjaar.")),
    "rejected": (("Rejected rows", "Afgekeurde regels"),
                 ("Rows left out of the analysis, with the reason.", "Regels die niet zijn meegenomen, met de "
                  "reden.")),
    "churn_drivers": (("Churn drivers", "Vertrekoorzaken"),
                      ("What leavers had more (or less) of than customers who stayed.",
                       "Waar vertrokken klanten meer (of minder) van hadden dan klanten die bleven.")),
    "cross_sell": (("Cross-sell", "Kruisverkoop"),
                   ("Per customer, product groups that similar customers buy and this one does not.",
                    "Per klant de productgroepen die vergelijkbare klanten kopen en deze niet.")),
    "targeting_scores": (("Targeting scores", "Doelgroepscores"),
                         ("Every criterion per segment, measured and judged, before weighting.",
                          "Elk criterium per segment, gemeten en beoordeeld, vóór weging.")),
    "targeting_weights": (("Targeting weights", "Wegingsfactoren"),
                          ("The weights of the criteria on each axis.", "De weging van de criteria per as.")),
    "segment_quality": (("Segment quality", "Kwaliteit segmenten"),
                        ("Are the segments homogeneous, distinct, measurable, reachable and large enough?",
                         "Zijn de segmenten homogeen, onderscheidend, meetbaar, bereikbaar en groot genoeg?")),
    "alarms": (("Alarm signals", "Alarmsignalen"),
               ("The method's alarm signals, each green or red with its explanation.",
                "De alarmsignalen uit de methode, elk groen of rood met toelichting.")),
    "account_manager_load": (("Account manager load", "Belasting accountmanagers"),
                             ("Customers per account manager against capacity.",
                              "Klanten per accountmanager tegenover de capaciteit.")),
    "lead_channels": (("Lead channels", "Leadkanalen"),
                      ("Leads, won and lost per channel.", "Leads, gewonnen en verloren per kanaal.")),
    "periods": (("Periods", "Perioden"), ("The periods of the over-time results.",
                                          "De perioden van de resultaten in de tijd.")),
    "cohorts": (("Cohorts", "Cohorten"), ("Customers by the period they started: how many stay active.",
                                          "Klanten naar startperiode: hoeveel blijven actief.")),
    "scorecard": (("Scorecard", "Scorekaart"), ("Per account manager and period: retention, movement, goals.",
                                                "Per accountmanager en periode: behoud, verschuivingen, doelen.")),
    "funnel_channels": (("Funnel channels", "Funnelkanalen"),
                        ("What the customers won through each channel bring.",
                         "Wat de via elk kanaal gewonnen klanten opleveren.")),
    "projection": (("Projection", "Prognose"), ("Customers per level next period at the current transition rates.",
                                                "Klanten per niveau volgende periode bij de huidige overgangen.")),
    "migration_customers": (("Migration customers", "Migratie per klant"),
                            ("Which customer moved from which level to which.",
                             "Welke klant van welk niveau naar welk niveau verschoof.")),
    "customer_periods": (("Customer periods", "Klant per periode"),
                         ("Revenue, margin, level and segment per customer per period.",
                          "Omzet, marge, niveau en segment per klant per periode.")),
}

# -- column labels -------------------------------------------------------------------------------------------
COLUMNS: dict[str, tuple[str, str]] = {
    "customer_id": ("Customer id", "Klantnummer"), "name": ("Name", "Naam"), "status": ("Status", "Status"),
    "revenue": ("Revenue", "Omzet"), "cost_of_goods": ("Cost of goods", "Inkoopwaarde"),
    "gross_margin": ("Gross margin", "Brutomarge"), "margin_pct": ("Margin %", "Marge %"),
    "orders": ("Orders", "Orders"), "order_lines": ("Order lines", "Orderregels"),
    "first_order": ("First order", "Eerste order"), "last_order": ("Last order", "Laatste order"),
    "recency_days": ("Days since last order", "Dagen sinds laatste order"),
    "tenure_days": ("Days as customer", "Dagen klant"), "orders_per_year": ("Orders per year", "Orders per jaar"),
    "avg_order_value": ("Average order", "Gemiddelde order"), "returns_count": ("Returns", "Retouren"),
    "returns_value": ("Returns value", "Waarde retouren"), "days_to_pay": ("Days to pay", "Betaaltermijn (dagen)"),
    "cost_coverage": ("Cost coverage", "Kostendekking"), "products": ("Products", "Producten"),
    "product_groups": ("Product groups", "Productgroepen"), "returns_lines": ("Return lines", "Retourregels"),
    "orders_in_window": ("Orders in window", "Orders in venster"), "invoices": ("Invoices", "Facturen"),
    "late_share": ("Paid late (share)", "Te laat betaald (aandeel)"),
    "days_late_amount": ("Days late × amount", "Dagen te laat × bedrag"), "open_invoices": ("Open invoices",
                                                                                           "Open facturen"),
    "days_to_pay_weighted": ("Days to pay (weighted)", "Betaaltermijn (gewogen)"), "visits": ("Visits", "Bezoeken"),
    "calls": ("Calls", "Telefoongesprekken"), "support_tickets": ("Support tickets", "Supportmeldingen"),
    "complaints": ("Complaints", "Klachten"), "returns_handled": ("Returns handled", "Verwerkte retouren"),
    "deliveries": ("Deliveries", "Leveringen"), "quotes": ("Quotes", "Offertes"),
    "other_activities": ("Other activities", "Overige activiteiten"), "visit_hours": ("Visit hours", "Bezoekuren"),
    "activity_hours": ("Activity hours", "Activiteituren"), "invoices_right": ("Invoices (payments)",
                                                                               "Facturen (betalingen)"),
    "late_payment_cost": ("Late payment cost", "Kosten late betaling"),
    "cost_orders": ("Cost: orders", "Kosten: orders"), "cost_order_lines": ("Cost: order lines",
                                                                            "Kosten: orderregels"),
    "cost_calls": ("Cost: calls", "Kosten: telefoon"), "cost_complaints": ("Cost: complaints", "Kosten: klachten"),
    "cost_deliveries": ("Cost: deliveries", "Kosten: leveringen"), "cost_other": ("Cost: other", "Kosten: overig"),
    "cost_quotes": ("Cost: quotes", "Kosten: offertes"), "cost_returns": ("Cost: returns", "Kosten: retouren"),
    "cost_support": ("Cost: support", "Kosten: support"), "cost_visits": ("Cost: visits", "Kosten: bezoeken"),
    "cost_invoices": ("Cost: invoices", "Kosten: facturen"),
    "cost_late_payment": ("Cost: late payment", "Kosten: late betaling"),
    "cost_to_serve": ("Cost-to-serve", "Klantkosten (cost-to-serve)"), "net_profit": ("Net profit", "Nettowinst"),
    "profit_pct": ("Net profit %", "Nettowinst %"), "cts_pct": ("Cost-to-serve % of revenue",
                                                                 "Klantkosten % van omzet"),
    "sector": ("Sector", "Sector"), "region": ("Region", "Regio"), "country": ("Country", "Land"),
    "size_class": ("Size class", "Grootteklasse"), "employees": ("Employees", "Medewerkers"),
    "account_manager": ("Account manager", "Accountmanager"), "email": ("E-mail", "E-mail"),
    "channel": ("Channel", "Kanaal"), "acquired_date": ("Customer since", "Klant sinds"),
    "payment_terms_days": ("Payment terms (days)", "Betalingstermijn (dagen)"),
    "pyramid_level": ("Pyramid level", "Piramideniveau"), "profit_rank": ("Profit rank", "Rang op winst"),
    "loss_making": ("Loss-making", "Verliesgevend"), "visits_per_year": ("Visits per year", "Bezoeken per jaar"),
    "profit_per_visit": ("Profit per visit", "Winst per bezoek"), "cost_per_visit": ("Cost per visit",
                                                                                      "Kosten per bezoek"),
    "over_served": ("Over-served", "Overbediend"), "under_served": ("Under-served", "Onderbediend"),
    "annual_revenue": ("Annual revenue", "Jaaromzet"), "annual_margin": ("Annual margin", "Jaarmarge"),
    "annual_orders": ("Orders per year", "Orders per jaar"), "abc_potential": ("Potential revenue",
                                                                               "Potentiële omzet"),
    "abc_potential_source": ("Potential from", "Potentieel uit"),
    "abc_value": ("Annual revenue + potential", "Jaaromzet + potentieel"), "abc_size": ("Size (high/low)",
                                                                                        "Omvang (groot/klein)"),
    "margin_yes": ("Margin: yes", "Marge: ja"), "margin_source": ("Margin: from", "Marge: bron"),
    "speed_yes": ("Speed: yes", "Snelheid: ja"), "speed_source": ("Speed: from", "Snelheid: bron"),
    "innovation_yes": ("Innovation: yes", "Innovatie: ja"), "innovation_source": ("Innovation: from",
                                                                                  "Innovatie: bron"),
    "network_yes": ("Network: yes", "Netwerk: ja"), "network_source": ("Network: from", "Netwerk: bron"),
    "order_size_yes": ("Order size: yes", "Ordergrootte: ja"), "order_size_source": ("Order size: from",
                                                                                     "Ordergrootte: bron"),
    "network_abcd_yes": ("Network (5 criteria): yes", "Netwerk (5 criteria): ja"),
    "network_abcd_source": ("Network (5 criteria): from", "Netwerk (5 criteria): bron"),
    "network_score": ("Network score", "Netwerkscore"), "criteria_yes": ("Yes answers (of 4)", "Keren ja (van 4)"),
    "abc_segment": ("A/B/C segment", "ABC-segment"), "abc_reasons": ("Why (A/B/C)", "Waarom (ABC)"),
    "criteria5_yes": ("Yes answers (of 5)", "Keren ja (van 5)"), "abcd_segment": ("A–D segment", "A–D-segment"),
    "abcd_reasons": ("Why (A–D)", "Waarom (A–D)"), "nps": ("NPS", "NPS"), "margin_code": ("Margin code",
                                                                                          "Margecode"),
    "frequency_code": ("Frequency code", "Frequentiecode"), "satisfaction_code": ("Satisfaction code",
                                                                                  "Tevredenheidscode"),
    "satisfaction_source": ("Satisfaction from", "Tevredenheid uit"), "value_cell": ("Value cell", "Waardecel"),
    "value_group": ("Value group", "Waardegroep"), "contact_model": ("Contact model", "Contactmodel"),
    "visit_target": ("Visits target", "Bezoeknorm"), "lookalike_score": ("Look-alike score", "Gelijkenisscore"),
    "lookalike_reasons": ("Why it looks alike", "Waarom het lijkt"), "lookalike_rank": ("Rank", "Rang"),
    "cluster": ("Cluster", "Cluster"), "year": ("Year", "Jaar"),
    "rank": ("Rank", "Rang"), "customer_share": ("Share of customers", "Aandeel klanten"),
    "cum_profit": ("Cumulative net profit", "Cumulatieve nettowinst"),
    "cum_profit_share": ("Cumulative profit share", "Cumulatief aandeel winst"),
    "cum_revenue_share_by_profit": ("Cumulative revenue share (by profit)", "Cumulatief aandeel omzet (op winst)"),
    "revenue_customer_id": ("Customer id (by revenue)", "Klantnummer (op omzet)"),
    "cum_revenue_share": ("Cumulative revenue share", "Cumulatief aandeel omzet"),
    "cum_cost_share": ("Cumulative cost share", "Cumulatief aandeel kosten"),
    "level_order": ("Level order", "Volgorde"), "count": ("Customers", "Klanten"),
    "hours": ("Hours", "Uren"), "revenue_share": ("Revenue share", "Aandeel omzet"),
    "gross_margin_share": ("Gross margin share", "Aandeel brutomarge"), "cost_share": ("Cost-to-serve share",
                                                                                      "Aandeel klantkosten"),
    "profit_share": ("Net profit share", "Aandeel nettowinst"), "visits_share": ("Visits share",
                                                                                 "Aandeel bezoeken"),
    "hours_share": ("Hours share", "Aandeel uren"), "dimension": ("Per", "Per"), "group": ("Group", "Groep"),
    "customers": ("Customers", "Klanten"), "profit_per_hour": ("Profit per hour", "Winst per uur"),
    "order_cost": ("Per-order cost", "Orderkosten"), "volume_cost": ("Volume cost", "Volumekosten"),
    "relationship_cost": ("Relationship cost", "Relatiekosten"),
    "min_order_size": ("Break-even order size", "Minimale ordergrootte"),
    "order_fee": ("Break-even order fee", "Benodigde orderkosten per order"),
    "price_increase_pct": ("Break-even price increase", "Benodigde prijsverhoging"),
    "required_margin_pct": ("Required margin %", "Benodigde marge %"),
    "margin_pct_change": ("Margin change (points)", "Margeverandering (punten)"),
    "min_annual_revenue": ("Break-even annual revenue", "Minimale jaaromzet"),
    "cross_sell_groups": ("Cross-sell groups", "Kruisverkoopgroepen"),
    "cross_sell_revenue": ("Cross-sell revenue", "Kruisverkoopomzet"),
    "cross_sell_margin": ("Cross-sell margin", "Kruisverkoopmarge"), "product_group": ("Product group",
                                                                                      "Productgroep"),
    "buyers": ("Buyers", "Kopers"), "buyers_share": ("Buyers share", "Aandeel kopers"),
    "abc_segment_base": ("A/B/C segment (whole base)", "ABC-segment (hele bestand)"),
    "main_group": ("Group", "Groep"),
    "net_profit_share": ("Net profit share", "Aandeel nettowinst"), "segment": ("Segment", "Segment"),
    "visits_now": ("Visits now", "Bezoeken nu"), "visits_target": ("Visits target", "Bezoeken norm"),
    "hours_now": ("Hours now", "Uren nu"), "hours_target": ("Hours target", "Uren norm"),
    "hours_freed": ("Hours freed", "Vrijgekomen uren"), "channels": ("Channels", "Kanalen"),
    "service_level": ("Service level", "Serviceniveau"), "attribute": ("Trait", "Kenmerk"),
    "value": ("Value", "Waarde"), "group_customers": ("In top group", "In kopgroep"),
    "base_customers": ("In base", "In bestand"), "group_share": ("Share of top group", "Aandeel kopgroep"),
    "base_share": ("Share of base", "Aandeel bestand"), "lift": ("Lift", "Lift"), "p_value": ("p-value",
                                                                                             "p-waarde"),
    "significant": ("Significant", "Significant"), "share": ("Share", "Aandeel"), "description": ("Description",
                                                                                                   "Omschrijving"),
    "silhouette": ("Silhouette", "Silhouet"), "prospect_id": ("Prospect id", "Prospectnummer"),
    "source": ("Source", "Bron"), "identified_date": ("Identified", "Geïdentificeerd"),
    "table": ("Table", "Tabel"), "file": ("File", "Bestand"), "row": ("Row", "Regel"), "column": ("Column", "Kolom"),
    "reason": ("Reason", "Reden"), "clv": ("Customer lifetime value", "Klantwaarde (CLV)"),
    "potential_revenue": ("Potential revenue", "Potentiële omzet"),
    "top_product_group": ("Top product group", "Belangrijkste productgroep"),
    # headline figures (summary.json keys)
    "top20_revenue_share": ("Revenue share of the largest 20%", "Omzetaandeel grootste 20%"),
    "tail_cost_share": ("Cost-to-serve share of the revenue tail", "Klantkostenaandeel van de omzetstaart"),
    "whale_peak_share": ("Peak of the whale curve", "Top van de walviscurve"),
    "loss_making_share": ("Loss-making customers (share)", "Verliesgevende klanten (aandeel)"),
    "loss_making_customers": ("Loss-making customers", "Verliesgevende klanten"),
    "loss_making_total": ("Loss of the loss-makers", "Verlies van de verliesgevers"),
    "rows_read": ("Rows read", "Ingelezen regels"), "rows_accepted": ("Rows accepted", "Geaccepteerde regels"),
    "rows_rejected": ("Rows rejected", "Afgekeurde regels"), "period_start": ("From", "Van"),
    "period_end": ("To", "Tot"), "as_of": ("As of", "Peildatum"),
    # prediction
    "p_active": ("P(active)", "Kans actief"), "expected_orders": ("Expected orders", "Verwachte orders"),
    "expected_revenue": ("Expected revenue", "Verwachte omzet"), "expected_margin": ("Expected margin",
                                                                                   "Verwachte marge"),
    "expected_cost_to_serve": ("Expected cost-to-serve", "Verwachte klantkosten"),
    "clv_profit": ("Customer lifetime value (profit)", "Klantwaarde in winst (CLV)"),
    "revenue_12m": ("Revenue last 12 months", "Omzet laatste 12 maanden"),
    "peer_revenue": ("Revenue of peers", "Omzet vergelijkbare klanten"),
    "wallet_gap": ("Wallet gap", "Groeiruimte (share of wallet)"), "potential_source": ("Potential from",
                                                                                        "Potentieel uit"),
    "value_at_risk": ("Value at risk", "Waarde met risico"), "at_risk": ("At risk", "Vertrekrisico"),
    "at_risk_rank": ("Rank", "Rang"), "orders_before": ("Orders in the 12 months before",
                                                        "Orders in de 12 maanden ervoor"),
    "orders_recent": ("Orders recently", "Orders recent"), "rate_ratio": ("Order rate now / before",
                                                                          "Ordertempo nu / ervoor"),
    "peer_share": ("Bought by peers (share)", "Gekocht door vergelijkbare klanten (aandeel)"),
    "peer_buyers": ("Peers buying", "Vergelijkbare kopers"), "driver": ("Driver", "Oorzaak"),
    "higher_is_worse": ("Higher is worse", "Hoger is slechter"), "leavers": ("Leavers", "Vertrokken"),
    "stayers": ("Stayers", "Gebleven"), "leavers_mean": ("Mean of leavers", "Gemiddelde vertrokken"),
    "stayers_mean": ("Mean of stayers", "Gemiddelde gebleven"), "ratio": ("Ratio", "Verhouding"),
    "auc": ("AUC", "AUC"),
    # targeting
    "target_segment": ("Target segment", "Doelsegment"), "target_focus": ("Focus segment", "Focussegment"),
    "prospects": ("Prospects", "Prospects"), "attractiveness": ("Attractiveness", "Aantrekkelijkheid"),
    "likelihood": ("Chance of winning", "Kans op succes"), "score": ("Score", "Score"),
    "stability": ("Stability", "Stabiliteit"), "focus_share": ("In focus (share of runs)", "In focus (aandeel)"),
    "focus": ("Focus", "Focus"), "eligible": ("Eligible", "Komt in aanmerking"),
    "large_enough": ("Large enough", "Groot genoeg"), "homogeneity": ("Homogeneity", "Homogeniteit"),
    "members": ("Members", "Leden"), "revenue_per_customer_year": ("Revenue per customer per year",
                                                                   "Omzet per klant per jaar"),
    "net_profit_per_customer": ("Net profit per customer", "Nettowinst per klant"),
    "orders_per_customer_year": ("Orders per customer per year", "Orders per klant per jaar"),
    "avg_lifetime_years": ("Average lifetime (years)", "Gemiddelde klantduur (jaren)"),
    "customer_value": ("Customer value", "Klantwaarde"), "upsell_room": ("Up-sell room", "Ruimte voor up-sell"),
    "penetration_pct": ("Penetration %", "Penetratie %"), "cross_sell_room": ("Cross-sell room",
                                                                              "Ruimte voor kruisverkoop"),
    "retention": ("Retention", "Klantbehoud"), "won": ("Won", "Gewonnen"), "lost": ("Lost", "Verloren"),
    "win_rate": ("Win rate", "Scoringskans"), "sales_cycle_days": ("Sales cycle (days)", "Verkoopcyclus (dagen)"),
    "lookalike": ("Look-alike", "Gelijkenis"), "trend_match": ("Trends match", "Past bij trends"),
    "usp_match": ("USPs match", "Past bij USP's"), "trigger_match": ("Triggers match", "Past bij triggers"),
    "competitor_success": ("Competitors' success", "Succes concurrenten"),
    "reference_cases": ("Reference cases", "Referentiecases"), "entry_barrier": ("Entry barrier",
                                                                                 "Toetredingsdrempel"),
    "dmu_access": ("Access to the DMU", "Toegang tot de DMU"), "urgency": ("Urgency", "Urgentie"),
    "lead_generation": ("Lead generation", "Leadgeneratie"), "axis": ("Axis", "As"),
    "criterion": ("Criterion", "Criterium"), "kind": ("Kind", "Soort"), "weight": ("Weight", "Weging"),
    "share_pct": ("Share of the axis %", "Aandeel in de as %"), "reverse": ("Reversed", "Omgekeerd"),
    "used": ("Used", "Gebruikt"), "note": ("Note", "Opmerking"), "check": ("Check", "Toets"),
    "passed": ("Passed", "Voldoet"), "threshold": ("Threshold", "Drempel"), "explanation": ("Explanation",
                                                                                            "Toelichting"),
    "red_threshold": ("Red from", "Rood vanaf"), "direction": ("Direction", "Richting"),
    "signal": ("Signal", "Signaal"), "active_customers": ("Active customers", "Actieve klanten"),
    "focus_customers": ("Focus customers", "Focusklanten"), "capacity": ("Capacity", "Capaciteit"),
    "load": ("Load", "Belasting"), "leads": ("Leads", "Leads"),
    # periods
    "period": ("Period", "Periode"), "period_index": ("Period number", "Periodenummer"),
    "start": ("Start", "Begin"), "end": ("End (exclusive)", "Einde (exclusief)"), "partial": ("Partial",
                                                                                             "Onvolledig"),
    "days": ("Days", "Dagen"), "from_period": ("From period", "Van periode"), "to_period": ("To period",
                                                                                           "Naar periode"),
    "from_level": ("From", "Van"), "to_level": ("To", "Naar"), "revenue_from": ("Revenue before", "Omzet ervoor"),
    "revenue_to": ("Revenue after", "Omzet erna"), "group_by": ("Per", "Per"),
    "customers_start": ("Customers at start", "Klanten bij begin"), "retained": ("Retained", "Behouden"),
    "new": ("New", "Nieuw"), "customer_retention": ("Customer retention", "Klantbehoud"),
    "gross_revenue_retention": ("Gross revenue retention", "Bruto omzetbehoud"),
    "net_revenue_retention": ("Net revenue retention", "Netto omzetbehoud"), "cohort": ("Cohort", "Cohort"),
    "periods_since": ("Periods since start", "Perioden sinds start"), "active": ("Active", "Actief"),
    "share_active": ("Share active", "Aandeel actief"), "revenue_index": ("Revenue index", "Omzetindex"),
    "goal": ("Goal", "Doel"), "owner": ("Owner", "Eigenaar"), "target": ("Target", "Doel"),
    "actual": ("Actual", "Realisatie"), "progress": ("Progress", "Voortgang"), "missing": ("Still to do",
                                                                                           "Nog te doen"),
    "new_customers": ("New customers", "Nieuwe klanten"), "reactivated": ("Reactivated", "Teruggekomen"),
    "moved_up": ("Moved up", "Gestegen"), "moved_down": ("Moved down", "Gedaald"),
    "new_top_customers": ("New top customers", "Nieuwe topklanten"), "revenue_before": ("Revenue before",
                                                                                        "Omzet ervoor"),
    "goals": ("Goals", "Doelen"), "goals_met": ("Goals met", "Doelen gehaald"),
    "not_sales_related": ("Not sales related", "Niet commercieel"), "lead_to_quote": ("Lead → quote",
                                                                                      "Lead → offerte"),
    "quote_to_won": ("Quote → won", "Offerte → gewonnen"), "lead_to_won": ("Lead → won", "Lead → gewonnen"),
    "median_days_to_quote": ("Median days to quote", "Mediaan dagen tot offerte"),
    "median_days_to_won": ("Median days to won", "Mediaan dagen tot gewonnen"),
    "value_won": ("Value won", "Gewonnen waarde"), "won_customers": ("Customers won", "Gewonnen klanten"),
    "profitable_customers": ("Profitable customers", "Winstgevende klanten"),
    "profitable_share": ("Profitable (share)", "Winstgevend (aandeel)"), "active_share": ("Active (share)",
                                                                                          "Actief (aandeel)"),
    "basis": ("Basis", "Basis"), "level": ("Level", "Niveau"), "customers_now": ("Customers now", "Klanten nu"),
    "customers_projected": ("Customers projected", "Klanten verwacht"), "label": ("Label", "Label"),
}

# -- category values -----------------------------------------------------------------------------------------
VALUES: dict[str, tuple[str, str]] = {
    "top": ("top", "top"), "large": ("large", "groot"), "medium": ("medium", "middel"), "small": ("small", "klein"),
    "inactive": ("inactive", "inactief"), "ex-customer": ("ex-customer", "ex-klant"), "prospect": ("prospect",
                                                                                                  "prospect"),
    "suspect": ("suspect", "suspect"), "active": ("active", "actief"), "high": ("high", "groot"),
    "low": ("low", "klein"), "at_risk": ("at risk", "risico"), "growth": ("growth", "groei"),
    "cost": ("cost", "kosten"), "other": ("other", "overig"), "no_nps": ("no NPS", "geen NPS"),
    "face-to-face": ("face-to-face", "persoonlijk bezoek"), "inside sales": ("inside sales", "binnendienst"),
    "scalable": ("scalable", "schaalbaar (e-mail, webshop)"), "account_manager": ("account manager",
                                                                                 "accountmanager"),
    "derived": ("from the data", "uit de gegevens"), "manual": ("by hand", "handmatig"), "none": ("none", "geen"),
    "assessment": ("assessment", "beoordeling"), "data": ("data", "gegevens"), "missing": ("missing", "ontbreekt"),
    "region": ("region", "regio"), "sector": ("sector", "sector"), "size_class": ("size class", "grootteklasse"),
    "green": ("green", "groen"), "red": ("red", "rood"), "amber": ("amber", "oranje"), "met": ("met", "gehaald"),
    "not met": ("not met", "niet gehaald"), "higher_is_worse": ("higher is worse", "hoger is slechter"),
    "lower_is_worse": ("lower is worse", "lager is slechter"), "all": ("all", "alle"), "segment": ("segment",
                                                                                                 "segment"),
    "cohort": ("cohort", "cohort"), "judged": ("judged", "beoordeeld"), "measured": ("measured", "gemeten"),
    "attractiveness": ("attractiveness", "aantrekkelijkheid"), "likelihood": ("chance of winning",
                                                                               "kans op succes"),
    "projection": ("projection", "prognose"), "pyramid": ("pyramid", "piramide"), "abc": ("A/B/C", "ABC"),
    "new": ("new", "nieuw"), "lost": ("lost", "verloren"), "reactivated": ("reactivated", "teruggekomen"),
    "year": ("year", "jaar"),
    "quarter": ("quarter", "kwartaal"), "month": ("month", "maand"), "model": ("model", "model"),
    "peers": ("peers", "vergelijkbare klanten"),
    # alarm signals (METHODS §5)
    "new_customers_lost": ("new customers leave quickly or do not grow", "nieuwe klanten vertrekken snel of groeien "
                           "niet"),
    "conversion": ("low conversion from prospect to customer", "lage conversie van prospect naar klant"),
    "buying_process_known": ("buying process unknown", "aankoopproces onbekend"),
    "channels_known": ("lead channels unknown", "leadkanalen onbekend"),
    "profile_strength": ("no clear ideal customer profile", "geen duidelijk ideaal klantprofiel"),
    "churn_explained": ("unknown why customers leave", "onbekend waarom klanten vertrekken"),
    "customers_per_manager": ("account managers have too many customers to focus",
                              "accountmanagers hebben te veel klanten om te focussen"),
}

# Word-by-word fallback for labels of columns and tables added later.
WORDS: dict[str, str] = {
    "cost": "kosten", "costs": "kosten", "revenue": "omzet", "margin": "marge", "profit": "winst", "net": "netto",
    "share": "aandeel", "customers": "klanten", "customer": "klant", "visits": "bezoeken", "visit": "bezoek",
    "orders": "orders", "order": "order", "year": "jaar", "years": "jaren", "per": "per", "days": "dagen",
    "hours": "uren", "count": "aantal", "value": "waarde", "segment": "segment", "group": "groep", "level": "niveau",
    "from": "van", "to": "naar", "target": "doel", "actual": "realisatie", "period": "periode", "rate": "ratio",
    "retained": "behouden", "lost": "verloren", "new": "nieuw", "leads": "leads", "quotes": "offertes",
    "won": "gewonnen", "stage": "fase", "channel": "kanaal", "goal": "doel", "score": "score", "weight": "weging",
    "attractiveness": "aantrekkelijkheid", "likelihood": "kans", "win": "winnen", "potential": "potentieel",
    "expected": "verwacht", "active": "actief", "risk": "risico", "at": "", "size": "omvang", "total": "totaal",
    "pct": "%", "avg": "gem.", "mean": "gem.", "min": "min.", "max": "max.", "conversion": "conversie",
    "and": "en", "of": "van", "the": "", "in": "in", "number": "aantal", "name": "naam", "date": "datum",
}


class Texts:
    """Labels and number formats of one language (``en`` or ``nl``)."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang if lang in LANGS else "en"
        self._i = LANGS.index(self.lang)

    # -- words -----------------------------------------------------------------------------------------------
    def t(self, key: str, **kw: Any) -> str:
        """The sentence or heading ``key``, with ``{placeholders}`` filled."""
        s = TEXT[key][self._i]
        return s.format(**kw) if kw else s

    def table(self, name: str) -> str:
        """Title of a result table (also its sheet name, ≤ 31 characters)."""
        if name in TABLES:
            return TABLES[name][0][self._i]
        return self._words(name)

    def about(self, name: str) -> str:
        """One sentence on what a table shows ('' when unknown)."""
        return TABLES[name][1][self._i] if name in TABLES else ""

    def col(self, name: str) -> str:
        """Label of a column."""
        if name in COLUMNS:
            return COLUMNS[name][self._i]
        return self._words(name)

    def value(self, v: Any) -> Any:
        """A category value in the language (pyramid levels, value groups, contact models); others unchanged."""
        if isinstance(v, str) and v in VALUES:
            return VALUES[v][self._i]
        return v

    def _words(self, name: str) -> str:
        parts = [p for p in name.replace("-", "_").split("_") if p]
        if self.lang == "nl":
            parts = [WORDS.get(p, p) for p in parts]
        text = " ".join(p for p in parts if p)
        return text[:1].upper() + text[1:]

    # -- numbers ---------------------------------------------------------------------------------------------
    def num(self, v: float | int | None, digits: int = 0) -> str:
        """A number with the language's separators: 12,345.6 / 12.345,6."""
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return "–"
        s = f"{v:,.{digits}f}".replace("-", "−")
        if s.strip("−0.,") == "":
            s = s.lstrip("−")
        if self.lang == "nl":
            s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return s

    def money(self, v: float | None, short: bool = True) -> str:
        """An amount in euros; ``short`` rounds to k / m (en) or duizenden / mln (nl)."""
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return "–"
        sign = "−" if v < 0 else ""
        a = abs(v)
        if not short or a < 10_000:
            body = self.num(a, 0)
        elif a < 1_000_000:
            body = f"{self.num(a / 1000, 0)}k" if self.lang == "en" else self.num(round(a, -3), 0)
        else:
            body = f"{self.num(a / 1e6, 1)}m" if self.lang == "en" else f"{self.num(a / 1e6, 1)} mln"
        return f"{sign}€{body}" if self.lang == "en" else f"{sign}€ {body}"

    def pct(self, v: float | None, digits: int = 0) -> str:
        """A fraction as a percentage: 0.234 → 23%."""
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return "–"
        return f"{self.num(v * 100, digits)}%"

    def date(self, v: Any) -> str:
        """A date as yyyy-mm-dd (en) or d-m-yyyy (nl)."""
        if isinstance(v, str):
            try:
                v = dt.date.fromisoformat(v[:10])
            except ValueError:
                return v
        if isinstance(v, dt.datetime):
            v = v.date()
        if not isinstance(v, dt.date):
            return "–" if v is None else str(v)
        return v.isoformat() if self.lang == "en" else f"{v.day}-{v.month}-{v.year}"

    def join(self, items: list[str]) -> str:
        """'a, b and c' / 'a, b en c'."""
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self.t('and')} {items[-1]}"

    # -- formats for Excel and Plotly --------------------------------------------------------------------------
    @property
    def excel_date(self) -> str:
        return "yyyy-mm-dd" if self.lang == "en" else "d-m-yyyy"

    @property
    def plotly_separators(self) -> str:
        """Plotly's ``layout.separators``: decimal point then thousands separator."""
        return ".," if self.lang == "en" else ",."


def texts(lang: str | None) -> Texts:
    """The texts of ``lang`` (``en`` when None or unknown)."""
    return Texts(lang or "en")
