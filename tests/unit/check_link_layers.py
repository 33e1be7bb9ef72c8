#!/usr/bin/python3
"""The layers' libraries link one way (README, "Layout"): no library needs a symbol that only a
library of a higher layer defines. Given the static libraries lowest layer first, reads their
symbols with nm and fails naming every symbol a library leaves undefined that a higher one
defines (and no library at or below it). A back-include that calls into a higher layer shows
here even when the final link of `yidi` happens to succeed. tests/unit/layering_test.cpp checks
the includes.

    check_link_layers.py LIB_LOWEST ... LIB_HIGHEST
"""
import os
import subprocess
import sys


def symbols(lib):
    """(defined, undefined) global symbols of a static library, demangled."""
    out = subprocess.run(["nm", "-C", "-g", "--defined-only", lib], capture_output=True, text=True, check=True).stdout
    defined = set()
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "TDBRWVu":
            defined.add(parts[2])
    out = subprocess.run(["nm", "-C", "-u", lib], capture_output=True, text=True, check=True).stdout
    undefined = {line.split(" U ", 1)[1] for line in out.splitlines() if " U " in line}
    return defined, undefined


def back_edges(names, tables):
    """(lower, higher, symbol) for every symbol `lower` needs that only a higher library defines."""
    found = []
    for i, (_, undefined) in enumerate(tables):
        at_or_below = set().union(*(tables[k][0] for k in range(i + 1)))
        for j in range(i + 1, len(tables)):
            for sym in sorted((undefined & tables[j][0]) - at_or_below):
                found.append((names[i], names[j], sym))
    return found


def self_test():
    """The checker on made-up tables: a planted call upward is found, calls downward are not."""
    tables = [({"models::f()"}, set()),
              ({"model::g()"}, {"models::f()", "io::h()"}),  # the planted back-edge
              ({"io::h()", "inline_helper()"}, {"model::g()", "models::f()"})]
    got = back_edges(["models", "model", "io"], tables)
    assert got == [("model", "io", "io::h()")], got
    tables[1] = ({"model::g()", "io::h()"}, {"models::f()"})  # defined at its own level: fine
    assert back_edges(["models", "model", "io"], tables) == []


def main(libs):
    self_test()
    if len(libs) < 2:
        print("usage: check_link_layers.py LIB_LOWEST ... LIB_HIGHEST", file=sys.stderr)
        return 2
    names = [os.path.basename(lib) for lib in libs]
    found = back_edges(names, [symbols(lib) for lib in libs])
    for lower, higher, sym in found:
        print(f"{lower} needs {sym}, defined only by {higher}, a higher layer")
    if found:
        print(f"{len(found)} symbol(s) point up a layer; layers link one way: " + " <- ".join(names))
        return 1
    print("layers link one way: " + " <- ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
