"""What COUNTER Release 5 (5.0.x) and 5.1 allow, as data: the report types, the metric
types each report may carry, the code lists of the dimensions, the fixed filters of the
Standard Views, and the COUNTER_SUSHI exception codes.

Sources: the Code of Practice R5.0.3 and R5.1 (sections 3 and 4, Appendix D/F) and the
enums of the COUNTER_SUSHI API specifications (R5.1 `*_Report_Filters`; R5 `COUNTER_*_usage`).
ontology/usage.ttl states the same per-report metric lists as `rg:allowsMetric` (the
shapes read them there); tests/test_usage_model.py checks that the two agree.
"""

from __future__ import annotations

from ..translation import pgettext

COUNTER_NS = "https://w3id.org/rightsgraph/counter#"

RELEASES = ("5", "5.1")

INVESTIGATIONS = ("Total_Item_Investigations", "Unique_Item_Investigations", "Unique_Title_Investigations")
REQUESTS = ("Total_Item_Requests", "Unique_Item_Requests", "Unique_Title_Requests")
DENIALS = ("Limit_Exceeded", "No_License")
SEARCHES = ("Searches_Regular", "Searches_Automated", "Searches_Federated", "Searches_Platform")
METRIC_TYPES = INVESTIGATIONS + REQUESTS + DENIALS + SEARCHES

_ITEM_USE = ("Total_Item_Investigations", "Total_Item_Requests", "Unique_Item_Investigations",
             "Unique_Item_Requests")
_TITLE_USE = _ITEM_USE + ("Unique_Title_Investigations", "Unique_Title_Requests")

# report id -> release -> allowed metric types
_SAME = {
    "PR": ("Searches_Platform",) + _TITLE_USE,
    "PR_P1": ("Searches_Platform", "Total_Item_Requests", "Unique_Item_Requests", "Unique_Title_Requests"),
    "DR": ("Searches_Regular", "Searches_Automated", "Searches_Federated") + _TITLE_USE + DENIALS,
    "DR_D2": DENIALS,
    "TR": _TITLE_USE + DENIALS,
    "TR_B1": ("Total_Item_Requests", "Unique_Title_Requests"),
    "TR_B2": DENIALS,
    "TR_B3": _TITLE_USE,
    "TR_J1": ("Total_Item_Requests", "Unique_Item_Requests"),
    "TR_J2": DENIALS,
    "TR_J3": _ITEM_USE,
    "TR_J4": ("Total_Item_Requests", "Unique_Item_Requests"),
    "IR": _ITEM_USE + DENIALS,
    "IR_A1": ("Total_Item_Requests", "Unique_Item_Requests"),
}
ALLOWED_METRICS: dict[str, dict[str, tuple[str, ...]]] = {
    rid: {rel: metrics for rel in RELEASES} for rid, metrics in _SAME.items()}
ALLOWED_METRICS["DR_D1"] = {
    "5": ("Searches_Automated", "Searches_Federated", "Searches_Regular", "Total_Item_Investigations",
          "Total_Item_Requests"),
    "5.1": ("Searches_Automated", "Searches_Federated", "Searches_Regular") + _ITEM_USE}
ALLOWED_METRICS["IR_M1"] = {"5": ("Total_Item_Requests",),
                            "5.1": ("Total_Item_Requests", "Unique_Item_Requests")}
REPORT_IDS = tuple(sorted(ALLOWED_METRICS))

# what one row of a report is about: the column that names it, and its kind
REPORT_FAMILY = {"PR": "Platform", "DR": "Database", "TR": "Title", "IR": "Item"}


def family(report_id: str) -> str:
    """PR, DR, TR or IR for a report or one of its Standard Views."""
    return report_id.split("_")[0]


def allowed_metrics(report_id: str, release: str) -> tuple[str, ...]:
    return ALLOWED_METRICS[report_id][release]


