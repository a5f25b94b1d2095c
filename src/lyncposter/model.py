"""The poster's facts as plain, frozen values.

Every object that a later check may complain about keeps the `Location` of
the YAML node it came from, so a message can point at file:line:column.
References between objects are resolved at load time: a `Flow` holds its
`Role` and `Protocol` objects, not their ids, so a `Workload` is complete on
its own and can be rendered without the rest of the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from .location import NOWHERE, Location  # noqa: F401 - facts keep where they were read; callers import it from here

Transport = Literal["TCP", "UDP", "TCP+UDP"]
TRANSPORTS: tuple[str, ...] = ("TCP", "UDP", "TCP+UDP")
Initiator = Literal["from", "both"]





@dataclass(frozen=True)
class Zone:
    id: str
    label: str
    order: int
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Firewall:
    """The firewall between two adjacent zones (outer.order + 1 == inner.order)."""

    id: str
    label: str
    outer: Zone
    inner: Zone
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Group:
    """A box drawn around several roles of one zone, e.g. the Edge Server's services."""

    id: str
    label: str
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Interface:
    """One side of a role that stands between two firewalls: what a firewall rule calls it.

    `side` is `outer` (toward the less trusted zone) or `inner`.
    """

    side: str
    label: str
    note: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role:
    """A server role, client or external party: a box on the poster."""

    id: str
    label: str
    zone: Zone
    kind: str  # server, client, external
    icon: str
    group: Group | None = None
    description: str = ""
    interfaces: tuple[Interface, ...] = ()
    location: Location = field(default=NOWHERE, compare=False, repr=False)

    def interface(self, side: str) -> Interface | None:
        return next((i for i in self.interfaces if i.side == side), None)


@dataclass(frozen=True)
class Protocol:
    id: str
    label: str  # short form printed on a connection, e.g. "SIP/MTLS"
    name: str  # long form for the legend and tables
    family: str
    transports: tuple[str, ...]
    show_transport: bool = False
    service: str = ""  # protocols of one service may share a listening port; defaults to the id
    tls: bool = False  # runs over TLS or mutual TLS: the listening role needs a certificate
    location: Location = field(default=NOWHERE, compare=False, repr=False)

    @property
    def names_transport(self) -> bool:
        """Whether a connection label spells out TCP/UDP for this protocol."""
        return self.show_transport or len(self.transports) > 1


@dataclass(frozen=True, order=True)
class PortRange:
    low: int
    high: int

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.low <= port <= self.high

    def overlaps(self, other: PortRange) -> bool:
        return self.low <= other.high and other.low <= self.high


def format_ports(ports: tuple[PortRange, ...], separator: str = ",") -> str:
    return separator.join(str(p) for p in ports)


def connection_label(protocol: Protocol, transport: str, ports: tuple[PortRange, ...]) -> str:
    """A connection as printed: `SIP/MTLS:5061`, `STUN/UDP:3478`, `MSMQ/TCP:135,1801`."""
    text = protocol.label
    if protocol.names_transport:
        text += "/" + transport
    return f"{text}:{format_ports(ports)}"


@dataclass(frozen=True)
class Flow:
    """One connection: `source` opens it to `target` on `ports`, unless both sides may."""

    workload_id: str
    index: int
    source: Role
    target: Role
    protocol: Protocol
    transport: str
    ports: tuple[PortRange, ...]
    initiator: str = "from"
    description: str = ""
    note: str = ""
    sources: tuple[str, ...] = ()
    unsure: str = ""
    location: Location = field(default=NOWHERE, compare=False, repr=False)

    @property
    def id(self) -> str:
        return f"{self.workload_id}.{self.index}"

    @property
    def ports_text(self) -> str:
        return format_ports(self.ports)

    @property
    def label(self) -> str:
        return connection_label(self.protocol, self.transport, self.ports)

    @property
    def bidirectional(self) -> bool:
        return self.initiator == "both"


@dataclass(frozen=True)
class Note:
    """A callout on a workload panel: free text, or numbered steps."""

    title: str
    text: str = ""
    steps: tuple[str, ...] = ()
    unsure: str = ""
    firewall: bool = False  # also on the firewall sheet
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Catalog:
    zones: tuple[Zone, ...]
    firewalls: tuple[Firewall, ...]
    groups: tuple[Group, ...]
    roles: tuple[Role, ...]
    protocols: tuple[Protocol, ...]

    def firewalls_between(self, a: Zone, b: Zone) -> tuple[Firewall, ...]:
        """The firewalls a connection between zones a and b passes, outermost first."""
        low, high = sorted((a.order, b.order))
        return tuple(f for f in self.firewalls if low <= f.outer.order and f.inner.order <= high)


