#!/usr/bin/env python
"""PDF pack benchmark (issue 14): the statements pack as a PDF on a data tier (``bench/generate.py``), and where its
time goes.

The statements are built once (``reports.exports.pack_build``, as a download builds them); then the PDF renderer
(``reports.renderers.pdf.render``) is timed on that same pack, median of warm runs, and the whole download
(``reports.exports.render("pdf")``: statements built and rendered) once more on top. With ``--baseline REV`` the
renderer as it was at that git revision is loaded beside the current one and the two are timed alternately on the
same pack (an A/B under the same load), and their PDFs are read back with ``pdftotext -layout`` and compared: the
text must be the same, line for line. ``--save DIR`` keeps the PDFs and their text; ``--profile`` prints the
functions that cost most in one render (cProfile, to stderr).

It also says whether reportlab runs its C accelerators (the ``rl-accel`` package, imported by
``reportlab.lib.rl_accel``): without them string widths and number formatting fall back to pure Python.
``--without-rl-accel`` measures that case (the C module's import is refused in the measuring process).

    .venv/bin/python bench/pack_pdf_bench.py --tier L --db postgres --baseline HEAD   # makes the tier if missing
    .venv/bin/python bench/pack_pdf_bench.py --tier L --db postgres --profile
    .venv/bin/python bench/pack_pdf_bench.py --quick          # a reduced tier S on SQLite, made and dropped

Aim (issue 14): the PDF pack at tier L on PostgreSQL in under 10 s.
"""

import argparse
import cProfile
import importlib.util
import io
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    django_setup,
    emit_result,
    machine,
    peak_rss_mb,
    print_machine,
    print_table,
    progress,
    run_child,
)
from bench.generate import database_url, drop_tier  # noqa: E402
from bench.statements_bench import tier_exists  # noqa: E402

NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
AIM_S = 10


def accelerators() -> dict:
    """Which of reportlab's accelerated functions are the C ones (rl-accel) and which the Python fallbacks."""
    import reportlab
    from reportlab.lib import rl_accel

    try:
        from importlib.metadata import version

        package = version("rl-accel")
    except Exception:  # noqa: BLE001 - not installed: say so rather than fail
        package = "not installed"
    return {"reportlab": reportlab.Version, "rl_accel_package": package, "c": sorted(rl_accel._c_funcs),
            "python": sorted(rl_accel._py_funcs)}


