"""Data directory (YAML) → model, reporting every problem with its file:line:column.

Layout of a data directory:

    poster.yaml        title, version, resources, workload order
    catalog.yaml       zones, firewalls, roles, protocols
    certificates.yaml  certificate requirements
    dns.yaml           DNS records
    flows/*.yaml       one file per workload
    addresses.yaml     (optional) the addressing plan behind the firewall configurations
    CHANGELOG.md       (optional) what each version changed, for the poster's What's new box
"""

from __future__ import annotations

import hashlib
import os
from contextvars import ContextVar
from dataclasses import replace
from functools import partial
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from .cache import DataCache, code_fingerprint, data_key
from .datadir import CHANGELOG, FIXED_FILES, OPTIONAL_FILES, WORKLOAD_DIR, data_files, reference_files, workload_files, yaml_files
from .errors import DataError, Problem, UsageError, did_you_mean
from .model import (
    AddressPlan,
    Addresses,
    Catalog,
    Certificate,
    Dataset,
    DnsRecord,
    Firewall,
    Flow,
    Group,
    Interface,
    Location,
    Note,
    Omission,
    PortRange,
    PortRow,
    PortTable,
    PosterInfo,
    Protocol,
    Resource,
    Role,
    SheetSpec,
    Source,
    StaleValue,
    Workload,
    Zone,
)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .parallel import Pending
    from .yamldoc import Document

T = TypeVar("T")


def _display(path: Path) -> str:
    """Paths in messages are relative to the working directory when they can be."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def fingerprint(files: Iterable[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


class _Resolver:
    """Looks ids up, collecting a located problem (with a suggestion) for each unknown one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems

    def find(self, table: dict[str, T], key: Any, what: str, location: Location) -> T | None:
        if key in table:
            return table[key]
        self.problems.append(
            Problem(
                location,
                f"unknown {what} '{key}'{did_you_mean(str(key), table)}; known {_plural(what)}: {_brief(table)}",
                rule="REF",
            )
        )
        return None


def _plural(what: str) -> str:
    return what[:-1] + "ies" if what.endswith("y") else what + "s"


def _brief(names: Iterable[str], limit: int = 12) -> str:
    names = sorted(names)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _unique(
    items: list[dict[str, Any]], doc: Document, base: tuple[str | int, ...], what: str, problems: list[Problem]
) -> list[tuple[int, dict[str, Any]]]:
    """Items with an id not seen before in this list; a repeated id is a problem."""
    seen: dict[str, int] = {}
    kept = []
    for i, item in enumerate(items):
        ident = item["id"]
        if ident in seen:
            first = doc.at(base + (seen[ident], "id"))
            problems.append(
                Problem(doc.at(base + (i, "id")), f"{what} id '{ident}' is already defined at line {first.line}", rule="ID")
            )
            continue
        seen[ident] = i
        kept.append((i, item))
    return kept


def parse_ports(value: Any, location: Location, problems: list[Problem]) -> tuple[PortRange, ...]:
    """`5061`, `"49152-57500"` or a list of those → sorted port ranges."""
    values = value if isinstance(value, list) else [value]
    ranges = []
    for item in values:
        if isinstance(item, int):
            low = high = item
        else:
            low_text, high_text = str(item).split("-")
            low, high = int(low_text), int(high_text)
        if not (1 <= low <= 65535 and 1 <= high <= 65535):
            problems.append(Problem(location, f"port range {item} is out of range; ports are 1-65535", rule="PORT-RANGE"))
            continue
        if low > high:
            problems.append(Problem(location, f"port range {item} runs backwards; write the lower port first", rule="PORT-RANGE"))
            continue
        ranges.append(PortRange(low, high))
    return tuple(sorted(ranges))


