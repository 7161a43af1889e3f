"""Copy the front-end packages installed by npm (from package-lock.json) into static files.

Nothing third-party is committed: `make setup` runs `npm ci` and then this script.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "plancampus" / "static" / "vendor"

FILES = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    # Charts (needs pages): Vega-Lite specs drawn by vega-embed.
    "vega/build/vega.min.js": "vega.min.js",
    "vega-lite/build/vega-lite.min.js": "vega-lite.min.js",
    "vega-embed/build/vega-embed.min.js": "vega-embed.min.js",
}
# vega-interpreter (evaluates Vega expressions without eval, for the strict CSP) ships only
# as an ES module importing "vega-util"; the global vega bundle exports the same functions.
INTERPRETER = "vega-interpreter/build/vega-interpreter.js"
INTERPRETER_IMPORT = "import { ascending, isString, DisallowedObjectProperties } from 'vega-util';"
SOURCE_MAP = re.compile(r"^//# sourceMappingURL=\S+\s*$", re.MULTILINE)
FONTS = {
    "@fontsource/noto-sans-khmer/files": ("noto-sans-khmer-khmer-", "noto-sans-khmer-latin-"),
    "@fontsource/noto-sans-arabic/files": ("noto-sans-arabic-arabic-",),
}


def main() -> int:
    if not NODE.exists():
        print("node_modules is missing: run `npm ci` first.", file=sys.stderr)
        return 1
    VENDOR.mkdir(parents=True, exist_ok=True)
    (VENDOR / "fonts").mkdir(exist_ok=True)
    for source, target in FILES.items():
        # Without their source maps: the manifest storage of `collectstatic` (DEBUG off)
        # refuses a file that names a map it cannot find.
        text = (NODE / source).read_text(encoding="utf-8")
        (VENDOR / target).write_text(SOURCE_MAP.sub("", text), encoding="utf-8")
    interpreter = (NODE / INTERPRETER).read_text()
    if INTERPRETER_IMPORT not in interpreter:
        print(f"{INTERPRETER}: unexpected imports; update scripts/vendor.py", file=sys.stderr)
        return 1
    interpreter = interpreter.replace(
        INTERPRETER_IMPORT,
        "const { ascending, isString, DisallowedObjectProperties } = globalThis.vega;",
    ).replace("//# sourceMappingURL=vega-interpreter.js.map", "")
    (VENDOR / "vega-interpreter.module.js").write_text(interpreter)
    for folder, prefixes in FONTS.items():
        for font in sorted((NODE / folder).glob("*.woff2")):
            if font.name.startswith(prefixes) and (
                "-400-normal" in font.name or "-700-normal" in font.name
            ):
                shutil.copy2(font, VENDOR / "fonts" / font.name)
    for license_dir in (
        "htmx.org",
        "@fontsource/noto-sans-khmer",
        "@fontsource/noto-sans-arabic",
        "vega",
        "vega-lite",
        "vega-embed",
        "vega-interpreter",
    ):
        for name in ("LICENSE", "LICENSE.txt"):
            path = NODE / license_dir / name
            if path.exists():
                shutil.copy2(path, VENDOR / f"LICENSE-{license_dir.replace('/', '-').lstrip('@')}")
    print(f"Copied front-end packages into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
