"""The poster's example names, rendered for an engineer's own SIP domain.

The data names servers in an example domain (`example_domain` in poster.yaml,
contoso.com) and, like Microsoft's examples, keeps the Edge's internal side in a
sibling domain (contoso.net). `for_domain(data, "fabrikam.com")` gives the same
facts with every such name moved into fabrikam.com: `sip.contoso.com` becomes
`sip.fabrikam.com`, `lsedge.contoso.net` becomes `lsedge.fabrikam.com`. Names of
other organisations (sipfed.online.lync.com) stay as they are.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .errors import UsageError
from .model import Dataset

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")


def check_domain(domain: str) -> str:
    """A DNS domain as the user typed it, lower-cased; a usage error if it is not one."""
    name = domain.strip().rstrip(".").lower()
    if not _DOMAIN.match(name):
        raise UsageError(f"'{domain}' is not a DNS domain; give one like fabrikam.com (letters, digits, hyphens and dots)")
    return name


def example_domains(data: Dataset) -> tuple[str, ...]:
    """The example domain and its siblings the data uses (contoso.com, contoso.net), longest first."""
    example = data.poster.example_domain.lower()
    if not example:
        return ()
    label = example.split(".")[0]
    names = [c.subject for c in data.certificates] + [n for c in data.certificates for n in c.sans]
    names += [r.name for r in data.dns_records] + [r.target for r in data.dns_records]
    found = {example}
    for name in names:
        parts = name.lower().split(".")
        for i in range(len(parts) - 1):
            if parts[i] == label and len(parts) - i >= 2:
                found.add(".".join(parts[i:]))
    return tuple(sorted(found, key=lambda d: (-len(d), d)))


def rename(name: str, suffixes: tuple[str, ...], domain: str) -> str:
    """`name` moved from whichever example domain it is in to `domain`; any other name as it is."""
    lower = name.lower()
    for suffix in suffixes:
        if lower == suffix:
            return domain
        if lower.endswith("." + suffix):
            return name[: len(name) - len(suffix)] + domain
        if lower.startswith("*.") and lower[2:] == suffix:
            return "*." + domain
    return name


def for_domain(data: Dataset, domain: str | None) -> Dataset:
    """The dataset with its certificate and DNS names in `domain` (None: as they are)."""
    if not domain:
        return data
    domain = check_domain(domain)
    suffixes = example_domains(data)
    if not suffixes or suffixes == (domain,):
        return data

    def move(name: str) -> str:
        return rename(name, suffixes, domain)

    certificates = tuple(replace(c, subject=move(c.subject), sans=tuple(move(s) for s in c.sans)) for c in data.certificates)
    records = tuple(replace(r, name=move(r.name), target=move(r.target)) for r in data.dns_records)
    poster = replace(data.poster, example_domain=domain)
    return replace(data, poster=poster, certificates=certificates, dns_records=records)