def _catalog(doc: Document, problems: list[Problem]) -> Catalog:
    value = doc.value
    resolve = _Resolver(problems)
    zones: dict[str, Zone] = {}
    for i, z in _unique(value["zones"], doc, ("zones",), "zone", problems):
        zones[z["id"]] = Zone(z["id"], z["label"], i, doc.at(("zones", i)))

    firewalls = []
    for i, f in enumerate(value["firewalls"]):
        ends = [resolve.find(zones, z, "zone", doc.at(("firewalls", i, "between", j))) for j, z in enumerate(f["between"])]
        if None in ends:
            continue
        outer, inner = sorted(ends, key=lambda z: z.order)  # type: ignore[union-attr]
        if inner.order != outer.order + 1:  # type: ignore[union-attr]
            problems.append(
                Problem(doc.at(("firewalls", i, "between")), "a firewall stands between two neighbouring zones", rule="SCHEMA")
            )
            continue
        firewalls.append(Firewall(f["id"], f["label"], outer, inner, doc.at(("firewalls", i))))  # type: ignore[arg-type]

    groups: dict[str, Group] = {}
    for i, g in _unique(value.get("groups", []), doc, ("groups",), "group", problems):
        groups[g["id"]] = Group(g["id"], g["label"], doc.at(("groups", i)))

    roles: dict[str, Role] = {}
    for i, r in _unique(value["roles"], doc, ("roles",), "role", problems):
        zone = resolve.find(zones, r["zone"], "zone", doc.at(("roles", i, "zone")))
        group = None
        if "group" in r:
            group = resolve.find(groups, r["group"], "group", doc.at(("roles", i, "group")))
            if group is None:
                continue
        if zone is None:
            continue
        interfaces = tuple(
            Interface(side, x["label"], x.get("note", ""), _sources(x))
            for side, x in sorted(r.get("interfaces", {}).items(), key=lambda item: item[0] != "outer")
        )
        roles[r["id"]] = Role(
            r["id"], r["label"], zone, r["kind"], r["icon"], group, r.get("description", ""), interfaces, doc.at(("roles", i))
        )

    protocols: dict[str, Protocol] = {}
    for i, p in _unique(value["protocols"], doc, ("protocols",), "protocol", problems):
        protocols[p["id"]] = Protocol(
            p["id"],
            p["label"],
            p["name"],
            p["family"],
            tuple(p["transports"]),
            bool(p.get("show_transport", False)),
            p.get("service", p["id"]),
            bool(p.get("tls", False)),
            doc.at(("protocols", i)),
        )
    return Catalog(
        tuple(zones.values()), tuple(firewalls), tuple(groups.values()), tuple(roles.values()), tuple(protocols.values())
    )


