"""A new dataset: the commented starter (`lyncposter init DIR`), or one made from a port matrix
(`lyncposter init DIR --from-csv FILE`) with the columns `lyncposter ports` prints.

From a port matrix: each row is a flow of its `workload`; `source` and `destination` are role
ids (labels from `source_label`, `destination_label`, else made from the ids); `protocol` is
the label the poster prints (one protocol per label, its family guessed from the name);
`transport` is TCP, UDP or TCP+UDP; `ports` reads like `443`, `50000-59999` or `135,1801`;
`direction` is `source-initiates` (the default) or `either-initiates`; a description ending in
`[UNSURE: why]` marks the flow unconfirmed. Optional `source_zone` and `destination_zone`
columns place the roles (zones in the order they first appear, outside in, a firewall between
each pair); without them every role stands in one zone. A bad value is reported at its
file:line:column, and nothing is written until every row reads.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import DataError, Problem, UsageError
from .files import read_text, write_atomic
from .model import TRANSPORTS, Location

MATRIX = "MATRIX"  # the source every imported fact cites: the port matrix itself
REQUIRED = ("workload", "source", "destination", "protocol", "transport", "ports")
DIRECTIONS = {"source-initiates": "from", "either-initiates": "both", "": "from"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_UNSURE = re.compile(r"^(.*?)\s*\[UNSURE: (.*)\]$", re.S)
FAMILY_WORDS = (  # the first word found in a protocol's label decides its family
    ("sip", "signalling"),
    ("xmpp", "federation"),
    ("https", "web"),
    ("http", "web"),
    ("stun", "relay"),
    ("turn", "relay"),
    ("rtp", "media"),
    ("rdp", "media"),
    ("psom", "conferencing"),
    ("msmq", "queueing"),
    ("amqp", "queueing"),
    ("push", "push"),
    ("apns", "push"),
)
CLIENT_WORDS = ("client", "browser", "user", "attendee", "workstation", "desktop")
ICON_WORDS = (("mobile", "mobile"), ("phone", "phone"), ("sql", "database"), ("database", "database"), ("db", "database"), ("proxy", "proxy"), ("gateway", "gateway"), ("share", "share"), ("edge", "edge"))


def _today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch.isdigit() else datetime.datetime.now(datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d")


def _schema_dir() -> str:
    return str(Path(str(resources.files(__package__).joinpath("schema"))))


def _ready(directory: Path) -> None:
    """A new dataset goes into a new or empty directory: nothing of a user's is overwritten."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory}: already exists and is not empty; init writes a new dataset into a new or empty directory")


def _write(directory: Path, files: dict[str, str]) -> list[Path]:
    return [write_atomic(directory / name, text) for name, text in files.items()]


def starter(directory: str | os.PathLike[str]) -> list[Path]:
    """Write the commented starter dataset: three zones, a reverse proxy, an application and its database."""
    target = Path(directory)
    _ready(target)
    root = resources.files(__package__).joinpath("starter")
    names = ["poster.yaml", "catalog.yaml", "certificates.yaml", "dns.yaml", "sources.yaml", "flows/web-access.yaml"]
    files = {}
    for name in names:
        text = root.joinpath(name).read_text("utf-8")
        files[name] = text.replace("{schema}", _schema_dir()).replace("{today}", _today())
    return _write(target, files)


# --- from a port matrix ---------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _title(ident: str) -> str:
    text = ident.replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def _family(label: str) -> str:
    words = _words(label)
    for word, family in FAMILY_WORDS:
        if word in words:
            return family
    return "storage"  # databases, directories, file shares and the rest: the data family


def _service(label: str) -> str:
    """Protocols of one service may share a listening port (SIP/TLS and SIP/MTLS on 5061): the label's first word, SRTP as RTP."""
    first = (_words(label) or ["x"])[0]
    return {"srtp": "rtp"}.get(first, first)


def _kind_and_icon(ident: str, label: str) -> tuple[str, str]:
    words = _words(f"{ident} {label}")
    icon = next((icon for word, icon in ICON_WORDS if word in words), "")
    if any(w in words for w in CLIENT_WORDS) or icon in ("mobile", "phone"):
        return "client", icon or "client"
    return "server", icon or "server"


def _field_columns(raw: str) -> list[int]:
    """Where each field of one CSV line starts (1-based columns), quotes respected."""
    starts, quoted = [1], False
    for i, ch in enumerate(raw):
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            starts.append(i + 2)
    return starts


