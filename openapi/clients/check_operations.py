"""Checks a generated client holds every operation of the spec.

usage: check_operations.py SPEC (--typescript SCHEMA_D_TS | --python PACKAGE_DIR)

openapi-typescript names each operation `operations["<operationId>"]` in
its `paths`; openapi-python-client writes one module per operation,
`api/<tag>/<operation_id in snake case>.py`. Prints the count and exits 1
naming any operation the client lacks.
"""

import json
import pathlib
import re
import sys

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def operation_ids(spec_path):
    spec = json.loads(pathlib.Path(spec_path).read_text())
    return [op["operationId"] for item in spec["paths"].values() for m, op in item.items() if m in METHODS]


def missing_in_typescript(ids, schema):
    text = pathlib.Path(schema).read_text()
    return [i for i in ids if f'operations["{i}"]' not in text]


def missing_in_python(ids, package):
    modules = {p.stem for p in pathlib.Path(package, "api").rglob("*.py")}
    return [i for i in ids if re.sub(r"[^0-9a-zA-Z]+", "_", i).lower() not in modules]


def main():
    spec, kind, target = sys.argv[1:4]
    ids = operation_ids(spec)
    missing = missing_in_typescript(ids, target) if kind == "--typescript" else missing_in_python(ids, target)
    print(f"{kind[2:]} client: {len(ids) - len(missing)} of {len(ids)} operations")
    if missing:
        print("missing: " + ", ".join(missing))
        sys.exit(1)


if __name__ == "__main__":
    main()