def _sources(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(item.get("source", ()))


def _workload(doc: Document, catalog: Catalog, problems: list[Problem]) -> Workload:
    value = doc.value
    resolve = _Resolver(problems)
    roles = {r.id: r for r in catalog.roles}
    protocols = {p.id: p for p in catalog.protocols}
    flows = []
    for i, f in enumerate(value["flows"]):
        here = ("flows", i)
        source = resolve.find(roles, f["from"], "role", doc.at(here + ("from",)))
        target = resolve.find(roles, f["to"], "role", doc.at(here + ("to",)))
        protocol = resolve.find(protocols, f["protocol"], "protocol", doc.at(here + ("protocol",)))
        ports = parse_ports(f["ports"], doc.at(here + ("ports",)), problems)
        if source is None or target is None or protocol is None or not ports:
            continue
        flows.append(
            Flow(
                workload_id=value["id"],
                index=i + 1,
                source=source,
                target=target,
                protocol=protocol,
                transport=f["transport"],
                ports=ports,
                initiator=f.get("initiator", "from"),
                description=f.get("description", ""),
                note=f.get("note", ""),
                sources=_sources(f),
                unsure=f.get("unsure", ""),
                location=doc.at(here),
            )
        )
    notes = tuple(
        Note(
            n["title"], n.get("text", ""), tuple(n.get("steps", ())), n.get("unsure", ""), bool(n.get("firewall")), doc.at(("notes", i))
        )
        for i, n in enumerate(value.get("notes", []))
    )
    return Workload(
        value["id"], value["title"], value.get("description", ""), tuple(flows), notes, catalog, doc.at(())
    )


def _certificates(doc: Document, catalog: Catalog, problems: list[Problem]) -> tuple[Certificate, ...]:
    resolve = _Resolver(problems)
    roles = {r.id: r for r in catalog.roles}
    result = []
    for i, c in enumerate(doc.value["certificates"]):
        role = resolve.find(roles, c["role"], "role", doc.at(("certificates", i, "role")))
        also = [resolve.find(roles, r, "role", doc.at(("certificates", i, "also", j))) for j, r in enumerate(c.get("also", []))]
        if role is None or None in also:
            continue
        result.append(
            Certificate(
                role,
                c["interface"],
                c["subject"],
                tuple(c["sans"]),
                c["ca"],
                tuple(c["eku"]),
                c.get("notes", ""),
                _sources(c),
                c.get("unsure", ""),
                tuple(a for a in also if a is not None),
                bool(c.get("exportable", False)),
                bool(c.get("wildcards", True)),
                doc.at(("certificates", i)),
            )
        )
    return tuple(result)


def _dns(doc: Document, catalog: Catalog, problems: list[Problem]) -> tuple[DnsRecord, ...]:
    resolve = _Resolver(problems)
    roles = {r.id: r for r in catalog.roles}
    result = []
    for i, r in enumerate(doc.value["records"]):
        role = None
        if "role" in r:
            role = resolve.find(roles, r["role"], "role", doc.at(("records", i, "role")))
            if role is None:
                continue
        if r["type"] == "SRV" and "port" not in r:
            problems.append(Problem(doc.at(("records", i)), "an SRV record needs a port", rule="SCHEMA"))
            continue
        result.append(
            DnsRecord(
                r["view"],
                r["type"],
                r["name"],
                r["target"],
                r.get("port"),
                role,
                r["purpose"],
                _sources(r),
                r.get("unsure", ""),
                doc.at(("records", i)),
            )
        )
    return tuple(result)


def _stale(doc: Document, catalog: Catalog, problems: list[Problem]) -> tuple[StaleValue, ...]:
    resolve = _Resolver(problems)
    roles = {r.id: r for r in catalog.roles}
    protocols = {p.id: p for p in catalog.protocols}
    result = []
    for i, v in enumerate(doc.value["stale"]):
        here = ("stale", i)
        to = resolve.find(roles, v["to"], "role", doc.at(here + ("to",))) if "to" in v else None
        if "protocol" in v and resolve.find(protocols, v["protocol"], "protocol", doc.at(here + ("protocol",))) is None:
            continue
        ports = parse_ports(v["ports"], doc.at(here + ("ports",)), problems)
        if ("to" in v and to is None) or not ports:
            continue
        result.append(
            StaleValue(ports, v["reason"], v.get("transport"), v.get("protocol"), to, _sources(v), doc.at(here))
        )
    return tuple(result)


def _poster(doc: Document, workload_ids: dict[str, Location], all_read: bool, problems: list[Problem]) -> PosterInfo:
    v = doc.value
    order = list(v["workloads"])
    for i, ident in enumerate(order):
        if ident not in workload_ids:
            if not all_read:  # the id may be in a workload file that failed to load; that is reported already
                continue
            problems.append(
                Problem(
                    doc.at(("workloads", i)),
                    f"unknown workload '{ident}'{did_you_mean(ident, workload_ids)}; "
                    f"workload files define: {_brief(workload_ids)}",
                    rule="REF",
                )
            )
        elif order.index(ident) != i:
            problems.append(Problem(doc.at(("workloads", i)), f"workload '{ident}' is listed twice", rule="ID"))
    for ident, location in workload_ids.items():
        if ident not in order:
            problems.append(
                Problem(
                    location,
                    f"workload '{ident}' is not placed on the poster; add it to 'workloads' in poster.yaml",
                    rule="REF",
                )
            )
    resources = tuple(
        Resource(r["title"], r["url"], doc.at(("resources", i))) for i, r in enumerate(v["resources"])
    )
    workload_order = tuple(dict.fromkeys(order))
    sheets = _sheets(doc, workload_order, workload_ids, all_read, problems)
    return PosterInfo(
        title=v["title"],
        product=v["product"],
        version=v["version"],
        revision_date=v["revision_date"],
        author=v["author"],
        home_url=v["home_url"],
        copyright=v.get("copyright", ""),
        example_domain=v.get("example_domain", ""),
        resources=resources,
        workload_order=workload_order,
        sheets=sheets,
        previous_version=v.get("previous", {}).get("version", ""),
        previous_rev=v.get("previous", {}).get("rev", ""),
        location=doc.at(()),
        version_location=doc.at(("version",)),
        date_location=doc.at(("revision_date",)),
    )


def _sheets(
    doc: Document, order: tuple[str, ...], workload_ids: dict[str, Location], all_read: bool, problems: list[Problem]
) -> tuple[SheetSpec, ...]:
    """The sheets to build; without a list, the one workloads poster."""
    title = doc.value["title"]
    listed = doc.value.get("sheets") or [{"id": "workloads", "kind": "workloads"}]
    sheets = []
    for i, s in _unique(listed, doc, ("sheets",), "sheet", problems):
        wanted = s.get("workloads", list(order))
        for j, ident in enumerate(wanted):
            if ident not in workload_ids and all_read:
                problems.append(
                    Problem(
                        doc.at(("sheets", i, "workloads", j)),
                        f"unknown workload '{ident}'{did_you_mean(ident, workload_ids)}; "
                        f"workload files define: {_brief(workload_ids)}",
                        rule="REF",
                    )
                )
        chosen = tuple(w for w in order if w in wanted)  # the poster's order, whatever the list's
        location = doc.at(("sheets", i)) if "sheets" in doc.value else doc.at(())
        sheets.append(SheetSpec(s["id"], s["kind"], s.get("title", title), chosen, i == 0, location))
    return tuple(sheets)


def _port_table(doc: Document, catalog: Catalog, problems: list[Problem]) -> PortTable:
    resolve = _Resolver(problems)
    roles = {r.id: r for r in catalog.roles}
    rows = []
    for i, r in enumerate(doc.value["rows"]):
        here = ("rows", i)
        found = [resolve.find(roles, ident, "role", doc.at(here + ("roles", j))) for j, ident in enumerate(r["roles"])]
        ports = parse_ports(r["ports"], doc.at(here + ("ports",)), problems)
        if None in found or not ports:
            continue
        rows.append(
            PortRow(
                tuple(x for x in found if x is not None),
                ports,
                r["transport"],
                r["service"],
                r.get("purpose", ""),
                _sources(r),
                r.get("omitted", ""),
                doc.at(here),
            )
        )
    return PortTable(doc.value["title"], tuple(rows), _sources(doc.value), doc.at(()))


def _omissions(doc: Document, catalog: Catalog, problems: list[Problem]) -> tuple[Omission, ...]:
    return tuple(Omission(o["what"], o["reason"], _sources(o), doc.at(("omissions", i))) for i, o in enumerate(doc.value["omissions"]))


ANY = "any"


def _networks(value: Any, doc: Document, path: tuple[str | int, ...], problems: list[Problem]) -> Addresses | None:
    """`any`, an address, a prefix, or a list of addresses and prefixes → normalised networks."""
    import ipaddress

    items = value if isinstance(value, list) else [value]
    networks: list[str] = []
    ok = True
    for j, item in enumerate(items):
        where = doc.at(path + (j,)) if isinstance(value, list) else doc.at(path)
        text = str(item).strip()
        if text.lower() == ANY:
            if len(items) > 1:
                problems.append(Problem(where, "'any' stands alone; it already covers every address", rule="ADDRESS"))
                ok = False
            continue
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError as exc:
            if "has host bits set" in str(exc):
                host = text.partition("/")[0]
                hint = f"write {host} for the address, or {ipaddress.ip_network(text, strict=False)} for the prefix"
                problems.append(Problem(where, f"'{text}' has host bits set; {hint}", rule="ADDRESS"))
            else:
                problems.append(
                    Problem(where, f"'{text}' is not an IPv4 or IPv6 address or prefix; write e.g. 203.0.113.10, 10.0.0.0/16, 2001:db8::/64 or any", rule="ADDRESS")
                )
            ok = False
            continue
        if network.prefixlen == 0:
            continue  # 0.0.0.0/0 or ::/0 alone means any
        networks.append(str(network))
    return Addresses(tuple(dict.fromkeys(networks)), doc.at(path)) if ok else None


def _addresses(doc: Document, catalog: Catalog, problems: list[Problem]) -> AddressPlan:
    resolve = _Resolver(problems)
    zones = {z.id: z for z in catalog.zones}
    roles = {r.id: r for r in catalog.roles}
    zone_plan: list[tuple[str, Addresses]] = []
    for ident, value in (doc.value.get("zones") or {}).items():
        if resolve.find(zones, ident, "zone", doc.key_at(("zones", ident))) is None:
            continue
        found = _networks(value, doc, ("zones", ident), problems)
        if found is not None:
            zone_plan.append((ident, found))
    role_plan: list[tuple[tuple[str, str], Addresses]] = []
    for ident, value in (doc.value.get("roles") or {}).items():
        role = resolve.find(roles, ident, "role", doc.key_at(("roles", ident)))
        if role is None:
            continue
        sides = value.items() if isinstance(value, dict) else [("", value)]
        for side, item in sides:
            path: tuple[str | int, ...] = ("roles", ident) + ((side,) if side else ())
            if side and role.interface(side) is None:
                has = ", ".join(i.side for i in role.interfaces) or "none"
                problems.append(
                    Problem(
                        doc.key_at(path),
                        f"role '{ident}' has no {side} interface in catalog.yaml (its interfaces: {has}); give its address directly",
                        rule="ADDRESS",
                    )
                )
                continue
            found = _networks(item, doc, path, problems)
            if found is not None:
                role_plan.append(((ident, side), found))
    return AddressPlan(tuple(zone_plan), tuple(role_plan), doc.file)


def load_addresses(path: str | os.PathLike[str], catalog: Catalog) -> AddressPlan:
    """An addressing plan from its own file (`--addresses FILE`), checked against the catalog."""
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"{path}: no such file; --addresses takes an addresses.yaml")
    problems: list[Problem] = []
    doc = _read(file, "addresses", problems)
    plan = _addresses(doc, catalog, problems) if doc is not None else None
    if problems or plan is None:
        raise DataError(problems)
    return plan