@dataclass
class _Matrix:
    file: str
    problems: list[Problem] = field(default_factory=list)
    workloads: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)  # id -> label, outside in
    protocols: dict[str, dict[str, Any]] = field(default_factory=dict)  # label -> protocol


def _read_matrix(path: Path) -> _Matrix:
    shown = os.path.relpath(path) if path.is_absolute() else str(path)
    text = read_text(path, "not UTF-8 text; save the port matrix as CSV in UTF-8", encoding="utf-8-sig")
    matrix = _Matrix(shown)
    lines = text.splitlines()
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataError([Problem(Location(shown, 1, 1), f"missing column(s) {', '.join(missing)}; a port matrix has the columns of `lyncposter ports`: {', '.join(REQUIRED)} (and optionally source_label, destination_label, direction, description, source_zone, destination_zone)", rule="CSV")])
    columns = {name: i for i, name in enumerate(header)}
    for row in reader:
        line = reader.line_num
        starts = _field_columns(lines[line - 1]) if 0 < line <= len(lines) else []

        def at(column: str) -> Location:
            i = columns[column]
            return Location(shown, line, starts[i] if i < len(starts) else i + 1)

        def bad(column: str, message: str) -> None:
            matrix.problems.append(Problem(at(column), message, rule="CSV"))

        values = {k: (v or "").strip() for k, v in row.items() if k is not None}
        ok = True
        for column in ("workload", "source", "destination"):
            if not _ID.match(values.get(column, "")):
                bad(column, f"{column} '{values.get(column, '')}' is not an id; ids are lower-case letters, digits and '-', like 'front-end'")
                ok = False
        if not values.get("protocol"):
            bad("protocol", "protocol is empty; write the label the poster prints, like 'SIP/TLS' or 'HTTPS'")
            ok = False
        transport = values.get("transport", "").upper()
        if transport not in TRANSPORTS:
            bad("transport", f"transport '{values.get('transport', '')}' is not allowed; allowed: {', '.join(TRANSPORTS)}")
            ok = False
        ports = _ports(values.get("ports", ""))
        if ports is None:
            bad("ports", f"ports '{values.get('ports', '')}' is not a port list; write 443, 50000-59999 or 135,1801 (ports 1-65535, ranges low to high)")
            ok = False
        direction = values.get("direction", "")
        if direction not in DIRECTIONS:
            bad("direction", f"direction '{direction}' is not allowed; allowed: source-initiates, either-initiates")
            ok = False
        if not ok:
            continue
        for end, zone_column in (("source", "source_zone"), ("destination", "destination_zone")):
            ident = values[end]
            label = values.get(f"{end}_label") or _title(ident)
            zone = values.get(zone_column, "")
            if zone and not _ID.match(zone):
                bad(zone_column, f"{zone_column} '{zone}' is not an id; ids are lower-case letters, digits and '-'")
                continue
            zone = zone or "network"
            matrix.zones.setdefault(zone, _title(zone) if zone != "network" else "Network")
            known = matrix.roles.get(ident)
            if known is None:
                kind, icon = _kind_and_icon(ident, label)
                matrix.roles[ident] = {"id": ident, "label": label, "zone": zone, "kind": kind, "icon": icon}
            elif known["zone"] != zone and values.get(zone_column):
                bad(zone_column, f"role '{ident}' is in zone '{known['zone']}' on an earlier row; a role stands in one zone")
        label = values["protocol"]
        protocol = matrix.protocols.setdefault(
            label,
            {
                "id": _unique(_slug(label), {p["id"] for p in matrix.protocols.values()}),
                "label": label,
                "name": label,
                "family": _family(label),
                "transports": [],
                "service": _service(label),
            },
        )
        for t in transport.split("+"):
            if t not in protocol["transports"]:
                protocol["transports"].append(t)
        flow: dict[str, Any] = {"from": values["source"], "to": values["destination"], "protocol": protocol["id"], "transport": transport}
        flow["ports"] = ports
        flow["source"] = [MATRIX]
        if DIRECTIONS[direction] == "both":
            flow["initiator"] = "both"
        description = values.get("description", "")
        unsure = _UNSURE.match(description)
        if unsure:
            description = unsure.group(1)
        if description:
            flow["description"] = description
        if unsure:
            flow["unsure"] = unsure.group(2)
        matrix.workloads.setdefault(values["workload"], []).append(flow)
    if not matrix.workloads and not matrix.problems:
        matrix.problems.append(Problem(Location(shown, 1, 1), "no rows: a port matrix has a row per flow", rule="CSV"))
    return matrix


