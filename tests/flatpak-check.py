#!/usr/bin/env python3
# flatpak-check.py — the flatpak manifest is well formed and reproducible
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   flatpak-check.py MANIFEST      checks one manifest
#   flatpak-check.py --self-test   checks that bad manifests are refused
#
# Checks, without flatpak-builder or the network:
#  * the file is a JSON object with id, runtime, runtime-version, sdk,
#    command, finish-args and modules;
#  * the runtime is the GNOME one, its SDK matches, and its version is at
#    least 43 (GTK 4.8 and libadwaita 1.2, our floor);
#  * finish-args grant nothing beyond what the app needs: the network (the
#    gateway's upstreams), IPC and a display (Wayland or X11, GPU), the
#    Secret Service (admin keys of remote gateways, through libsecret) and
#    avahi-daemon on the system bus (LAN discovery: announcing the shared
#    gateway, finding others in the connect dialog);
#  * every source of every module (nested modules and modules in separate
#    JSON files included) is pinned: archives and files by url + sha256 (or
#    a local path), git by a full commit, bzr and svn by revision; local
#    dirs, patches and inline scripts are fine;
#  * the app itself is a meson module named gaiarouter;
#  * when the manifest sits in our tree, data/<id>.desktop.in exists.
#
# The GNOME runtime already holds every library we link (GTK 4,
# libadwaita, libsoup 3, json-glib, libsecret, SQLite, libcurl), so the
# manifest needs no modules but the app.
#
# Prints every problem found and exits 1 if there is any.

import json
import os
import re
import sys

REQUIRED_KEYS = ("id", "runtime", "runtime-version", "sdk", "command", "finish-args", "modules")
ALLOWED_FINISH_ARGS = {
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
    "--talk-name=org.freedesktop.secrets",
    "--system-talk-name=org.freedesktop.Avahi",
}
MIN_GNOME = 43
COMMIT = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_source(source, where, problems):
    if isinstance(source, str):
        # A path to a JSON file with one source: checked as any other.
        return
    if not isinstance(source, dict):
        problems.append(f"{where}: a source must be an object")
        return
    kind = source.get("type")
    if kind in ("archive", "file"):
        if "url" in source or "mirror-urls" in source:
            if not SHA256.match(str(source.get("sha256", ""))):
                problems.append(f"{where}: {kind} {source.get('url')} is not pinned (needs a sha256)")
        elif "path" not in source:
            problems.append(f"{where}: {kind} source needs url + sha256 or a local path")
    elif kind == "extra-data":
        if not SHA256.match(str(source.get("sha256", ""))):
            problems.append(f"{where}: extra-data {source.get('url')} needs a sha256")
    elif kind == "git":
        if not COMMIT.match(str(source.get("commit", ""))):
            detail = source.get("tag") or source.get("branch") or "HEAD"
            problems.append(f"{where}: git {source.get('url') or source.get('path')} follows "
                            f"“{detail}”; pin a full commit")
    elif kind in ("bzr", "svn"):
        if not source.get("revision"):
            problems.append(f"{where}: {kind} {source.get('url')} needs a revision")
    elif kind == "dir":
        if not source.get("path"):
            problems.append(f"{where}: dir source needs a path")
    elif kind in ("patch", "script", "inline", "shell"):
        pass
    else:
        problems.append(f"{where}: unknown source type “{kind}”")


def check_modules(modules, base_dir, where, problems, names):
    if not isinstance(modules, list):
        problems.append(f"{where}: modules must be a list")
        return
    for i, module in enumerate(modules):
        here = f"{where}[{i}]"
        if isinstance(module, str):
            path = os.path.join(base_dir, module)
            try:
                with open(path, encoding="utf-8") as f:
                    module = json.load(f)
            except (OSError, ValueError) as e:
                problems.append(f"{here}: cannot read module file {module}: {e}")
                continue
            here = f"{here} ({path})"
        if not isinstance(module, dict):
            problems.append(f"{here}: a module must be an object or a file name")
            continue
        name = module.get("name")
        if not name:
            problems.append(f"{here}: module without a name")
        else:
            here = f"module “{name}”"
            names.append((name, module))
        sources = module.get("sources", [])
        if not isinstance(sources, list) or (not sources and not module.get("modules")):
            problems.append(f"{here}: no sources")
            sources = []
        for j, source in enumerate(sources):
            check_source(source, f"{here} source {j}", problems)
        if "modules" in module:
            check_modules(module["modules"], base_dir, f"{here} modules", problems, names)