def _sources_table(doc: Document | None, problems: list[Problem]) -> dict[str, Source]:
    if doc is None:
        return {}
    return {
        s["id"]: Source(s["id"], s["title"], s["publisher"], str(s["date"]), s.get("url", ""), s["confidence"], doc.at(("sources", i)))
        for i, s in _unique(doc.value["sources"], doc, ("sources",), "source", problems)
    }


def _check_citations(doc: Document, sources: dict[str, Source], problems: list[Problem]) -> None:
    """Every `source:` list anywhere in a file names sources that sources.yaml defines."""

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "source" and isinstance(item, list):
                    for j, ident in enumerate(item):
                        if ident not in sources:
                            problems.append(
                                Problem(
                                    doc.at(path + (key, j)),
                                    f"unknown source '{ident}'{did_you_mean(str(ident), sources)}; known sources: {_brief(sources)}",
                                    rule="REF",
                                )
                            )
                else:
                    walk(item, path + (key,))
        elif isinstance(value, list):
            for j, item in enumerate(value):
                walk(item, path + (j,))

    walk(doc.value, ())


# The last reading of each file in this process, kept while its bytes stay the same: under
# `lyncposter watch` a save parses and validates the file that changed, not all of them.
_READINGS: dict[tuple[str, str, str], tuple[bytes, Document, tuple[Problem, ...]]] = {}
# the cache `load_cached` reads files through: a file as it was when last read (its document and
# what was wrong with it) is not parsed and validated again, so after an edit one file is read
_FILES: ContextVar[DataCache | None] = ContextVar("lyncposter_files", default=None)


