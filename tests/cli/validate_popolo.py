"""Validates a Popolo JSON export against the Popolo draft-03 schemas.

Usage: validate_popolo.py SCHEMA_DIR EXPORT_FILE

Each person, organization, post and membership is checked against its schema; the schemas'
$refs to popoloproject.com are resolved to the files in SCHEMA_DIR (nothing is fetched).
Prints one line per error and exits 1 if there is any.
"""

import json
import pathlib
import sys

from jsonschema import Draft3Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

BASE = "http://www.popoloproject.com/schemas/"
KINDS = {"persons": "person", "organizations": "organization", "posts": "post", "memberships": "membership"}


def main() -> int:
    schema_dir = pathlib.Path(sys.argv[1])
    export = json.loads(pathlib.Path(sys.argv[2]).read_text(encoding="utf-8"))
    resources = []
    for path in schema_dir.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(schema, default_specification=DRAFT3)
        resources.append((BASE + path.name, resource))
        resources.append((BASE + path.name + "#", resource))
    registry = Registry().with_resources(resources)
    errors = 0
    checked = 0
    for key, kind in KINDS.items():
        schema = json.loads((schema_dir / f"{kind}.json").read_text(encoding="utf-8"))
        validator = Draft3Validator(schema, registry=registry)
        for i, item in enumerate(export.get(key, [])):
            checked += 1
            for error in validator.iter_errors(item):
                errors += 1
                print(f"{key}[{i}] {list(error.absolute_path)}: {error.message}")
    print(f"checked {checked} objects, {errors} errors")
    return 1 if errors or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
