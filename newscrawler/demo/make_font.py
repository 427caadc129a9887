"""Writes ``meridian-display.woff2``, the demo theme's web font (run by hand; needs fontTools).

A tiny font of our own: capitals, digits and a few signs drawn as blocky stencil shapes,
so a page that lost its font in replay looks visibly different from the live one.
``python -m newscrawler.demo.make_font`` rewrites the bundled file.
"""

from __future__ import annotations

from pathlib import Path

FONT_FILE = Path(__file__).with_name("meridian-display.woff2")
UNITS = 1000
# Each glyph is a 3x5 grid of cells (rows top to bottom); "#" cells are filled.
GLYPHS = {
    "A": ("###", "#.#", "###", "#.#", "#.#"), "B": ("##.", "#.#", "##.", "#.#", "##."),
    "C": ("###", "#..", "#..", "#..", "###"), "D": ("##.", "#.#", "#.#", "#.#", "##."),
    "E": ("###", "#..", "##.", "#..", "###"), "F": ("###", "#..", "##.", "#..", "#.."),
    "G": ("###", "#..", "#.#", "#.#", "###"), "H": ("#.#", "#.#", "###", "#.#", "#.#"),
    "I": ("###", ".#.", ".#.", ".#.", "###"), "J": ("..#", "..#", "..#", "#.#", "###"),
    "K": ("#.#", "#.#", "##.", "#.#", "#.#"), "L": ("#..", "#..", "#..", "#..", "###"),
    "M": ("#.#", "###", "###", "#.#", "#.#"), "N": ("##.", "#.#", "#.#", "#.#", "#.#"),
    "O": ("###", "#.#", "#.#", "#.#", "###"), "P": ("###", "#.#", "###", "#..", "#.."),
    "Q": ("###", "#.#", "#.#", "###", "..#"), "R": ("###", "#.#", "##.", "#.#", "#.#"),
    "S": ("###", "#..", "###", "..#", "###"), "T": ("###", ".#.", ".#.", ".#.", ".#."),
    "U": ("#.#", "#.#", "#.#", "#.#", "###"), "V": ("#.#", "#.#", "#.#", "#.#", ".#."),
    "W": ("#.#", "#.#", "###", "###", "#.#"), "X": ("#.#", "#.#", ".#.", "#.#", "#.#"),
    "Y": ("#.#", "#.#", ".#.", ".#.", ".#."), "Z": ("###", "..#", ".#.", "#..", "###"),
    "0": ("###", "#.#", "#.#", "#.#", "###"), "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"), "3": ("###", "..#", ".##", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"), "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"), "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"), "9": ("###", "#.#", "###", "..#", "###"),
    "-": ("...", "...", "###", "...", "..."), ".": ("...", "...", "...", "...", ".#."),
}
CELL = 140
ADVANCE = 3 * CELL + 120


def build(path: Path = FONT_FILE) -> Path:
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = {char: f"g{ord(char):04x}" for char in GLYPHS}
    order = [".notdef", "space", *names.values()]
    builder = FontBuilder(UNITS, isTTF=True)
    builder.setupGlyphOrder(order)
    cmap = {ord(" "): "space"}
    cmap.update({ord(char): name for char, name in names.items()})
    cmap.update({ord(char.lower()): name for char, name in names.items() if char.isalpha()})
    builder.setupCharacterMap(cmap)
    glyphs, metrics = {}, {}
    empty = TTGlyphPen(None).glyph()
    glyphs[".notdef"], glyphs["space"] = empty, TTGlyphPen(None).glyph()
    metrics[".notdef"] = metrics["space"] = (ADVANCE // 2, 0)
    for char, rows in GLYPHS.items():
        pen = TTGlyphPen(None)
        for row, cells in enumerate(rows):
            for column, cell in enumerate(cells):
                if cell == "#":
                    x, y = 60 + column * CELL, (4 - row) * CELL
                    pen.moveTo((x, y))
                    pen.lineTo((x, y + CELL))
                    pen.lineTo((x + CELL, y + CELL))
                    pen.lineTo((x + CELL, y))
                    pen.closePath()
        glyphs[names[char]] = pen.glyph()
        metrics[names[char]] = (ADVANCE, 60)
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Meridian Display", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.font.flavor = "woff2"
    builder.save(str(path))
    return path


if __name__ == "__main__":
    print(build())