def _where(path: Path, kind: str) -> tuple[str, str, str]:
    return (str(path.absolute()), _display(path), kind)


def _reading_key(where: tuple[str, str, str], raw: bytes) -> str:
    """A file's reading in the cache: the code, where it is and how it is named, its kind, its bytes."""
    return hashlib.sha256(code_fingerprint() + "\0".join(where).encode() + b"\0" + raw).hexdigest()


def _reading(path: Path, where: tuple[str, str, str], raw: bytes | None) -> tuple[Document, tuple[Problem, ...]]:
    """The file's document and what is wrong with it, read and checked against its schema."""
    from .schema import validate  # YAML and JSON Schema load when a file is read, not when a cache answers
    from .yamldoc import read_document

    _, display, kind = where
    doc, listed = read_document(path, display, raw)  # the bytes given, not read again (None: unreadable, it says why)
    return doc, tuple(listed or validate(doc, kind))


def _read(path: Path, kind: str, problems: list[Problem]) -> Document | None:
    where = _where(path, kind)
    try:
        raw = path.read_bytes()
    except OSError:
        raw = None
    reading = _READINGS.get(where)
    if reading is not None and raw is not None and reading[0] == raw:
        _, doc, found = reading
    else:
        cache = _FILES.get()
        key = _reading_key(where, raw) if cache is not None and raw is not None else ""
        kept = cache.get(key, ".reading") if cache is not None and key else None
        if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[1], tuple):
            doc, found = kept
        else:
            doc, found = _reading(path, where, raw)
            if cache is not None and key:
                cache.put(key, (doc, found), ".reading")
        if raw is not None:
            _READINGS[where] = (raw, doc, found)
    problems.extend(found)
    return None if found else doc