def check_manifest(doc, base_dir=None):
    problems = []

    if not isinstance(doc, dict):
        return ["the manifest is not a JSON object"]
    if "id" not in doc and "app-id" in doc:
        doc = dict(doc, id=doc["app-id"])
    for key in REQUIRED_KEYS:
        if key not in doc:
            problems.append(f"missing key “{key}”")

    app_id = str(doc.get("id", ""))
    if app_id and not re.match(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*){2,}$", app_id):
        problems.append(f"id “{app_id}” is not a reverse-DNS name")

    runtime, sdk = doc.get("runtime"), doc.get("sdk")
    if runtime is not None and runtime != "org.gnome.Platform":
        problems.append(f"runtime “{runtime}”: use org.gnome.Platform (GTK 4 and libadwaita)")
    if sdk is not None and sdk != "org.gnome.Sdk":
        problems.append(f"sdk “{sdk}”: use org.gnome.Sdk")
    version = str(doc.get("runtime-version", ""))
    if "runtime-version" in doc:
        if not version.isdigit():
            problems.append(f"runtime-version “{version}” is not a released GNOME version (e.g. \"47\")")
        elif int(version) < MIN_GNOME:
            problems.append(f"runtime-version {version} is older than GNOME {MIN_GNOME} "
                            "(GTK 4.8, libadwaita 1.2)")

    command = doc.get("command")
    if command is not None and (not isinstance(command, str) or "/" in command or not command):
        problems.append(f"command “{command}” must be a program name")

    finish_args = doc.get("finish-args", [])
    if not isinstance(finish_args, list):
        problems.append("finish-args must be a list")
        finish_args = []
    for arg in finish_args:
        if arg not in ALLOWED_FINISH_ARGS:
            problems.append(f"finish-arg “{arg}” is not needed by the app")
    if "--share=network" not in finish_args:
        problems.append("finish-args lack --share=network (the gateway talks to upstreams)")

    names = []
    check_modules(doc.get("modules", []), base_dir or ".", "modules", problems, names)
    if names:
        last_name, last = names[-1]
        if last_name != "gaiarouter" or last.get("buildsystem") != "meson":
            problems.append("the last module must be the app: name “gaiarouter”, buildsystem meson")

    if base_dir is not None and app_id:
        data = os.path.join(base_dir, "..", "data")
        if os.path.isdir(data) and not os.path.exists(os.path.join(data, app_id + ".desktop.in")):
            problems.append(f"id “{app_id}” has no data/{app_id}.desktop.in")
    return problems


GOOD = {
    "id": "org.gaiarouter.GaiaRouter",
    "runtime": "org.gnome.Platform",
    "runtime-version": "47",
    "sdk": "org.gnome.Sdk",
    "command": "gaiarouter",
    "finish-args": ["--share=network", "--socket=wayland"],
    "modules": [
        {"name": "dep", "buildsystem": "meson",
         "sources": [{"type": "archive", "url": "https://example.org/dep-1.0.tar.xz",
                      "sha256": "0" * 64},
                     {"type": "git", "url": "https://example.org/x.git", "commit": "a" * 40}]},
        {"name": "gaiarouter", "buildsystem": "meson", "sources": [{"type": "dir", "path": ".."}]},
    ],
}


def mutated(change):
    doc = json.loads(json.dumps(GOOD))
    change(doc)
    return doc


def self_test():
    bad = {
        "archive without sha256":
            lambda d: d["modules"][0]["sources"][0].pop("sha256"),
        "archive with a short sha256":
            lambda d: d["modules"][0]["sources"][0].update(sha256="abc"),
        "git on a branch":
            lambda d: d["modules"][0]["sources"][1].update(commit="", branch="main"),
        "git on a tag only":
            lambda d: d["modules"][0]["sources"][1].update(commit=None, tag="v1"),
        "unpinned source in a nested module":
            lambda d: d["modules"][0].update(modules=[{"name": "n", "sources": [
                {"type": "file", "url": "https://example.org/f"}]}]),
        "missing runtime":
            lambda d: d.pop("runtime"),
        "missing command":
            lambda d: d.pop("command"),
        "old runtime":
            lambda d: d.update({"runtime-version": "42"}),
        "branch runtime":
            lambda d: d.update({"runtime-version": "master"}),
        "host filesystem":
            lambda d: d["finish-args"].append("--filesystem=host"),
        "session bus":
            lambda d: d["finish-args"].append("--socket=session-bus"),
        "app module not last":
            lambda d: d["modules"].reverse(),
        "unknown source type":
            lambda d: d["modules"][0]["sources"].append({"type": "magic"}),
    }
    failures = 0
    if check_manifest(mutated(lambda d: None)):
        print(f"self-test: the good manifest was refused: {check_manifest(GOOD)}", file=sys.stderr)
        failures += 1
    for name, change in bad.items():
        problems = check_manifest(mutated(change))
        if not problems:
            print(f"self-test: a manifest with {name} was accepted", file=sys.stderr)
            failures += 1
        else:
            print(f"ok - {name}: {problems[0]}")
    if check_manifest([]) == []:
        failures += 1
    return 1 if failures else 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) != 2:
        print("usage: flatpak-check.py MANIFEST | --self-test", file=sys.stderr)
        return 2
    path = argv[1]
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"flatpak-check: {path}: {e}", file=sys.stderr)
        return 1
    problems = check_manifest(doc, os.path.dirname(os.path.abspath(path)))
    for p in problems:
        print(f"flatpak-check: {path}: {p}", file=sys.stderr)
    if problems:
        print(f"flatpak-check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"flatpak-check: {path}: ok ({doc.get('runtime')}//{doc.get('runtime-version')})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