def _unique(ident: str, taken: set[str]) -> str:
    found, n = ident, 2
    while found in taken:
        found, n = f"{ident}-{n}", n + 1
    return found


def _ports(text: str) -> Any:
    """`443` → 443, `50000-59999` → "50000-59999", `135,1801` → [135, 1801]; None when it does not read."""
    items: list[Any] = []
    for part in [p.strip() for p in text.split(",")]:
        if re.fullmatch(r"\d+", part) and 1 <= int(part) <= 65535:
            items.append(int(part))
        elif re.fullmatch(r"\d+-\d+", part) and 1 <= int(part.split("-")[0]) <= int(part.split("-")[1]) <= 65535:
            items.append(part)
        else:
            return None
    return items[0] if len(items) == 1 else items


def _yaml(header: str, value: Any) -> str:
    import yaml

    body = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=None)
    return header + body


def from_matrix(csv_path: str | os.PathLike[str], directory: str | os.PathLike[str]) -> list[Path]:
    """A dataset from a port matrix (see the module's docstring); nothing is written unless every row reads."""
    target = Path(directory)
    _ready(target)
    matrix = _read_matrix(Path(csv_path))
    if matrix.problems:
        raise DataError(matrix.problems)
    schema = _schema_dir()
    zones = list(matrix.zones)
    stem = Path(csv_path).stem
    made = f"# Made by `lyncposter init --from-csv {Path(csv_path).name}`; edit it freely.\n"
    files = {
        "poster.yaml": _yaml(
            f"# yaml-language-server: $schema={schema}/poster.schema.json\n{made}"
            "# What the poster is, the order of its panels, and its \"Learn more\" links (none: no such section).\n",
            {
                "title": f"{_title(_slug(stem))} Protocol Poster",
                "product": _title(_slug(stem)),
                "version": "1.0",
                "revision_date": _today(),
                "author": "Your name or team",
                "home_url": "https://example.com/poster/",
                "workloads": list(matrix.workloads),
                "resources": [],
            },
        ),
        "catalog.yaml": _yaml(
            f"# yaml-language-server: $schema={schema}/catalog.schema.json\n{made}"
            "# Zones run outside in, a firewall between neighbours. Check each role's kind and icon,\n"
            "# and each protocol's family; set `tls: true` on a protocol that runs over TLS (its\n"
            "# listeners then need a certificate in certificates.yaml).\n",
            {
                "zones": [{"id": z, "label": matrix.zones[z]} for z in zones],
                "firewalls": [
                    {"id": f"{a}-{b}-firewall", "label": f"{matrix.zones[a]} / {matrix.zones[b]} firewall", "between": [a, b]}
                    for a, b in zip(zones, zones[1:])
                ],
                "roles": list(matrix.roles.values()),
                "protocols": list(matrix.protocols.values()),
            },
        ),
        "certificates.yaml": _yaml(
            f"# yaml-language-server: $schema={schema}/certificates.schema.json\n{made}"
            "# The certificate each TLS listener needs (none yet: the poster prints no table).\n",
            {"certificates": []},
        ),
        "sources.yaml": _yaml(
            f"# yaml-language-server: $schema={schema}/sources.schema.json\n{made}"
            "# Every imported fact cites the port matrix; cite your real sources as you confirm the facts.\n",
            {
                "sources": [
                    {
                        "id": MATRIX,
                        "title": f"Port matrix {Path(csv_path).name}",
                        "publisher": "Your team",
                        "date": _today(),
                        "confidence": "As good as the spreadsheet it was imported from",
                    }
                ]
            },
        ),
        "dns.yaml": _yaml(
            f"# yaml-language-server: $schema={schema}/dns.schema.json\n{made}"
            "# The DNS records to publish (none yet: the poster prints no DNS section).\n",
            {"records": []},
        ),
    }
    for ident, flows in matrix.workloads.items():
        files[f"flows/{ident}.yaml"] = _yaml(
            f"# yaml-language-server: $schema={schema}/workload.schema.json\n{made}"
            "# One panel of the poster: each flow is opened by `from` to `to`, which listens on `ports`.\n",
            {"id": ident, "title": _title(ident), "flows": flows},
        )
    return _write(target, files)