_AHEAD: list[Pending[None]] = []  # a reading `read_ahead` started in another process, not yet waited for


def read_ahead(data_dir: str | os.PathLike[str] | None, then: Callable[[], object] | None = None) -> bool:
    """Start reading, in another process, the data files the cache does not keep as they are
    now (after an edit, the edited one), while this process loads what it needs to build: YAML
    and JSON Schema take a tenth of a second to import before the first file is checked. That
    process then loads the data whole and runs `then` (the checks: `findings.check_ahead`). The
    readings and the data go to the cache, where `load_cached` finds them, waiting for that
    process first; whatever it did not finish is done here, as before. Nothing starts where
    jobs would not run in another process (`parallel`). True when a reading started: this
    process has time to load what it needs next."""
    from .bundled import choose
    from .parallel import forking, start

    if _AHEAD or not forking():
        return False
    root, _ = choose(data_dir)
    if not root.is_dir():
        return False
    cache = DataCache()
    try:
        unread = []
        for path, kind in yaml_files(root):
            where, raw = _where(path, kind), path.read_bytes()
            key = _reading_key(where, raw)
            if not cache.has(key, ".reading"):
                unread.append((path, where, raw, key))
    except OSError:  # a file is missing or unreadable: the loader says which, reading here
        return False
    if unread:
        _AHEAD.append(start(partial(_read_into, cache, unread, root, then)))
    return bool(unread)


def _read_into(cache: DataCache, files: list[tuple[Path, tuple[str, str, str], bytes, str]], root: Path, then: Callable[[], object] | None) -> None:
    for path, where, raw, key in files:
        cache.put(key, _reading(path, where, raw), ".reading")
    try:
        load_cached(root, cache)  # the data whole, kept under its key
    except DataError:  # the problems are in the readings; the process that waits reports them
        return
    if then is not None:
        then()


def _settle() -> None:
    """Wait for the reading `read_ahead` started; whatever went wrong there, this process reads for itself."""
    while _AHEAD:
        try:
            _AHEAD.pop().result()
        except Exception:  # noqa: BLE001 - a reading that failed is a reading this process makes
            pass


def load_cached(data_dir: str | os.PathLike[str] | None, cache: DataCache | None) -> Dataset:
    """`load`, answered from the cache when the data files and the code are as they were."""
    from .bundled import choose

    _settle()  # another process is reading and loading this data (`read_ahead`): its result, not a second one
    root, _ = choose(data_dir)
    data_dir = root
    if cache is None or not root.is_dir():
        return load(data_dir)
    try:
        key = data_key(data_dir, data_files(root))
    except OSError:  # a file is missing or unreadable: the loader says which
        return load(data_dir)
    found = cache.get(key)
    if isinstance(found, Dataset):
        return found
    files = _FILES.set(cache)
    try:
        data = load(data_dir)
    finally:
        _FILES.reset(files)
    cache.put(key, data)
    return data