@dataclass(frozen=True)
class Workload:
    id: str
    title: str
    description: str
    flows: tuple[Flow, ...]
    notes: tuple[Note, ...]
    catalog: Catalog = field(compare=False, repr=False)
    location: Location = field(default=NOWHERE, compare=False, repr=False)
    # every flow is its own line, labelled with its index: a firewall's numbered rules
    numbered: bool = False

    @property
    def roles(self) -> tuple[Role, ...]:
        """The roles this workload's flows connect, in order of first use."""
        seen: dict[str, Role] = {}
        for flow in self.flows:
            seen.setdefault(flow.source.id, flow.source)
            seen.setdefault(flow.target.id, flow.target)
        return tuple(seen.values())

    def _repr_svg_(self) -> str | None:
        """A notebook shows a workload as its panel, drawn by what the package registers (display.py)."""
        from .display import svg

        return svg(self)


@dataclass(frozen=True)
class Certificate:
    role: Role
    interface: str
    subject: str
    sans: tuple[str, ...]
    ca: str  # public or private
    eku: tuple[str, ...]
    notes: str = ""
    sources: tuple[str, ...] = ()
    unsure: str = ""
    also: tuple[Role, ...] = ()  # other roles the certificate serves
    exportable: bool = False  # one certificate for every server of a pool
    wildcards: bool = True  # a wildcard SAN may stand for its names
    location: Location = field(default=NOWHERE, compare=False, repr=False)

    @property
    def title(self) -> str:
        """How a message names it: `the Access Edge certificate for Edge external (...)`."""
        return f"{self.role.label} certificate for {self.interface}"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.subject, *self.sans)))

    @property
    def roles(self) -> tuple[Role, ...]:
        return (self.role, *self.also)


@dataclass(frozen=True)
class StaleValue:
    """A value from another product, or a known typo, that must not appear in a flow again."""

    ports: tuple[PortRange, ...]
    reason: str
    transport: str | None = None
    protocol: str | None = None
    to: Role | None = None
    sources: tuple[str, ...] = ()
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class DnsRecord:
    view: str  # internal or external
    type: str  # A, CNAME, SRV
    name: str
    target: str
    port: int | None = None
    role: Role | None = None
    purpose: str = ""
    sources: tuple[str, ...] = ()
    unsure: str = ""
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Source:
    """Where facts come from, by the id the data cites (`DOC2010`)."""

    id: str
    title: str
    publisher: str
    date: str
    url: str = ""
    confidence: str = ""
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Omission:
    """A fact the sources give that the poster leaves out on purpose, and why."""

    what: str
    reason: str
    sources: tuple[str, ...] = ()
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class PortRow:
    """One row of an official port table: who listens, where, and why no flow draws it if none does."""

    roles: tuple[Role, ...]
    ports: tuple[PortRange, ...]
    transport: str
    service: str
    purpose: str = ""
    sources: tuple[str, ...] = ()
    omitted: str = ""  # the reason a row is deliberately not drawn
    location: Location = field(default=NOWHERE, compare=False, repr=False)

    @property
    def label(self) -> str:
        return f"{self.roles[0].label} {self.transport} {format_ports(self.ports)} ({self.service})"


@dataclass(frozen=True)
class PortTable:
    """An official port table (reference/*.yaml), to check the flows' coverage against."""

    title: str
    rows: tuple[PortRow, ...]
    sources: tuple[str, ...] = ()
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Resource:
    title: str
    url: str
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Addresses:
    """One entry of an addressing plan: normalised networks (`203.0.113.10/32`, `10.0.0.0/16`); none means any."""

    networks: tuple[str, ...]
    location: Location = field(default=NOWHERE, compare=False, repr=False)

    @property
    def text(self) -> str:
        return ",".join(self.networks) or "any"


@dataclass(frozen=True)
class AddressPlan:
    """Where zones and roles live on the network, for firewall configurations (addresses.yaml).

    `roles` is keyed by (role id, side): side is `outer` or `inner` for one interface of a
    role that has them, `""` for the role as a whole. `file` is where the plan was read;
    a plan of placeholders, made from the catalog when there is no file, has none.
    """

    zones: tuple[tuple[str, Addresses], ...] = ()
    roles: tuple[tuple[tuple[str, str], Addresses], ...] = ()
    file: str = ""

    @property
    def placeholder(self) -> bool:
        return not self.file

    def zone(self, zone_id: str) -> Addresses | None:
        return dict(self.zones).get(zone_id)

    def role(self, role_id: str, side: str = "") -> Addresses | None:
        return dict(self.roles).get((role_id, side))


