#!/usr/bin/env python3
"""The what-ifs of docs/frontier-lab.md, as markdown tables from `allot plan --json` (the plan
and its finance projection):

1. the 2026-2029 cash burn as written, with the commitments paid as used (the earlier
   assumption), and with only the contracts signed by 5 Sep 2025 (the date of the $115B
   forecast);
2. the Trainium what-if: the frontier training runs (2027, 2029, 2031) moved to Trainium3 at
   AWS, each at several software-maturity factors for Trainium3 ([performance] maturity).

Run from the repository root after `cargo build --release -p allot`:

    python3 examples/frontier-lab/what_if.py [target/release/allot]

Variant files are written to a temporary folder; the example itself is not changed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "frontier-lab.toml")
CATALOG = os.path.join(ROOT, "examples", "frontier-lab", "catalog.toml")
MOVED = ["frontier-2027", "frontier-2029", "frontier-2031"]
MATURITIES = [0.5, 0.7, 0.85, 1.0]
# Commitments reported after The Information's $115B forecast of 5 Sep 2025 (finance.md).
SIGNED_LATER = [
    "oracle-stargate",
    "coreweave-2025-09",
    "azure-2025-incremental",
    "aws-2025-nvidia",
    "cerebras-2026",
    "aws-2026-trainium",
]


def with_catalog(text):
    """The text as is: its catalog file is copied beside the variants (`main`), since a scenario
    may only name catalog files inside its own folder."""
    return text


def without_commitments(text, names):
    """The text without the [[commitment]] entries named."""
    parts = re.split(r"(?=^\[\[commitment\]\])", text, flags=re.M)
    kept = []
    for part in parts:
        name = re.search(r'^name = "([^"]+)"', part, re.M)
        if part.startswith("[[commitment]]") and name and name.group(1) in names:
            # Keep the comments that follow the entry (they belong to the next section).
            tail = re.search(r"^notes = .*\n", part, re.M)
            kept.append(part[tail.end():] if tail else "")
        else:
            kept.append(part)
    return "".join(kept)


def variant(text, maturity, on_trainium):
    """The example text with a maturity factor for Trainium3 and, when `on_trainium`, the
    frontier runs restricted to Trainium3 at AWS."""
    text = with_catalog(text)
    if on_trainium:
        blocks = text.split("[[training]]")
        for i, block in enumerate(blocks):
            name = re.search(r'^name = "([^"]+)"', block, re.M)
            if i == 0 or not name or name.group(1) not in MOVED:
                continue
            block = re.sub(r"^(chips|providers) = .*\n", "", block, flags=re.M)
            block = block.replace(
                name.group(0),
                name.group(0) + '\nchips = ["trainium3"]\nproviders = ["aws"]',
                1,
            )
            blocks[i] = block
        text = "[[training]]".join(blocks)
    return text + f"\n[performance]\nmaturity = {{ trainium3 = {maturity} }}\n"


def run(allot, path):
    out = subprocess.run(
        [allot, "plan", path, "--json"], capture_output=True, text=True, check=False
    )
    if out.returncode not in (0, 3):
        sys.exit(f"allot plan failed on {path}:\n{out.stderr}")
    return json.loads(out.stdout)


def burn(plan, first, last):
    years = plan.get("finance", {}).get("years", [])
    return sum(y["burn_usd"] for y in years if first <= y["year"] <= last)


def main():
    allot = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "allot")
    text = open(EXAMPLE, encoding="utf-8").read()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "frontier-lab"))
        shutil.copy(CATALOG, os.path.join(tmp, "frontier-lab", "catalog.toml"))
        burns = [
            ("as written (paid as delivered)", with_catalog(text)),
            (
                "paid as flat monthly minimums (before 2026-12-05)",
                with_catalog(
                    text.replace('payment = "as_delivered"', 'payment = "monthly_minimum"')
                ),
            ),
            (
                "commitments paid as used",
                with_catalog(text.replace('payment = "as_delivered"\n', "")),
            ),
            (
                "only contracts signed by 5 Sep 2025",
                without_commitments(with_catalog(text), SIGNED_LATER),
            ),
        ]
        print("| variant | burn 2026 | 2027 | 2028 | 2029 | 2026-2029 | compute spend 2026-2030 |")
        print("|---|---|---|---|---|---|---|")
        for label, body in burns:
            path = os.path.join(tmp, "burn.toml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(body)
            plan = run(allot, path)
            years = {y["year"]: y for y in plan.get("finance", {}).get("years", [])}
            by_year = " | ".join(
                f"${years[y]['burn_usd'] / 1e9:.1f}B" if y in years else "-"
                for y in range(2026, 2030)
            )
            spend = sum(
                years[y]["compute_cash_usd"] + years[y]["capex_usd"]
                for y in range(2026, 2031)
                if y in years
            )
            print(
                f"| {label} | {by_year} | ${burn(plan, 2026, 2029) / 1e9:.1f}B "
                f"| ${spend / 1e9:.1f}B |"
            )
        print()
        for maturity in MATURITIES:
            for on_trainium in (False, True):
                path = os.path.join(tmp, f"m{maturity}-{int(on_trainium)}.toml")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(variant(text, maturity, on_trainium))
                rows.append((maturity, on_trainium, run(allot, path)))
    print(
        "| Trainium3 maturity | frontier runs | status | discounted cost | total cost 2026-2032 "
        "| Nvidia share of spend | Trainium3 spend | burn 2026-2029 | training placement |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for maturity, on_trainium, plan in rows:
        if plan["status"] not in ("optimal", "feasible"):
            print(f"| {maturity} | {'Trainium3' if on_trainium else 'free choice'} | "
                  f"{plan['status']} | | | | | | |")
            continue
        placement = ", ".join(
            f"{t['name'].removeprefix('frontier-')}: {t['provider']}/{t['chip']}"
            for t in plan["training"]
            if t["name"] in MOVED
        )
        print(
            f"| {maturity} | {'Trainium3' if on_trainium else 'free choice'} | {plan['status']} "
            f"| ${plan['objective_usd'] / 1e9:.1f}B | ${plan['total_cost_usd'] / 1e9:.1f}B "
            f"| {plan['vendor_share'].get('nvidia', 0.0) * 100:.1f}% "
            f"| ${plan['cost_by_chip'].get('trainium3', 0.0) / 1e9:.1f}B "
            f"| ${burn(plan, 2026, 2029) / 1e9:.1f}B | {placement} |"
        )


if __name__ == "__main__":
    main()