def load(data_dir: str | os.PathLike[str] | None = None) -> Dataset:
    """Load and cross-reference a data directory; raise `DataError` listing every problem.

    `data_dir` is a directory, or the name of a dataset that ships with lyncposter
    (`lync-server-2010`, `nextcloud`); without one, `$LYNCPOSTER_DATA`, else `./workloads`
    when it exists, else the bundled Lync Server 2010 dataset."""
    from .bundled import bundled_names, choose

    root, _ = choose(data_dir)
    if not root.is_dir():
        raise UsageError(
            f"{data_dir if data_dir is not None else root}: no such data directory; give a directory with poster.yaml and flows/, "
            f"or a bundled dataset: {', '.join(bundled_names()) or 'none is installed'}"
        )
    problems: list[Problem] = []
    files = data_files(root)
    docs: dict[str, Document | None] = {}
    for kind, name in OPTIONAL_FILES.items():
        path = root / name
        docs[kind] = _read(path, kind, problems) if path.is_file() else None
    for kind, name in FIXED_FILES.items():
        path = root / name
        if not path.is_file():
            problems.append(Problem(Location(_display(path)), f"missing file: a data directory needs {name}", rule="FILES"))
            docs[kind] = None
            continue
        docs[kind] = _read(path, kind, problems)
    flow_files = workload_files(root)
    if not flow_files:
        problems.append(
            Problem(
                Location(_display(root / WORKLOAD_DIR)),
                "no workload files: put one <workload>.yaml per workload here",
                rule="FILES",
            )
        )

    catalog_doc = docs["catalog"]
    if catalog_doc is None:
        # without roles and protocols nothing else can be cross-checked; report what we have
        for path in flow_files:
            _read(path, "workload", problems)
        raise DataError(problems)
    catalog = _catalog(catalog_doc, problems)

    workloads: dict[str, Workload] = {}
    workload_docs: list[Document] = []
    ids: dict[str, Location] = {}
    all_read = True
    for path in flow_files:
        doc = _read(path, "workload", problems)
        if doc is None:
            all_read = False
            continue
        ident = doc.value["id"]
        if ident in ids:
            problems.append(Problem(doc.at(("id",)), f"workload id '{ident}' is already used by {ids[ident].file}", rule="ID"))
            continue
        ids[ident] = doc.at(("id",))
        workloads[ident] = _workload(doc, catalog, problems)
        workload_docs.append(doc)

    def optional(kind: str, build: Callable[[Document, Catalog, list[Problem]], tuple[T, ...]]) -> tuple[T, ...]:
        doc = docs[kind]
        return build(doc, catalog, problems) if doc is not None else ()

    tables = []
    for path in reference_files(root):
        doc = _read(path, "port-table", problems)
        if doc is not None:
            tables.append(_port_table(doc, catalog, problems))
            workload_docs.append(doc)
    sources = _sources_table(docs["sources"], problems)
    if docs["sources"] is not None:  # a dataset without sources.yaml (an older one, read for a diff) cites freely
        for doc in [d for d in docs.values() if d is not None] + list(workload_docs):
            _check_citations(doc, sources, problems)

    certificates = optional("certificates", _certificates)
    dns_records = optional("dns", _dns)
    stale = optional("checks", _stale)
    omissions = optional("omissions", _omissions)
    addresses = _addresses(docs["addresses"], catalog, problems) if docs["addresses"] is not None else None
    poster_doc = docs["poster"]
    poster = _poster(poster_doc, ids, all_read, problems) if poster_doc is not None else None
    if problems or poster is None:
        raise DataError(problems)
    changelog = root / CHANGELOG
    if changelog.is_file():
        from .changelog import entry

        poster = replace(poster, news=entry(changelog, poster.version, _display(changelog)), changelog=_display(changelog))
    ordered = tuple(workloads[i] for i in poster.workload_order)
    return Dataset(poster, catalog, ordered, certificates, dns_records, fingerprint(files, root), stale, tuple(sources.values()), tuple(tables), omissions, addresses)