def baseline_renderer(rev: str):
    """``reports/renderers/pdf.py`` as it was at git revision ``rev``, loaded as a module of its own."""
    source = subprocess.run(["git", "show", f"{rev}:reports/renderers/pdf.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="rf_pdf_baseline_"))
    path = folder / "pdf_baseline.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("pdf_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shutil.rmtree(folder, ignore_errors=True)
    return module


def pdf_text(content: bytes) -> str | None:
    """The PDF as ``pdftotext -layout`` reads it (None when poppler-utils is not installed)."""
    if shutil.which("pdftotext") is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        return subprocess.run(["pdftotext", "-layout", file.name, "-"], check=True, capture_output=True,
                              text=True).stdout


def pages(content: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", content))


def measure(args) -> dict:
    from django.utils import timezone

    from funds.models import FinancialYear
    from ledger.models import JournalLine
    from reports.exports import pack_build, render
    from reports.parameters import parameters_parse
    from reports.renderers import pdf as current

    today = timezone.localdate()
    year = FinancialYear.objects.get(start_year=today.year if today.month >= 4 else today.year - 1)
    params = parameters_parse(year=year)
    result = {"lines": JournalLine.objects.count(), "accel": accelerators()}
    progress(f"{args.db} {args.tier}: {result['lines']:,} lines; building the pack once")
    start = time.perf_counter()
    pack = pack_build(params, issued_by="Bench", issued_at=params.known_at)
    result["build_s"] = time.perf_counter() - start
    result["rows"] = {b.statement.key: len(b.rows) for b in pack.statements}

    renderers = {"current": current.render}
    if args.baseline:
        renderers[f"baseline ({args.baseline})"] = baseline_renderer(args.baseline).render
    outputs = {name: fn(pack) for name, fn in renderers.items()}  # warm-up, and the bytes compared below
    samples = {name: [] for name in renderers}
    for _ in range(args.repeat):  # alternately, so both see the same load
        for name, fn in renderers.items():
            t0 = time.perf_counter()
            fn(pack)
            samples[name].append(time.perf_counter() - t0)
    result["renders"] = {
        name: {"median_s": sorted(s)[len(s) // 2], "best_s": min(s), "runs": len(s),
               "bytes": len(outputs[name]), "pages": pages(outputs[name])}
        for name, s in samples.items()}

    texts = {name: pdf_text(content) for name, content in outputs.items()}
    if args.baseline and texts["current"] is not None:
        ours, theirs = texts["current"].splitlines(), texts[f"baseline ({args.baseline})"].splitlines()
        differing = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b]
        result["text_same"] = len(ours) == len(theirs) and not differing
        result["text_lines"] = len(ours)
        result["text_first_difference"] = (
            None if result["text_same"] else
            (differing[0] if differing else min(len(ours), len(theirs)),
             ours[differing[0]] if differing else "", theirs[differing[0]] if differing else ""))
    if args.save:
        folder = Path(args.save)
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in outputs.items():
            stem = "current" if name == "current" else "baseline"
            (folder / f"pack-{args.tier}-{args.db}-{stem}.pdf").write_bytes(content)
            if texts[name] is not None:
                (folder / f"pack-{args.tier}-{args.db}-{stem}.txt").write_text(texts[name])
        progress(f"PDFs and their text saved in {folder}")

    start = time.perf_counter()  # the whole download, as statements_bench.py times it
    render("pdf", year=year.label, as_at=params.as_at, known_at=params.known_at)
    result["download_s"] = time.perf_counter() - start

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        current.render(pack)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(25)
        print(out.getvalue(), file=sys.stderr)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def block_rl_accel() -> None:
    """Make ``import _rl_accel`` fail in this process, so reportlab uses its pure-Python fallbacks (what a machine
    without the rl-accel package gets): for measuring what the package is worth."""
    import importlib.abc

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "_rl_accel":
                raise ImportError("rl-accel blocked for this benchmark (--without-rl-accel)")
            return None

    sys.meta_path.insert(0, Refuse())


def child(args) -> None:
    if args.without_rl_accel:
        block_rl_accel()
    django_setup(database_url(args.db, args.tier, fresh=False), migrate=False)
    result = measure(args)
    result.update(tier=args.tier, db=args.db, load=" ".join(f"{x:.1f}" for x in os.getloadavg()))
    emit_result(result)


def report(r: dict) -> None:
    accel = r["accel"]
    print(f"\nreportlab {accel['reportlab']}, rl-accel {accel['rl_accel_package']}: "
          f"{len(accel['c'])} functions in C ({', '.join(accel['c']) or 'none'}); "
          f"{len(accel['python'])} in Python ({', '.join(accel['python']) or 'none'})")
    column = f"{r['tier']} {NAMES[r['db']]}"
    rows = [
        ["journal lines", f"{r['lines']:,}"],
        ["rows per statement", ", ".join(f"{k} {n:,}" for k, n in r["rows"].items())],
        ["statements built once (pack_build)", f"{r['build_s']:.2f} s"],
    ]
    for name, s in r["renders"].items():
        rows.append([f"PDF rendered from the built pack: {name}",
                     f"**{s['median_s']:.2f} s** (best {s['best_s']:.2f} s of {s['runs']}; {s['pages']:,} pages, "
                     f"{s['bytes'] / 1024:,.0f} KB)"])
    if len(r["renders"]) == 2:
        (_, now), (_, then) = r["renders"].items()
        rows.append(["speed-up (baseline / current, medians)", f"{then['median_s'] / now['median_s']:.2f}x"])
    if "text_same" in r:
        rows.append(["pdftotext -layout of the two PDFs", "the same, line for line" if r["text_same"] else
                     f"DIFFERENT (first at line {r['text_first_difference'][0]})"])
    rows += [
        ["whole download: statements built and PDF rendered", f"**{r['download_s']:.2f} s**"],
        ["peak RSS of the process", f"{r['peak_rss_mb']:.0f} MB"],
        ["1-min load average at the end", r["load"].split()[0]],
    ]
    print_table(["PDF pack (current year, as at today)", column], rows, title="PDF pack")
    if r["tier"] == "L" and r["db"] == "postgres":
        met = r["download_s"] < AIM_S
        print(f"\nAim at L on PostgreSQL: PDF pack < {AIM_S} s: {'MET' if met else 'NOT MET'} "
              f"({r['download_s']:.2f} s).")
    if r.get("text_same") is False:
        line, ours, theirs = r["text_first_difference"]
        print(f"First differing line {line}:\n  current:  {ours!r}\n  baseline: {theirs!r}")
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=["S", "M", "L"], default="L")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--repeat", type=int, default=3, help="timed renders of each renderer (default 3)")
    parser.add_argument("--baseline", metavar="REV", help="also time reports/renderers/pdf.py as at git REV")
    parser.add_argument("--save", metavar="DIR", help="keep the PDFs and their pdftotext text in DIR")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one render to stderr")
    parser.add_argument("--quick", action="store_true", help="smoke check: a reduced S on SQLite, made and dropped")
    parser.add_argument("--without-rl-accel", action="store_true",
                        help="measure with reportlab's pure-Python fallbacks (rl-accel's C module not imported)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if args.quick:
        args.tier, args.db, args.repeat = "S", "sqlite", 1
    print_machine(machine())
    if args.quick:
        progress("generating a reduced tier S on SQLite")
        run_child("bench/generate.py", ["--child", "--tier", "S", "--db", "sqlite", "--quick", "--keep"])
    elif not tier_exists(args.db, args.tier):
        progress(f"tier {args.tier} on {args.db} not found: generating it (bench/generate.py; L takes 15 minutes)")
        run_child("bench/generate.py", ["--child", "--tier", args.tier, "--db", args.db])
    extra = ["--repeat", str(args.repeat)] + (["--baseline", args.baseline] if args.baseline else [])
    extra += (["--save", args.save] if args.save else []) + (["--profile"] if args.profile else [])
    extra += ["--without-rl-accel"] if args.without_rl_accel else []
    try:
        result = run_child(__file__, ["--child", "--tier", args.tier, "--db", args.db, *extra])
    finally:
        if args.quick:
            drop_tier("sqlite", "S")
    report(result)


if __name__ == "__main__":
    main()