# Standard Views: the filters fixed by their definition, which the tabular form leaves
# out as columns (the value then applies to every row).
VIEW_FILTERS = {
    "PR_P1": {"Access_Method": "Regular"},
    "DR_D1": {"Access_Method": "Regular"}, "DR_D2": {"Access_Method": "Regular"},
    "TR_B1": {"Data_Type": "Book", "Access_Type": "Controlled", "Access_Method": "Regular"},
    "TR_B2": {"Data_Type": "Book", "Access_Method": "Regular"},
    "TR_B3": {"Data_Type": "Book", "Access_Method": "Regular"},
    "TR_J1": {"Data_Type": "Journal", "Access_Type": "Controlled", "Access_Method": "Regular"},
    "TR_J2": {"Data_Type": "Journal", "Access_Method": "Regular"},
    "TR_J3": {"Data_Type": "Journal", "Access_Method": "Regular"},
    "TR_J4": {"Data_Type": "Journal", "Access_Type": "Controlled", "Access_Method": "Regular"},
    "IR_A1": {"Data_Type": "Article", "Access_Method": "Regular"},
    "IR_M1": {"Access_Method": "Regular"},
}
# R5.1 widened two books views to Book|Reference_Work and gives Data_Type as a column.
VIEW_FILTERS_51 = {"TR_B1": {"Access_Type": "Controlled", "Access_Method": "Regular"},
                   "TR_B2": {"Access_Method": "Regular"}, "TR_B3": {"Access_Method": "Regular"}}


def view_filters(report_id: str, release: str) -> dict[str, str]:
    if release == "5.1" and report_id in VIEW_FILTERS_51:
        return VIEW_FILTERS_51[report_id]
    return VIEW_FILTERS.get(report_id, {})


ACCESS_TYPES = {"5": ("Controlled", "OA_Gold", "Other_Free_To_Read"),
                "5.1": ("Controlled", "Open", "Free_To_Read")}
ACCESS_METHODS = ("Regular", "TDM")
DATA_TYPES = {
    "5": ("Article", "Book", "Book_Segment", "Database", "Dataset", "Journal", "Multimedia",
          "Newspaper_or_Newsletter", "Other", "Platform", "Report", "Repository_Item",
          "Thesis_or_Dissertation"),
    "5.1": ("Article", "Audiovisual", "Book", "Book_Segment", "Conference", "Conference_Item",
            "Database_Aggregated", "Database_AI", "Database_Full", "Database_Full_Item", "Dataset",
            "Image", "Interactive_Resource", "Journal", "Multimedia", "News_Item",
            "Newspaper_or_Newsletter", "Other", "Patent", "Platform", "Reference_Item",
            "Reference_Work", "Report", "Software", "Sound", "Standard", "Thesis_or_Dissertation",
            "Unspecified"),
}
SECTION_TYPES = ("Article", "Book", "Chapter", "Other", "Section")
ALL_DATA_TYPES = tuple(sorted(set(DATA_TYPES["5"]) | set(DATA_TYPES["5.1"])))
ALL_ACCESS_TYPES = tuple(sorted(set(ACCESS_TYPES["5"]) | set(ACCESS_TYPES["5.1"])))

# Pairs COUNTER's logic imposes on the same row group and month: the first never exceeds
# the second (a unique count de-duplicates the total; a title is unique once per session
# however many of its items were used; every request is also an investigation).
NOT_ABOVE = (
    ("Unique_Item_Investigations", "Total_Item_Investigations"),
    ("Unique_Item_Requests", "Total_Item_Requests"),
    ("Unique_Title_Investigations", "Unique_Item_Investigations"),
    ("Unique_Title_Requests", "Unique_Item_Requests"),
    ("Total_Item_Requests", "Total_Item_Investigations"),
    ("Unique_Item_Requests", "Unique_Item_Investigations"),
    ("Unique_Title_Requests", "Unique_Title_Investigations"),
)

# Identifier columns (tabular) and their JSON Item_ID types.
ITEM_ID_COLUMNS = ("DOI", "Proprietary_ID", "ISBN", "Print_ISSN", "Online_ISSN", "Linking_ISSN", "URI")
JSON_ID_TYPES = {"DOI": "DOI", "Proprietary": "Proprietary_ID", "Proprietary_ID": "Proprietary_ID",
                 "ISBN": "ISBN", "Print_ISSN": "Print_ISSN", "Online_ISSN": "Online_ISSN",
                 "Linking_ISSN": "Linking_ISSN", "URI": "URI"}
ATTRIBUTE_COLUMNS = ("Data_Type", "Section_Type", "YOP", "Access_Type", "Access_Method")

