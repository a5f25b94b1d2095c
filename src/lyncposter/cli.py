"""Command line: arguments → API calls → exit codes. No logic of its own.

Exit codes: 0 success, 1 bad data or a failed render, 2 bad usage.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

# Only what every command needs is imported here; each command imports the rest (its options'
# choices too) when it runs, so `list` and `check` load neither the drawing libraries nor the
# other commands' modules.
from ._version import __version__
from .errors import LyncposterError, Problem, UsageError

if TYPE_CHECKING:
    from .cache import SvgCache
    from .layout.geometry import Geometry
    from .model import AddressPlan, Dataset, Workload
    from .verify import Finding

DEFAULT_DATA = "workloads"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, not a usage dump: `lyncposter: <what is wrong>`."""
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def _timeout_option(parser: argparse.ArgumentParser) -> None:
    from .layout.engine import TIMEOUT

    parser.add_argument(
        "--timeout", metavar="SECONDS", type=float, default=TIMEOUT, help=f"stop a panel's layout after this long, and the build with it (default: {TIMEOUT:g})"
    )


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        metavar="DIR",
        help=f"data directory, or a bundled dataset's name (default: $LYNCPOSTER_DATA, else ./{DEFAULT_DATA} if it exists, else the bundled lync-server-2010)",
    )


def _addresses_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--addresses", metavar="FILE", help="the addressing plan (default: addresses.yaml in the data directory, else placeholders)")


