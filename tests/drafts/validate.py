"""Checks report drafts written by `vigil report --draft`.

    python tests/drafts/validate.py DRAFT.xml [DRAFT.json] ...

Each `.xml` file must validate against core/schema/cybertipline-report.xsd (with the
`xmlschema` package). When a `.json` file of the same stem is given too, its `report` must hold
the same elements and texts as the XML: every (path, text) of one is in the other (JSON keys are
element names; a list is a repeated element; an empty object is an empty element;
`reportAnnotations` lists empty elements).
A `.json` file without an `.xml` twin must be a case export (`vigil.case-export/1`) or a
CyberTipline draft's JSON form. Exits 1 with the problems listed.
"""

import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import xmlschema

ROOT = Path(__file__).resolve().parents[2]
XSD = ROOT / "core" / "schema" / "cybertipline-report.xsd"


def xml_pairs(elem, path=""):
    """(path, text) of every leaf element under `elem`."""
    here = f"{path}/{elem.tag}" if path else elem.tag
    kids = list(elem)
    if not kids:
        yield here, (elem.text or "")
        return
    for k in kids:
        yield from xml_pairs(k, here)


def json_pairs(value, path):
    """(path, text) of every leaf of the JSON form, as the XML would hold it."""
    if isinstance(value, dict):
        if not value:
            yield path, ""  # an empty object is an empty element
        for k, v in value.items():
            if k == "reportAnnotations":
                for a in v:
                    yield f"{path}/{k}/{a}", ""
            else:
                yield from json_pairs(v, f"{path}/{k}")
    elif isinstance(value, list):
        for v in value:
            yield from json_pairs(v, path)
    elif isinstance(value, bool):
        yield path, "true" if value else "false"
    else:
        yield path, str(value)


def main(argv):
    schema = xmlschema.XMLSchema(str(XSD))
    files = [Path(a) for a in argv]
    problems = []
    for f in files:
        if f.suffix == ".xml":
            errors = list(schema.iter_errors(str(f)))
            for e in errors[:5]:
                problems.append(f"{f}: {e.reason} at {e.path}")
            twin = f.with_suffix(".json")
            if twin in files:
                draft = json.loads(twin.read_text())
                root = ET.parse(f).getroot()
                xs = Counter(xml_pairs(root))
                js = Counter(json_pairs(draft["report"], "report"))
                if xs != js:
                    problems.append(
                        f"{f} and {twin} differ: only in XML {sorted((xs - js).elements())[:5]}, "
                        f"only in JSON {sorted((js - xs).elements())[:5]}"
                    )
        elif f.suffix == ".json":
            doc = json.loads(f.read_text())
            if doc.get("schema") not in ("vigil.case-export/1", "vigil.draft.cybertipline/1"):
                problems.append(f"{f}: unknown schema {doc.get('schema')!r}")
            if "TO_BE_COMPLETED" not in f.read_text():
                problems.append(f"{f}: no TO_BE_COMPLETED field")
        else:
            problems.append(f"{f}: expected .xml or .json")
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(f"{len(files)} draft file(s) checked against {XSD.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
