"""``python -m newscrawler.demo DEST``: write the demo site into DEST and say what is in it."""

from __future__ import annotations

import argparse
from pathlib import Path

from newscrawler.demo.generate import build_demo_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawler.demo", description=__doc__)
    parser.add_argument("dest", type=Path, help="folder to write the site into (created if missing)")
    parser.add_argument("--base-url", default="", help="absolute base for canonical links, og:url, JSON-LD and feeds")
    parser.add_argument("--manifest", type=Path, help="also write the manifest of expected articles as JSON here")
    args = parser.parse_args(argv)
    manifest = build_demo_site(args.dest, base_url=args.base_url)
    if args.manifest:
        args.manifest.write_text(manifest.to_json(), encoding="utf-8")
    print(f"wrote {len(manifest.articles)} articles and {len(manifest.non_articles)} other pages to {args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