def _domain_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--domain", metavar="DOMAIN", help="render the names for this SIP domain (default: the data's example domain)")


def _options_list(listing: argparse.ArgumentParser) -> None:
    _data_option(listing)


def _options_render(render: argparse.ArgumentParser) -> None:
    from .save import PANEL_FORMATS

    render.add_argument("workload", metavar="WORKLOAD", help="workload id (see 'lyncposter list')")
    render.add_argument("-o", "--output", metavar="FILE", required=True, help=f"output file: {', '.join(PANEL_FORMATS)}")
    render.add_argument("--dpi", type=float, default=150, help="resolution of a .png (default: 150)")
    _timeout_option(render)
    _data_option(render)


def _options_build(build: argparse.ArgumentParser) -> None:
    from .poster.sizes import DEFAULT as DEFAULT_SIZE
    from .poster.sizes import NAMED as NAMED_SIZES

    build.add_argument("--sheet", metavar="ID", action="append", help="only this sheet (repeatable; see 'sheets' in poster.yaml)")
    build.add_argument("--out", metavar="DIR", default="output", help="output directory (default: output)")
    build.add_argument(
        "--size",
        metavar="SIZE",
        default=DEFAULT_SIZE,
        help=f"paper: {', '.join(NAMED_SIZES)}, or WxHin / WxHmm (default: {DEFAULT_SIZE}, 48 x 36 in)",
    )
    build.add_argument("--portrait", action="store_true", help="portrait instead of landscape")
    build.add_argument(
        "--min-text", metavar="PT", type=float, help="refuse (exit 1, previous sheets kept) a sheet whose smallest text would print under PT points"
    )
    build.add_argument("--force", action="store_true", help="build even if checks fail; the poster says UNCHECKED")
    build.add_argument("--png", metavar="DPI", type=float, help="also write the sheet as a PNG at this resolution")
    _timeout_option(build)
    build.add_argument("--no-cache", action="store_true", help="lay out and draw every panel again, ignoring the panel cache")
    build.add_argument("--previous", metavar="DIR", help="the previous version's data, for What's new (default: 'previous' in poster.yaml, read from git)")
    _data_option(build)


def _options_tile(tile: argparse.ArgumentParser) -> None:
    from .poster.sizes import PAPERS

    tile.add_argument("poster", metavar="POSTER.pdf", nargs="?", help="the poster (default: the one 'build' writes for --data)")
    tile.add_argument("--paper", choices=sorted(PAPERS), default="letter", help="paper (default: letter)")
    tile.add_argument("--overlap", default="10mm", help="overlap between neighbouring pages (default: 10mm)")
    tile.add_argument("--out", metavar="DIR", default="output", help="output directory (default: output)")
    _data_option(tile)


def _options_html(viewer: argparse.ArgumentParser) -> None:
    viewer.add_argument("--out", metavar="DIR", default="output", help="output directory (default: output)")
    _timeout_option(viewer)
    _data_option(viewer)


def _options_check(checking: argparse.ArgumentParser) -> None:
    checking.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    _data_option(checking)


def _options_panels(panels: argparse.ArgumentParser) -> None:
    panels.add_argument("--out", metavar="DIR", default="output/panels", help="output directory (default: output/panels)")
    _timeout_option(panels)
    _data_option(panels)


def _options_firewall(rules: argparse.ArgumentParser) -> None:
    from .export.ports import FORMATS
    from .export.platforms import FORMATS as PLATFORM_FORMATS

    rules.add_argument("--firewall", metavar="ID", help="only this firewall (see catalog.yaml); required for a platform's configuration")
    rules.add_argument(
        "--format",
        choices=FORMATS + PLATFORM_FORMATS + ("aerleon",),
        default="csv",
        help=f"csv, md, json (a table); {', '.join(PLATFORM_FORMATS)} (a configuration); aerleon (policy files, with --out); default: csv",
    )
    _addresses_option(rules)
    rules.add_argument("--out", metavar="DIR", help="where --format aerleon writes policies/pol/*.yaml and def/*.yaml")
    _data_option(rules)


def _options_certs(certs: argparse.ArgumentParser) -> None:
    from .export.ports import FORMATS
    from .export.certs import REQUEST_FORMATS

    certs.add_argument("--role", metavar="ID", help="only the certificates of this role")
    certs.add_argument("--format", choices=FORMATS + REQUEST_FORMATS, default="csv", help="csv, md, json (a table), inf (certreq files) or csr (PEM requests and keys); default: csv")
    certs.add_argument("--out", metavar="DIR", help="where inf and csr files go (required for those formats)")
    certs.add_argument("--force", action="store_true", help="overwrite existing request and key files")
    _domain_option(certs)
    _data_option(certs)


def _options_dns(records: argparse.ArgumentParser) -> None:
    from .export.ports import FORMATS
    from .export.zone import VIEWS

    records.add_argument("--view", choices=VIEWS, help="internal or external (required for zone and powershell)")
    records.add_argument("--format", choices=FORMATS + ("zone", "powershell"), default="csv", help="csv, md, json, zone or powershell (default: csv)")
    records.add_argument("--origin", metavar="NAME", help="the zone's origin (default: the SIP domain)")
    _domain_option(records)
    _data_option(records)


def _options_verify(verify: argparse.ArgumentParser) -> None:
    from .export.zone import VIEWS

    what = verify.add_subparsers(dest="what", required=True, metavar="cert|dns|firewall", parser_class=_Parser)
    cert = what.add_parser("cert", help="an issued certificate (PEM, DER or PKCS#7)")
    cert.add_argument("file", metavar="FILE")
    cert.add_argument("--role", metavar="ID", help="the role it is for (default: the requirement whose names it fits best)")
    cert.add_argument("--interface", metavar="NAME", help="which of the role's certificates, e.g. 'Web external'")
    _domain_option(cert)
    _data_option(cert)
    zone = what.add_parser("dns", help="a zone file (BIND syntax); nothing is looked up on the network")
    zone.add_argument("file", metavar="ZONEFILE")
    zone.add_argument("--view", choices=VIEWS, required=True, help="which records the zone should hold")
    zone.add_argument("--origin", metavar="NAME", help="the zone's origin (default: the SIP domain)")
    _domain_option(zone)
    _data_option(zone)
    deployed = what.add_parser("firewall", help="a deployed ruleset: 'nft -j list ruleset' or 'iptables-save' output")
    deployed.add_argument("file", metavar="RULESET")
    deployed.add_argument("--firewall", metavar="ID", required=True, help="which firewall of catalog.yaml it is")
    _addresses_option(deployed)
    _data_option(deployed)


def _options_probe(probing: argparse.ArgumentParser) -> None:
    probing.add_argument("--from", dest="role", metavar="ROLE", required=True, help="the role you stand as (see catalog.yaml), e.g. remote-client")
    probing.add_argument("--resolve", metavar="NAME=ADDRESS", action="append", default=[], help="pin a name (or a role id) to an address, as curl's option does (repeatable)")
    probing.add_argument("--nameserver", metavar="ADDR", help="ask this DNS server (default: the system resolver)")
    probing.add_argument("--ca", metavar="FILE", help="trust these CA certificates (PEM) instead of the system's")
    probing.add_argument("--timeout", metavar="SECONDS", type=float, default=5.0, help="per connection; they all run at once (default: 5)")
    probing.add_argument("--format", choices=("text", "json"), default="text", help="a table with a summary line, or JSON rows (default: text)")
    _domain_option(probing)
    _data_option(probing)


def _options_diff(diff: argparse.ArgumentParser) -> None:
    from .export.changes import FORMATS as CHANGE_FORMATS

    diff.add_argument("dirs", metavar="DIR", nargs="*", help="OLD NEW: two data directories")
    diff.add_argument("--rev", metavar="REV", action="append", help="a git revision of --data (once: against the work tree; twice: between them)")
    diff.add_argument("--format", choices=CHANGE_FORMATS, default="text", help="output format (default: text)")
    diff.add_argument("--changelog", action="store_true", help="print a CHANGELOG.md entry for the newer version instead")
    _data_option(diff)


def _options_export(editable: argparse.ArgumentParser) -> None:
    editable.add_argument("--format", choices=("vsdx", "drawio"), required=True, help="vsdx (Visio) or drawio (diagrams.net)")
    editable.add_argument("--out", metavar="DIR", default="output/editable", help="output directory (default: output/editable)")
    editable.add_argument("--sheet", metavar="ID", help="only this sheet of poster.yaml (a firewall sheet: a page per firewall); default: every panel and every sheet")
    _data_option(editable)


def _options_watch(live: argparse.ArgumentParser) -> None:
    live.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    live.add_argument("--pdf", action="store_true", help="also rebuild the PDF sheets on every save")
    live.add_argument("--out", metavar="DIR", default="output", help="where --pdf writes (default: output)")
    _timeout_option(live)
    _data_option(live)


def _options_init(starting: argparse.ArgumentParser) -> None:
    starting.add_argument("directory", metavar="DIR", help="a new or empty directory")
    starting.add_argument("--from-csv", metavar="FILE", help="make the workloads, roles and zones from a port matrix with the columns of 'lyncposter ports'")


def _options_cache(caching: argparse.ArgumentParser) -> None:
    caching.add_argument("action", choices=("info", "clear"), help="info: where it is, what it holds; clear: empty it")


def _options_docs(docs: argparse.ArgumentParser) -> None:
    docs.add_argument("--out", metavar="DIR", default="docs", help="output directory (default: docs)")
    _data_option(docs)


def _options_ports(ports: argparse.ArgumentParser) -> None:
    from .export.ports import FORMATS

    ports.add_argument("--workload", metavar="ID", help="only this workload")
    ports.add_argument("--format", choices=FORMATS, default="csv", help="output format (default: csv)")
    _data_option(ports)


# each command: its one line of help, and what adds its options (imported as it is built)
_PARSERS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "list": ("list workload ids and titles", _options_list),
    "render": ("render one workload panel to .svg, .png, .dot, .vsdx or .drawio", _options_render),
    "build": ("build the PDF sheets poster.yaml lists (the poster, the firewall poster, ...)", _options_build),
    "tile": ("split the poster into Letter or A4 pages to print and assemble", _options_tile),
    "html": ("write the poster as one self-contained, zoomable HTML page", _options_html),
    "check": ("check the data for the kinds of errata readers found", _options_check),
    "panels": ("render every workload panel as SVG", _options_panels),
    "firewall": ("the rules each firewall needs: a table, a platform's configuration, or an aerleon policy", _options_firewall),
    "certs": ("the certificate requirements: a table, certreq request files, or CSRs with keys", _options_certs),
    "dns": ("the DNS records: a table, a BIND zone file, or PowerShell for Windows DNS", _options_dns),
    "verify": ("check a real certificate, zone file or firewall ruleset against the poster", _options_verify),
    "probe": ("test a deployment from where you stand: every connection a role opens, at the protocol's level", _options_probe),
    "diff": ("what changed between two versions of the data", _options_diff),
    "export": ("every panel, and the whole sheet, as editable Visio or draw.io drawings", _options_export),
    "watch": ("serve the HTML poster on 127.0.0.1 and rebuild it on every save", _options_watch),
    "init": ("start a dataset: a small commented one, or one made from a port matrix (CSV)", _options_init),
    "cache": ("show or empty lyncposter's cache (in the user's cache directory)", _options_cache),
    "docs": ("write the reference pages: the data's sources, unconfirmed facts and omissions, and the data reference", _options_docs),
    "ports": ("print the port matrix, one row per flow", _options_ports),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with `only`, the parser of that one command: a command starts
    without building the others' parsers or importing what their options need."""
    parser = _Parser(prog="lyncposter", description="Generate protocol posters from data: workload panels, firewall rules, certificates and DNS.")
    parser.add_argument("--version", action="version", version=f"lyncposter {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for name, (text, options) in _PARSERS.items():
        if only is None or name == only:
            options(commands.add_parser(name, help=text))
    return parser


def _svg_cache() -> SvgCache:
    from .cache import SvgCache

    return SvgCache()


def _read_data(data_dir: str) -> Dataset:
    """The data for a command that only reads it: from the cache when nothing changed."""
    from .findings import read_data

    return read_data(data_dir)


def _checked(data_dir: str, explicit_previous: str | None = None) -> tuple[Dataset | None, list[Problem], Dataset | None]:
    """The data, every finding and the previous version (`findings.checked`), its note said in one line."""
    from .findings import checked

    found = checked(data_dir, explicit_previous)
    if found.note:
        print(f"lyncposter: note: {found.note}", file=sys.stderr)
    return found.data, found.findings, found.previous


def _list(args: argparse.Namespace) -> int:
    from .findings import listed

    workloads = listed(args.data)
    width = max(len(i) for i, _ in workloads)
    for i, title in workloads:
        print(f"{i:<{width}}  {title}")
    return 0


def _dpi(value: float, option: str) -> float:
    if not 10 <= value <= 600:
        raise UsageError(f"{option} {value:g}: choose a resolution from 10 to 600 dpi")
    return value


def _render(args: argparse.Namespace) -> int:
    from .load import load
    from .save import save_panel

    _dpi(args.dpi, "--dpi")
    data = load(args.data)
    path = save_panel(data.workload(args.workload), args.output, dpi=args.dpi, timeout=args.timeout)
    print(path)
    return 0


def _check(args: argparse.Namespace) -> int:
    from .findings import findings as found

    findings, note = found(args.data)
    if note:
        print(f"lyncposter: note: {note}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps([f.as_dict() for f in findings], indent=2))
    else:
        for finding in findings:
            print(finding.finding)
    errors = sum(f.severity == "error" for f in findings)
    if args.format == "text":
        warnings = len(findings) - errors
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def _build(args: argparse.Namespace) -> int:
    from .findings import check_ahead

    if args.png:
        _dpi(args.png, "--png")
    if args.min_text is not None and not 1 <= args.min_text <= 72:
        raise UsageError(f"--min-text {args.min_text:g}: choose a text size from 1 to 72 points")
    if check_ahead(args.data, args.previous):  # the files an edit changed are read and checked elsewhere meanwhile
        from .poster.build import load_composing

        load_composing()
    from .files import write_atomic
    from .cache import PanelCache, cache_dir
    from .export.png import pdf_to_png
    from .poster import build_sheets
    from .poster.build import READABLE

    data, findings, previous = _checked(args.data, args.previous)
    for finding in findings:
        print(finding.finding, file=sys.stderr)
    errors = [f for f in findings if f.severity == "error"]
    if data is None or (errors and not args.force):
        print(
            f"lyncposter: not building: {len(errors)} error(s) found by the checks"
            + ("; the data does not load" if data is None else "; fix them, or pass --force for an UNCHECKED poster"),
            file=sys.stderr,
        )
        return 1
    if args.sheet:
        for ident in args.sheet:
            data.sheet(ident)  # an unknown sheet is a usage error before anything is built
    results = build_sheets(
        data, args.out, size=args.size, portrait=args.portrait, unchecked=bool(errors), sheet_ids=tuple(args.sheet or ()), previous=previous,
        timeout=args.timeout,
        cache=None if args.no_cache else PanelCache(cache_dir()),
        min_text=args.min_text,
    )
    for result in results:
        sheet = result.sheet
        print(result.path)
        if args.png:
            print(write_atomic(result.path.with_suffix(".png"), pdf_to_png(sheet.pdf, args.png)))
        name = result.spec.id if result.spec else "poster"
        print(
            f"{name}: {sheet.paper.description}; panels at {sheet.panel_scale:.0%}; smallest text {sheet.smallest_text:g} pt",
            file=sys.stderr,
        )
        if result.readable_at:
            print(
                f"lyncposter: warning: {name}: text at {sheet.smallest_text:g} pt is too small to read on a wall; "
                f"--size {result.readable_at} would print it at {READABLE:g} pt or more",
                file=sys.stderr,
            )
    return 0


def _tile(args: argparse.Namespace) -> int:
    from .load import load
    from .poster.sizes import parse_length
    from .naming import poster_filename
    from .export.tiles import tile_poster

    overlap = parse_length(args.overlap)
    poster = args.poster or str(Path(args.out) / poster_filename(load(args.data)))
    path, plan = tile_poster(poster, args.out, paper=args.paper, overlap=overlap)
    print(path)
    print(
        f"{plan.pages} pages: assembly map and {plan.rows} x {plan.columns} tiles of {plan.paper}",
        file=sys.stderr,
    )
    return 0


def _html(args: argparse.Namespace) -> int:
    from .naming import poster_filename
    from .files import write_atomic
    from .export.html import render_html
    from .render import render_panels

    data = _read_data(args.data)
    page = render_html(data, render_panels(data.workloads, timeout=args.timeout, cache=_svg_cache()))
    print(write_atomic(Path(args.out) / poster_filename(data, ".html"), page))
    return 0


def _panels(args: argparse.Namespace) -> int:
    from .files import write_atomic
    from .render import render_panels

    data = _read_data(args.data)
    out = Path(args.out)
    for panel in render_panels(data.workloads, timeout=args.timeout, cache=_svg_cache()):
        print(write_atomic(out / f"{panel.workload_id}.svg", panel.svg))
    return 0


def _ports(args: argparse.Namespace) -> int:
    from .export.ports import format_rows, port_rows

    data = _read_data(args.data)
    flows = data.workload(args.workload).flows if args.workload else data.flows
    sys.stdout.write(format_rows(port_rows(flows, data.sources), args.format))
    return 0


def _plan(data: Dataset, addresses: str | None) -> AddressPlan | None:
    """The plan `--addresses` names, or the data's (None: placeholders)."""
    from .load import load_addresses

    return load_addresses(addresses, data.catalog) if addresses else data.addresses


def _firewall(args: argparse.Namespace) -> int:
    from .export.platforms import FORMATS as PLATFORM_FORMATS
    from .export.ports import format_rows
    from .load import load
    from .addresses import plan_for
    from .export.firewall import ADDRESS_COLUMNS, rule_rows
    from .export.firewall import COLUMNS as RULE_COLUMNS
    from .firewall import firewall_rules, rule_set

    data = load(args.data)
    plan = _plan(data, args.addresses)
    rule_sets = [rule_set(data, args.firewall)] if args.firewall else list(firewall_rules(data))
    if args.format in PLATFORM_FORMATS:
        from .export.platforms import policy, render

        if not args.firewall:
            known = ", ".join(f.id for f in data.catalog.firewalls)
            raise UsageError(f"--format {args.format} is one firewall's configuration; choose --firewall ID ({known})")
        sys.stdout.write(render(policy(data, rule_sets[0], plan), args.format))
        return 0
    if args.format == "aerleon":
        from .export.platforms import policy, write_aerleon

        if not args.out:
            raise UsageError("--format aerleon writes policy and definition files; say where with --out DIR")
        for path in write_aerleon([policy(data, r, plan) for r in rule_sets], args.out):
            print(path)
        return 0
    if args.format == "json":
        rows = rule_rows(rule_sets, plan_for(data.catalog, plan))
        sys.stdout.write(format_rows(rows, args.format, RULE_COLUMNS + ADDRESS_COLUMNS))
        return 0
    sys.stdout.write(format_rows(rule_rows(rule_sets), args.format, RULE_COLUMNS))
    return 0


def _certs(args: argparse.Namespace) -> int:
    from .export.certs import REQUEST_FORMATS
    from .export.ports import format_rows
    from .load import load
    from .domain import for_domain
    from .export.certs import COLUMNS as CERT_COLUMNS
    from .export.certs import certificate_rows, write_requests
    from .export.certs import select as select_certificates

    data = for_domain(load(args.data), args.domain)
    chosen = select_certificates(data, args.role)
    if args.format in REQUEST_FORMATS:
        if not args.out:
            raise UsageError(f"--format {args.format} writes one file per certificate; say where with --out DIR")
        for path in write_requests(data, chosen, args.out, args.format, force=args.force):
            print(path)
        return 0
    sys.stdout.write(format_rows(certificate_rows(chosen), args.format, CERT_COLUMNS))
    return 0


def _dns(args: argparse.Namespace) -> int:
    from .export.ports import format_rows
    from .load import load
    from .domain import check_domain, for_domain
    from .export.zone import COLUMNS as DNS_COLUMNS
    from .export.zone import dns_rows, powershell, records_of, zone_file

    data = for_domain(load(args.data), args.domain)
    origin = check_domain(args.origin or data.poster.example_domain)
    if args.format in ("zone", "powershell"):
        if not args.view:
            raise UsageError(f"--format {args.format} writes one view; choose --view internal or --view external")
        sys.stdout.write((zone_file if args.format == "zone" else powershell)(data, args.view, origin))
        return 0
    sys.stdout.write(format_rows(dns_rows(records_of(data, args.view)), args.format, DNS_COLUMNS))
    return 0


def _verify(args: argparse.Namespace) -> int:
    from .load import load
    from .domain import check_domain, for_domain
    from .verify import verify_certificate, verify_zone

    if args.what == "firewall":
        from .verify import verify_firewall

        plain = load(args.data)
        findings = verify_firewall(plain, args.file, args.firewall, _plan(plain, args.addresses))
        return _report(findings)
    data = for_domain(load(args.data), args.domain)
    if args.what == "cert":
        findings = verify_certificate(data, args.file, role=args.role, interface=args.interface)
    else:
        findings = verify_zone(data, args.file, args.view, check_domain(args.origin or data.poster.example_domain))
    return _report(findings)


def _report(findings: Sequence[Finding]) -> int:
    for finding in findings:
        print(finding)
    errors = sum(f.severity == "error" for f in findings)
    print(f"{errors} error(s), {sum(f.severity == 'warning' for f in findings)} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def _probe(args: argparse.Namespace) -> int:
    from .load import load
    from .domain import for_domain
    from .probe import PASSING, parse_pins, probe, table

    data = for_domain(load(args.data), args.domain)
    if args.nameserver:
        import ipaddress

        try:
            ipaddress.ip_address(args.nameserver)
        except ValueError:
            raise UsageError(f"--nameserver {args.nameserver}: give the DNS server's IP address") from None
    rows = probe(data, args.role, pins=parse_pins(args.resolve), nameserver=args.nameserver, ca=args.ca, timeout=args.timeout)
    if args.format == "json":
        print(json.dumps([r.as_dict() for r in rows], indent=2))
    else:
        sys.stdout.write(table(rows))
    return 0 if all(r.result in PASSING for r in rows) else 1


def _diff(args: argparse.Namespace) -> int:
    from .load import load
    from .changes import compare
    from .export.changes import changelog_entry, format_changes
    from .gitdata import load_revision

    if args.dirs and args.rev:
        raise UsageError("compare two directories or git revisions, not both")
    if args.dirs:
        if len(args.dirs) != 2:
            raise UsageError("give two data directories, OLD NEW (or --rev REV)")
        old, new = load(args.dirs[0]), load(args.dirs[1])
    elif args.rev:
        if len(args.rev) > 2:
            raise UsageError("--rev at most twice: OLD, or OLD and NEW")
        old = load_revision(args.data, args.rev[0])
        new = load_revision(args.data, args.rev[1]) if len(args.rev) == 2 else load(args.data)
    else:
        new = load(args.data)
        if not new.poster.previous_rev:
            raise UsageError("say what to compare: OLD NEW, --rev REV, or 'previous' in poster.yaml")
        old = load_revision(args.data, new.poster.previous_rev)
    changes = compare(old, new)
    sys.stdout.write(changelog_entry(changes, new.poster.revision_date) if args.changelog else format_changes(changes, args.format))
    return 0


def _export(args: argparse.Namespace) -> int:
    from .load import load
    from .files import write_atomic
    from .export.drawio import drawio_file
    from .export.vsdx import vsdx_file
    from .firewall import firewall_view
    from .layout.columns import firewall_geometry
    from .render import panel_geometry
    from .naming import sheet_filename

    data = load(args.data)
    out = Path(args.out)
    suffix = "." + args.format

    def write(workloads: tuple[Workload, ...], title: str, layouts: dict[str, Geometry] | None = None) -> bytes:
        return vsdx_file(workloads, title, layouts) if args.format == "vsdx" else drawio_file(workloads, layouts)

    specs = [data.sheet(args.sheet)] if args.sheet else list(data.poster.sheets)
    laid_out: dict[str, Geometry] = {}  # each panel laid out once, for its own file and every sheet's

    def layouts(workloads: tuple[Workload, ...]) -> dict[str, Geometry]:
        for w in workloads:
            if w.id not in laid_out:
                laid_out[w.id] = panel_geometry(w)
        return laid_out

    if not args.sheet:
        for workload in data.workloads:
            print(write_atomic(out / f"{workload.id}{suffix}", write((workload,), workload.title, layouts((workload,)))))
    for spec in specs:  # each sheet: one page per panel, or per firewall
        if spec.kind == "firewall":
            view = firewall_view(data, spec)
            rules = {w.id: firewall_geometry(w, r.firewall)[0] for w, r in zip(view.drawings, view.rule_sets)}
            made = write(view.drawings, spec.title, rules)
        else:
            chosen = tuple(w for w in data.workloads if w.id in spec.workloads)
            made = write(chosen, spec.title, layouts(chosen))
        print(write_atomic(out / sheet_filename(data, spec, suffix), made))
    return 0


def _watch(args: argparse.Namespace) -> int:
    from .watch import watch

    return watch(args.data, args.out, port=args.port, pdf=args.pdf, timeout=args.timeout)


def _init(args: argparse.Namespace) -> int:
    from .newdata import from_matrix, starter

    written = from_matrix(args.from_csv, args.directory) if args.from_csv else starter(args.directory)
    for path in written:
        print(path)
    print(f"lyncposter: a new dataset in {args.directory}; try: lyncposter check --data {args.directory} && lyncposter build --data {args.directory}", file=sys.stderr)
    return 0


def _cache(args: argparse.Namespace) -> int:
    from .cache import KINDS, cache_dir, clear, entries, limit

    root = cache_dir()
    if args.action == "clear":
        print(f"{root}: {clear(root)} entries removed")
        return 0
    found = entries(root)
    total = sum(st.st_size for _, st in found)
    mb = 1024 * 1024
    print(f"{root}: {len(found)} entries, {total / mb:.1f} MB of at most {limit() / mb:.0f} MB (LYNCPOSTER_CACHE_SIZE sets it, in MB)")
    kinds: dict[str, list[int]] = {}
    for path, st in found:
        kinds.setdefault(path.suffix, []).append(st.st_size)
    for suffix, sizes in sorted(kinds.items()):
        print(f"  {KINDS.get(suffix, suffix):<26} {len(sizes):>5} entries  {sum(sizes) / mb:8.1f} MB")
    return 0


def _docs(args: argparse.Namespace) -> int:
    from .load import load
    from .files import write_atomic
    from .export.docs import pages as reference_pages

    from .export.reference import reference

    data = load(args.data)
    for name, text in reference_pages(data).items():
        print(write_atomic(Path(args.out) / name, text))
    print(write_atomic(Path(args.out) / "data-reference.md", reference()))  # the format itself, from the schemas
    return 0


COMMANDS = {
    "list": _list,
    "render": _render,
    "build": _build,
    "check": _check,
    "tile": _tile,
    "html": _html,
    "panels": _panels,
    "ports": _ports,
    "firewall": _firewall,
    "certs": _certs,
    "dns": _dns,
    "verify": _verify,
    "docs": _docs,
    "diff": _diff,
    "probe": _probe,
    "export": _export,
    "watch": _watch,
    "cache": _cache,
    "init": _init,
}


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    named = given[0] if given and given[0] in _PARSERS else None  # else the whole parser: its help, its errors
    args = build_parser(named).parse_args(given)
    try:
        if hasattr(args, "data"):
            from .bundled import choose

            path, which = choose(args.data)
            if which:
                print(f"lyncposter: {which}", file=sys.stderr)
            args.data = str(path)
        return COMMANDS[args.command](args)
    except LyncposterError as exc:
        print(exc.report(), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("lyncposter: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `lyncposter ports | head`
        return 0


LONG_RUNNING = frozenset({"watch"})  # commands that run until stopped


def _long_running(argv: Sequence[str]) -> bool:
    """Whether the command line asks for a command that runs until it is stopped."""
    command = next((a for a in argv if not a.startswith("-")), None)
    return command in LONG_RUNNING


def run() -> NoReturn:
    """The `lyncposter` command: `main`, then out of the process without taking the interpreter apart.

    A build leaves a large heap behind (fonts, drawings, layouts, the PDF); Python frees it
    object by object on its way out, about a tenth of a second of a build that takes one
    second. By then everything the command writes is written and closed, so when no other
    thread runs, the output is flushed, the exit functions run (what libraries registered
    with `atexit`) and the process ends. `main` is what a program calling lyncposter calls.

    A command other than `watch` also runs without Python's collector of reference cycles: it
    lives for seconds and makes few cycles (a build peaks at the same memory with and without
    it), and the collector's passes over a build's objects took about 60 ms of a build.
    `watch` runs for hours, so it collects as usual; so does a program that calls `main`."""
    if not _long_running(sys.argv[1:]):
        gc.disable()
    code = main()
    if threading.active_count() == 1:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (BrokenPipeError, ValueError):  # `lyncposter ports | head`; a closed stream
                pass
        atexit._run_exitfuncs()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