# COUNTER_SUSHI exceptions (CoP Appendix F/D, Table F.1/D.1): code -> (COUNTER's English name, kind)
# kind: "retry" (ask again later), "empty" (no usage: nothing to import), "fatal".
# The names are COUNTER's data; their Chinese is the catalogue's (exception_name).
SUSHI_EXCEPTIONS = {
    0: ("Info or Debug", "info"),
    1000: ("Service Not Available", "retry"),
    1010: ("Service Busy", "retry"),
    1011: ("Report Queued for Processing", "retry"),
    1020: ("Client has made too many requests", "retry"),
    1030: ("Insufficient Information to Process Request", "fatal"),
    2000: ("Requestor Not Authorized to Access Service", "fatal"),
    2010: ("Requestor is Not Authorized to Access Usage for Institution", "fatal"),
    2011: ("Global Reports Not Supported", "fatal"),
    2020: ("APIKey Invalid", "fatal"),
    3000: ("Report Not Supported", "fatal"),
    3010: ("Report Version Not Supported", "fatal"),
    3020: ("Invalid Date Arguments", "fatal"),
    3030: ("No Usage Available for Requested Dates", "empty"),
    3031: ("Usage Not Ready for Requested Dates", "retry"),
    3032: ("Usage No Longer Available for Requested Dates", "fatal"),
    3040: ("Partial Data Returned", "info"),
    3050: ("Parameter Not Recognized in this Context", "info"),
    3060: ("Invalid ReportFilter Value", "info"),
    3061: ("Incongruous ReportFilter Value", "info"),
    3062: ("Invalid ReportAttribute Value", "info"),
    3063: ("Components Not Supported", "info"),
    3070: ("Required ReportFilter Missing", "fatal"),
    3071: ("Required ReportAttribute Missing", "fatal"),
    3080: ("Limit Requested Greater than Maximum Server Limit", "info"),
}


def exception_name(code: int, lang: str = "en") -> str:
    """The name of SUSHI exception `code` in `lang`: COUNTER's English name, or its Chinese
    from the catalogue (msgctxt "SUSHI exception"); "" for a code COUNTER does not define."""
    name = SUSHI_EXCEPTIONS.get(code, ("", ""))[0]
    if not name or not str(lang).startswith("zh"):
        return name
    return _chinese_names().get(code, name)


def _chinese_names() -> dict[int, str]:
    return {
        0: pgettext("SUSHI exception", "Info or Debug", "zh"),
        1000: pgettext("SUSHI exception", "Service Not Available", "zh"),
        1010: pgettext("SUSHI exception", "Service Busy", "zh"),
        1011: pgettext("SUSHI exception", "Report Queued for Processing", "zh"),
        1020: pgettext("SUSHI exception", "Client has made too many requests", "zh"),
        1030: pgettext("SUSHI exception", "Insufficient Information to Process Request", "zh"),
        2000: pgettext("SUSHI exception", "Requestor Not Authorized to Access Service", "zh"),
        2010: pgettext("SUSHI exception", "Requestor is Not Authorized to Access Usage for Institution", "zh"),
        2011: pgettext("SUSHI exception", "Global Reports Not Supported", "zh"),
        2020: pgettext("SUSHI exception", "APIKey Invalid", "zh"),
        3000: pgettext("SUSHI exception", "Report Not Supported", "zh"),
        3010: pgettext("SUSHI exception", "Report Version Not Supported", "zh"),
        3020: pgettext("SUSHI exception", "Invalid Date Arguments", "zh"),
        3030: pgettext("SUSHI exception", "No Usage Available for Requested Dates", "zh"),
        3031: pgettext("SUSHI exception", "Usage Not Ready for Requested Dates", "zh"),
        3032: pgettext("SUSHI exception", "Usage No Longer Available for Requested Dates", "zh"),
        3040: pgettext("SUSHI exception", "Partial Data Returned", "zh"),
        3050: pgettext("SUSHI exception", "Parameter Not Recognized in this Context", "zh"),
        3060: pgettext("SUSHI exception", "Invalid ReportFilter Value", "zh"),
        3061: pgettext("SUSHI exception", "Incongruous ReportFilter Value", "zh"),
        3062: pgettext("SUSHI exception", "Invalid ReportAttribute Value", "zh"),
        3063: pgettext("SUSHI exception", "Components Not Supported", "zh"),
        3070: pgettext("SUSHI exception", "Required ReportFilter Missing", "zh"),
        3071: pgettext("SUSHI exception", "Required ReportAttribute Missing", "zh"),
        3080: pgettext("SUSHI exception", "Limit Requested Greater than Maximum Server Limit", "zh"),
    }
