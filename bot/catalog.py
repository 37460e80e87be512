"""Catalog files: loading with validation, writing and fingerprinting.

The schema is documented in data/README.md. A catalog is JSONL (one JSON
object per line, the canonical form) or CSV (one row per item, lists written
``a|b``, source ids written ``name=value|name=value``). Every record is
checked here, once, and all problems are reported together. Fields outside the
schema are an error, so that a misspelt field name is not silently ignored.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from bot.items import Catalog, Item

logger = logging.getLogger(__name__)

FIELDS = ("id", "title", "year", "genres", "description", "people", "link", "source_ids")
REQUIRED_FIELDS = ("id", "title")
MIN_YEAR, MAX_YEAR = 1870, 2100
LIST_SEPARATOR = "|"
SUFFIXES = (".jsonl", ".csv")
# report(field, value, reason) appends one problem for the record being parsed.
_Report = Callable[[str, Any, str], None]
# Problems listed in a CatalogError message; the rest are counted.
MAX_LISTED_PROBLEMS = 20


class CatalogError(ValueError):
    """A catalog file that cannot be loaded. ``problems`` contains one line per problem found."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listed = problems[:MAX_LISTED_PROBLEMS]
        lines = [f"Invalid catalog {path}: {len(problems)} problem(s)."]
        lines += [f"  {problem}" for problem in listed]
        if len(problems) > len(listed):
            lines.append(f"  ... and {len(problems) - len(listed)} more.")
        lines.append("Fix these records (the schema is in data/README.md) and load the file again.")
        super().__init__("\n".join(lines))


def catalog_fingerprint(path: Path) -> str:
    """Return the sha256 hex digest of the file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_catalog(path: Path) -> Catalog:
    """Read and validate a JSONL or CSV catalog (chosen by suffix).

    Raises FileNotFoundError for a missing file and CatalogError for an unknown
    suffix, undecodable text, invalid records, duplicate ids or no items.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CatalogError(path, [f"{path.name}: unsupported suffix '{path.suffix}'; use one of {', '.join(SUFFIXES)}"])
    if not path.is_file():
        raise FileNotFoundError(f"Catalog file not found: {path}. Build one with 'python -m bot catalog build'.")

    data = path.read_bytes()
    try:
        # utf-8-sig also accepts the byte order mark that spreadsheet programs write.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CatalogError(path, [f"{path.name} line {line}: invalid UTF-8 ({error.reason}); save the file as UTF-8"]) from None

    problems: list[str] = []
    records = _jsonl_records(text) if suffix == ".jsonl" else _csv_records(text)
    items: list[Item] = []
    first_line_of_id: dict[str, int] = {}
    for line, record, error in records:
        where = f"{path.name} line {line}"
        if error:
            problems.append(f"{where}: {error}")
            continue
        item = _parse_record(record, where, problems, from_csv=suffix == ".csv")
        # Ids of invalid records count too, so that a duplicate is reported alongside the other problems.
        item_id = record.get("id") if isinstance(record, Mapping) else None
        if isinstance(item_id, str) and item_id.strip():
            item_id = item_id.strip()
            if item_id in first_line_of_id:
                problems.append(
                    f"{where}, field 'id': duplicate id '{item_id}', first used on line {first_line_of_id[item_id]}; "
                    "give each item its own id"
                )
                continue
            first_line_of_id[item_id] = line
        if item is not None:
            items.append(item)

    if not problems and not items:
        problems.append(f"{path.name}: the file contains no items; add at least one record")
    if problems:
        raise CatalogError(path, problems)

    fingerprint = hashlib.sha256(data).hexdigest()
    logger.info("Loaded %d items from %s (sha256 %s)", len(items), path, fingerprint[:12])
    return Catalog(items, fingerprint, source=str(path))


def item_to_record(item: Item) -> dict[str, Any]:
    """Return the JSONL record of an item, with fields in schema order."""
    return {
        "id": item.id,
        "title": item.title,
        "year": item.year,
        "genres": list(item.genres),
        "description": item.description,
        "people": list(item.people),
        "link": item.link,
        "source_ids": dict(item.source_ids),
    }


def write_catalog(items: Iterable[Item], path: Path) -> str:
    """Write items as JSONL, replacing ``path`` atomically, and return the file's fingerprint.

    The output is byte-identical for identical items in the same order.
    """
    path = Path(path)
    if path.suffix.lower() != ".jsonl":
        raise ValueError(f"Cannot write catalog {path}: only .jsonl output is supported; use a .jsonl path.")
    lines = [json.dumps(item_to_record(item), ensure_ascii=False) + "\n" for item in items]
    data = "".join(lines).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    logger.info("Wrote %d items to %s", len(lines), path)
    return hashlib.sha256(data).hexdigest()


