#!/usr/bin/env python3
# openapi-check.py — docs/openapi.yaml parses and documents every route
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   openapi-check.py OPENAPI_YAML [PRINT_ROUTES [SOURCE_DIR]]
#
# Checks that the file is OpenAPI 3.1, that every path item has operations
# and every operation has responses, and that every $ref resolves.  With
# PRINT_ROUTES (tests/print-routes, which starts a gateway and prints the
# path prefixes it registered handlers for), also checks that every prefix
# has at least one documented path equal to it or below it (prefix + "/…").
# With SOURCE_DIR (gateway/), the paths given to gr_server_add_handler() or
# soup_server_add_handler() in its C files are checked the same way: a
# handler added with soup_server_add_handler() directly is missing from
# gr_gateway_dup_routes() and would otherwise escape the check.
# Prints every problem found and exits 1 if there is any.

import os
import re
import subprocess
import sys

try:
    import yaml
except ImportError:
    print("openapi-check: python3-yaml is not installed "
          "(scripts/bootstrap --test installs it)", file=sys.stderr)
    sys.exit(77)  # meson: skipped

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def walk_refs(node, where, out):
    """Collects (location, ref) for every $ref below node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out.append((where, value))
            else:
                token = str(key).replace("~", "~0").replace("/", "~1")
                walk_refs(value, f"{where}/{token}", out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            walk_refs(value, f"{where}/{i}", out)


def resolve_pointer(doc, ref):
    """Follows a local JSON pointer ("#/components/schemas/X")."""
    if not ref.startswith("#/"):
        raise KeyError("only local references (#/…) are allowed")
    node = doc
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(f"no “{part}”")
    return node


def check_document(doc):
    problems = []

    if not isinstance(doc, dict):
        return ["the file is not a YAML mapping"]
    version = str(doc.get("openapi", ""))
    if not version.startswith("3.1."):
        problems.append(f"openapi must be 3.1.x, not “{version}”")
    if not isinstance(doc.get("info"), dict) or "title" not in doc["info"] or "version" not in doc["info"]:
        problems.append("info.title and info.version are required")

    paths = doc.get("paths")
    if not isinstance(paths, dict) or not paths:
        problems.append("paths is missing or empty")
        paths = {}
    for path, item in paths.items():
        if not str(path).startswith("/"):
            problems.append(f"path “{path}” does not start with /")
        if not isinstance(item, dict):
            problems.append(f"{path}: the path item is not a mapping")
            continue
        operations = [m for m in item if m in HTTP_METHODS]
        if not operations:
            problems.append(f"{path}: no operations")
        for method in operations:
            op = item[method]
            responses = op.get("responses") if isinstance(op, dict) else None
            if not isinstance(responses, dict) or not responses:
                problems.append(f"{method.upper()} {path}: no responses")

    refs = []
    walk_refs(doc, "#", refs)
    for where, ref in refs:
        try:
            resolve_pointer(doc, ref)
        except KeyError as e:
            problems.append(f"{where}: $ref “{ref}” does not resolve ({e.args[0]})")
    return problems


HANDLER_RE = re.compile(r'\b(gr_server_add_handler|soup_server_add_handler)\s*\(\s*[^,;]+,\s*"([^"]+)"')


def source_routes(source_dir):
    """(path, function, file) for every handler registration in the C sources."""
    found = []
    for root, _dirs, files in os.walk(source_dir):
        for name in sorted(files):
            if not name.endswith(".c"):
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            for m in HANDLER_RE.finditer(text):
                found.append((m.group(2), m.group(1), os.path.relpath(path, source_dir)))
    return found


def route_problems(doc, routes, name):
    documented = [str(p) for p in (doc.get("paths") or {})]
    problems = []

    for route in routes:
        prefix = route.rstrip("/")
        if not any(p == prefix or p.startswith(prefix + "/") for p in documented):
            problems.append(f"the gateway serves “{route}” but {name} documents no path "
                            f"equal to it or under it (document it under paths:)")
    return problems


def main(argv):
    if len(argv) not in (2, 3, 4):
        print("usage: openapi-check.py OPENAPI_YAML [PRINT_ROUTES [SOURCE_DIR]]", file=sys.stderr)
        return 2

    try:
        with open(argv[1], encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        print(f"openapi-check: cannot read {argv[1]}: {e}", file=sys.stderr)
        return 1

    problems = check_document(doc)

    routes = []
    if len(argv) >= 3:
        run = subprocess.run([argv[2]], capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            print(f"openapi-check: {argv[2]} failed ({run.returncode}):\n{run.stderr}", file=sys.stderr)
            return 1
        routes = [line.strip() for line in run.stdout.splitlines() if line.strip()]
        if not routes:
            problems.append(f"{argv[2]} printed no routes")
        problems += route_problems(doc if isinstance(doc, dict) else {}, routes,
                                   os.path.basename(argv[1]))
        print(f"# {len(routes)} registered route prefixes: {', '.join(routes)}")

    if len(argv) == 4:
        extra = []
        for path, func, where in source_routes(argv[3]):
            if path in routes or path in extra:
                continue
            extra.append(path)
            note = (" (registered with soup_server_add_handler(), so gr_gateway_dup_routes() "
                    "does not report it; use gr_server_add_handler())"
                    if func == "soup_server_add_handler" else "")
            print(f"# {where}: handler for {path} not seen by print-routes{note}")
        problems += route_problems(doc if isinstance(doc, dict) else {}, extra,
                                   os.path.basename(argv[1]))

    n_paths = len((doc or {}).get("paths") or {}) if isinstance(doc, dict) else 0
    if problems:
        for p in problems:
            print(f"openapi-check: {argv[1]}: {p}", file=sys.stderr)
        print(f"openapi-check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"# {argv[1]}: OpenAPI {doc.get('openapi')}, {n_paths} paths, all references resolve")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