SHEET_KINDS = ("workloads", "firewall")


@dataclass(frozen=True)
class SheetSpec:
    """One sheet `lyncposter build` makes, as poster.yaml lists it."""

    id: str
    kind: str  # workloads: a panel per workload; firewall: the rules per firewall
    title: str
    workloads: tuple[str, ...]  # the workloads it draws from, in the poster's order
    main: bool = False  # the first sheet keeps the poster's own file name
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class ChangelogEntry:
    """A version's entry in the data's CHANGELOG.md: what its readers are told is new."""

    version: str
    lead: str  # the entry's first sentence
    bullets: tuple[str, ...]  # its top-level bullets, Markdown stripped
    location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class PosterInfo:
    title: str
    product: str
    version: str
    revision_date: str
    author: str
    home_url: str
    copyright: str
    example_domain: str
    resources: tuple[Resource, ...]
    workload_order: tuple[str, ...]
    sheets: tuple[SheetSpec, ...] = ()
    previous_version: str = ""  # the version before this one
    previous_rev: str = ""  # the git revision holding its data
    news: ChangelogEntry | None = None  # this version's CHANGELOG.md entry
    changelog: str = ""  # the CHANGELOG.md file beside the data, if there is one
    location: Location = field(default=NOWHERE, compare=False, repr=False)
    version_location: Location = field(default=NOWHERE, compare=False, repr=False)
    date_location: Location = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True)
class Dataset:
    """Everything the poster says, loaded from one data directory."""

    poster: PosterInfo
    catalog: Catalog
    workloads: tuple[Workload, ...]
    certificates: tuple[Certificate, ...]
    dns_records: tuple[DnsRecord, ...]
    fingerprint: str  # short hash of the input files, printed in the footer
    stale: tuple[StaleValue, ...] = ()
    sources: tuple[Source, ...] = ()
    port_tables: tuple[PortTable, ...] = ()
    omissions: tuple[Omission, ...] = ()
    addresses: AddressPlan | None = None  # addresses.yaml, if the data directory has one

    def cited(self, ids: tuple[str, ...]) -> tuple[Source, ...]:
        """The sources behind these ids, in the order given."""
        table = {s.id: s for s in self.sources}
        return tuple(table[i] for i in ids if i in table)

    @property
    def citations(self) -> tuple[str, ...]:
        """Every source id the facts cite, in order of first citation."""
        ids: list[str] = []
        ids += [s for f in self.flows for s in f.sources]
        ids += [s for c in self.certificates for s in c.sources]
        ids += [s for r in self.dns_records for s in r.sources]
        ids += [s for r in self.catalog.roles for i in r.interfaces for s in i.sources]
        ids += [s for v in self.stale for s in v.sources]
        ids += [s for t in self.port_tables for s in (*t.sources, *(s for r in t.rows for s in r.sources))]
        ids += [s for o in self.omissions for s in o.sources]
        return tuple(dict.fromkeys(ids))

    def workload(self, workload_id: str) -> Workload:
        for w in self.workloads:
            if w.id == workload_id:
                return w
        from .errors import UsageError, did_you_mean  # errors imports this module

        known = [w.id for w in self.workloads]
        raise UsageError(
            f"unknown workload '{workload_id}'{did_you_mean(workload_id, known)}; "
            f"known: {', '.join(known)}"
        )

    @property
    def flows(self) -> tuple[Flow, ...]:
        return tuple(f for w in self.workloads for f in w.flows)

    def sheet(self, sheet_id: str) -> SheetSpec:
        for s in self.poster.sheets:
            if s.id == sheet_id:
                return s
        from .errors import UsageError, did_you_mean

        known = [s.id for s in self.poster.sheets]
        raise UsageError(f"unknown sheet '{sheet_id}'{did_you_mean(sheet_id, known)}; poster.yaml lists: {', '.join(known)}")

    def only(self, workload_ids: tuple[str, ...]) -> Dataset:
        """The same facts narrowed to some workloads, with the certificates and DNS records of their roles."""
        if workload_ids == tuple(w.id for w in self.workloads):
            return self
        workloads = tuple(w for w in self.workloads if w.id in workload_ids)
        roles = {r.id for w in workloads for r in w.roles}
        return replace(
            self,
            workloads=workloads,
            certificates=tuple(c for c in self.certificates if any(r.id in roles for r in c.roles)),
            dns_records=tuple(d for d in self.dns_records if d.role is None or d.role.id in roles),
        )