def _jsonl_records(text: str) -> Iterator[tuple[int, Any, str]]:
    """Yield (line number, parsed value, error) for each non-blank line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line), ""
        except json.JSONDecodeError as error:
            yield number, None, f"invalid JSON ({error.msg} at column {error.colno}); write one JSON object per line"


def _csv_records(text: str) -> Iterator[tuple[int, Any, str]]:
    """Yield (first line of the row, row dict, error). Every cell stays a string here."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as error:
        yield 1, None, f"invalid CSV header ({error})"
        return
    header = [name.strip() for name in header]
    missing = [name for name in REQUIRED_FIELDS if name not in header]
    unknown = [name for name in header if name not in FIELDS]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if missing or unknown or duplicated:
        problems = []
        if missing:
            problems.append(f"missing column(s) {missing}")
        if unknown:
            problems.append(f"unknown column(s) {unknown}")
        if duplicated:
            problems.append(f"repeated column(s) {duplicated}")
        yield 1, None, f"invalid header: {', '.join(problems)}; the columns are {list(FIELDS)}"
        return

    first_line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield first_line, None, f"invalid CSV ({error}); check the quotes on this row"
            return
        if any(cell.strip() for cell in row):
            if len(row) != len(header):
                yield first_line, None, f"expected {len(header)} cells as in the header, found {len(row)}"
            else:
                yield first_line, dict(zip(header, row)), ""
        first_line = reader.line_num + 1


def _parse_record(record: Any, where: str, problems: list[str], from_csv: bool) -> Item | None:
    """Validate one record; append a problem per invalid field and return the Item, or None."""
    if not isinstance(record, Mapping):
        problems.append(f"{where}: expected a JSON object, found {type(record).__name__}")
        return None
    count_before = len(problems)

    def report(field: str, value: Any, reason: str) -> None:
        problems.append(f"{where}, field '{field}': {reason}, found {value!r}")

    for name in record:
        if name not in FIELDS:
            problems.append(f"{where}, field '{name}': unknown field; rename or remove it (the fields are {list(FIELDS)})")
    for name in REQUIRED_FIELDS:
        if name not in record:
            problems.append(f"{where}, field '{name}': missing required field")

    item_id = _text(record, "id", report, required=True)
    title = _text(record, "title", report, required=True)
    description = _text(record, "description", report)
    link = _text(record, "link", report)
    if link and not link.startswith(("http://", "https://")):
        report("link", link, "expected an http(s) URL or an empty value")
    year = _year(record.get("year"), report, from_csv)
    genres = _string_list(record.get("genres"), "genres", report, from_csv)
    people = _string_list(record.get("people"), "people", report, from_csv)
    source_ids = _source_ids(record.get("source_ids"), report, from_csv)

    if len(problems) > count_before:
        return None
    return Item(
        id=item_id,
        title=title,
        year=year,
        genres=genres,
        description=description,
        people=people,
        link=link,
        source_ids=source_ids,
    )


def _text(record: Mapping[str, Any], field: str, report: _Report, required: bool = False) -> str:
    """Return a stripped string field. A required field must be non-empty (its absence is reported by the caller)."""
    if field not in record:
        return ""
    value = record[field]
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        report(field, value, "expected a string")
        return ""
    value = value.strip()
    if required and not value:
        report(field, value, "expected a non-empty string")
    return value


def _year(value: Any, report: _Report, from_csv: bool) -> int | None:
    if value is None or value == "":
        return None
    if from_csv and isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        report("year", value, f"expected an integer year in {MIN_YEAR}..{MAX_YEAR} or an empty value")
        return None
    if not MIN_YEAR <= value <= MAX_YEAR:
        report("year", value, f"year out of range {MIN_YEAR}..{MAX_YEAR}")
        return None
    return value


def _string_list(value: Any, field: str, report: _Report, from_csv: bool) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if from_csv and isinstance(value, str):
        parts = [part.strip() for part in value.split(LIST_SEPARATOR)]
        if not all(parts):
            report(field, value, f"empty entry in a '{LIST_SEPARATOR}'-separated list")
        return tuple(part for part in parts if part)
    if not isinstance(value, list) or not all(isinstance(entry, str) and entry.strip() for entry in value):
        report(field, value, "expected a list of non-empty strings")
        return ()
    return tuple(entry.strip() for entry in value)


def _source_ids(value: Any, report: _Report, from_csv: bool) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if from_csv and isinstance(value, str):
        pairs: dict[str, str] = {}
        for part in value.split(LIST_SEPARATOR):
            name, separator, identifier = part.partition("=")
            name, identifier = name.strip(), identifier.strip()
            if not separator or not name or not identifier or name in pairs:
                report("source_ids", value, "expected distinct 'name=value' pairs separated by '|'")
                return {}
            pairs[name] = identifier
        return pairs
    if not isinstance(value, Mapping) or not all(
        isinstance(name, str) and name and isinstance(identifier, str) and identifier
        for name, identifier in value.items()
    ):
        report("source_ids", value, "expected an object of non-empty strings to non-empty strings")
        return {}
    return dict(value)
