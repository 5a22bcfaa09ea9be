#!/usr/bin/python3
"""Writes the man pages (docs/man/nsrun.8, nsrun-COMMAND.8) from nsrun's own
--help, so that the pages and the program cannot disagree. Usage:
scripts/man.py BUILD/nsrun OUTDIR. A test checks the committed pages are
what this writes."""

import re
import subprocess
import sys


def roff(text):
    """Escapes for roff: backslashes, and a leading dot or quote."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.M)


def sections(help_text):
    """(usage, description, {"Options:": [[term, meaning]], "Commands:": ...})."""
    lines = help_text.rstrip("\n").split("\n")
    usage = lines[0].removeprefix("Usage: ")
    description, lists, current = [], {}, None
    for line in lines[1:]:
        if line in ("Options:", "Global options:", "Commands:"):
            current = lists.setdefault(line, [])
            continue
        if current is not None and line.startswith("  "):
            m = re.match(r"\s+(\S.*?)(?:\s{2,}(.*))?$", line)
            if m and not line.startswith("   " * 4):
                current.append([m.group(1).strip(), m.group(2) or ""])
            elif current:  # a meaning continued on the next line
                current[-1][1] += " " + line.strip()
            continue
        current = None
        description.append(line)
    return usage, "\n".join(description).strip(), lists


HEADINGS = {"Commands:": "COMMANDS", "Options:": "OPTIONS", "Global options:": "GLOBAL OPTIONS"}


def page(name, summary, help_text, see_also):
    usage, description, lists = sections(help_text)
    out = [f'.TH {name.upper()} 8 "" "nsrun" "System Administration"',
           ".SH NAME", f"{roff(name)} \\- {roff(summary)}",
           ".SH SYNOPSIS", f".B {roff(usage)}",
           ".SH DESCRIPTION"]
    for para in description.split("\n\n"):
        out += [".PP", roff(para.strip())]
    for heading, entries in lists.items():
        out.append(f".SH {HEADINGS[heading]}")
        for term, meaning in entries:
            out += [".TP", f".B {roff(term)}", roff(meaning)]
    out += [".SH SEE ALSO", ", ".join(f"\\fB{roff(s)}\\fR(8)" for s in see_also)]
    return "\n".join(out) + "\n"


def main():
    nsrun, outdir = sys.argv[1], sys.argv[2]
    top = subprocess.run([nsrun, "--help"], capture_output=True, text=True, check=True).stdout
    commands = re.findall(r"^  (\w+)\s+(.*)$", top.split("Commands:")[1].split("\n\n")[0],
                          flags=re.M)
    names = [f"nsrun-{c}" for c, _ in commands]
    with open(f"{outdir}/nsrun.8", "w") as f:
        f.write(page("nsrun", "an OCI container runtime", top, names))
    for command, brief in commands:
        text = subprocess.run([nsrun, command, "--help"], capture_output=True, text=True,
                              check=True).stdout
        with open(f"{outdir}/nsrun-{command}.8", "w") as f:
            f.write(page(f"nsrun-{command}", brief, text, ["nsrun"]))


if __name__ == "__main__":
    main()
