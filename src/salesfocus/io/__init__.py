"""Getting exports in: readers, header recognition, the mapping file, validation, import into the workspace."""

from salesfocus.io.importer import DuckDBEngine, Engine, ImportReport, SparkEngine, import_sources
from salesfocus.io.mapping import TableMapping, load_mapping
from salesfocus.io.readers import Source, parse_data_arg
from salesfocus.io.schemas import REQUIRED_TABLES, SCHEMAS, TABLES

__all__ = [
    "DuckDBEngine",
    "Engine",
    "ImportReport",
    "REQUIRED_TABLES",
    "SCHEMAS",
    "Source",
    "SparkEngine",
    "TABLES",
    "TableMapping",
    "import_sources",
    "load_mapping",
    "parse_data_arg",
]
