#!/usr/bin/env python3
"""Build a large benchmark catalog: every rule of SOURCE copied COPIES times with fresh, deterministic
ids (uuid5 of the copy and path) and a numbered title, so duplicate-id and -title lints stay quiet.

Usage: make_catalog.py SOURCE_DIR DEST_DIR [COPIES=10]
"""
import pathlib
import re
import shutil
import sys
import uuid

ID = re.compile(r"^id:\s*\S+\s*$", re.M)
TITLE = re.compile(r"^title:\s*(.+)$", re.M)


def main():
    src, dest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    copies = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    if dest.exists():
        shutil.rmtree(dest)
    files = sorted(p for p in src.rglob("*.yml") if p.is_file())
    n = 0
    for copy in range(copies):
        for f in files:
            text = f.read_text(encoding="utf-8")
            rel = f.relative_to(src)
            new_id = uuid.uuid5(uuid.NAMESPACE_URL, f"detc-bench/{copy}/{rel}")
            text = ID.sub(f"id: {new_id}", text, count=1)
            text = TITLE.sub(lambda m: f"title: {m.group(1)} (copy {copy})", text, count=1)
            out = dest / f"copy{copy:02d}" / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            n += 1
    print(f"{n} rule files in {dest}")


if __name__ == "__main__":
    main()
