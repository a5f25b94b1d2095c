"""Certificate requirements as a table, as Windows `certreq` request files, and as PEM signing requests.

An engineer requests exactly what the poster says: the subject name, every SAN,
the EKUs, a 2048-bit RSA key, exportable where the data says so (an Edge pool
shares one certificate).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .._version import __version__
from ..errors import UsageError, did_you_mean
from ..files import write_atomic
from ..model import Certificate, Dataset

COLUMNS = ("role", "role_label", "interface", "subject", "sans", "ca", "eku", "exportable", "notes")
REQUEST_FORMATS = ("inf", "csr")
KEY_BITS = 2048
EKU_OIDS = {"server": "1.3.6.1.5.5.7.3.1", "client": "1.3.6.1.5.5.7.3.2"}
EKU_NAMES = {"server": "Server Authentication", "client": "Client Authentication"}


def select(data: Dataset, role: str | None = None) -> tuple[Certificate, ...]:
    """Every certificate requirement, or those of one role (as its role, or in `also`)."""
    if role is None:
        return data.certificates
    chosen = tuple(c for c in data.certificates if role in {r.id for r in c.roles})
    if not chosen:
        known = sorted({r.id for c in data.certificates for r in c.roles})
        raise UsageError(f"no certificate names role '{role}'{did_you_mean(role, known)}; roles with certificates: {', '.join(known)}")
    return chosen


def certificate_rows(certificates: Iterable[Certificate]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for c in certificates:
        notes = c.notes
        if c.unsure:
            notes = f"{notes} [UNSURE: {c.unsure}]".strip()
        rows.append(
            {
                "role": c.role.id,
                "role_label": c.role.label,
                "interface": c.interface,
                "subject": c.subject,
                "sans": ";".join(c.sans),
                "ca": c.ca,
                "eku": ";".join(c.eku),
                "exportable": "yes" if c.exportable else "no",
                "notes": notes,
            }
        )
    return rows


def file_stem(cert: Certificate) -> str:
    """`access-edge-edge-external`: the role and the interface, as a file name."""
    interface = re.sub(r"\(.*?\)", "", cert.interface)
    words = re.sub(r"[^a-z0-9]+", "-", interface.lower()).strip("-")
    return f"{cert.role.id}-{words}" if words else cert.role.id


def _stems(certificates: tuple[Certificate, ...]) -> list[str]:
    """A unique file stem per certificate, numbered where two would collide."""
    stems: list[str] = []
    for cert in certificates:
        stem = file_stem(cert)
        n = 2
        while stem in stems:
            stem, n = f"{file_stem(cert)}-{n}", n + 1
        stems.append(stem)
    return stems


def certreq_inf(cert: Certificate, data: Dataset) -> str:
    """A `certreq -new` request file: subject, key, EKUs and the SANs as the 2.5.29.17 extension text."""
    p = data.poster
    lines = [
        f"; {cert.title}",
        f"; from the {p.title}, version {p.version}, by lyncposter {__version__}",
        f"; CA: {cert.ca} ({'a public CA that supports SANs' if cert.ca == 'public' else 'your internal enterprise CA'})",
        f"; on the server: certreq -new {file_stem(cert)}.inf {file_stem(cert)}.req",
        "",
        "[Version]",
        'Signature="$Windows NT$"',
        "",
        "[NewRequest]",
        f'Subject = "CN={cert.subject}"',
        f"KeyLength = {KEY_BITS}",
        "KeySpec = 1",
        "KeyUsage = 0xA0 ; digital signature, key encipherment",
        f"Exportable = {'TRUE' if cert.exportable else 'FALSE'}",
        "MachineKeySet = TRUE",
        'ProviderName = "Microsoft RSA SChannel Cryptographic Provider"',
        "ProviderType = 12",
        "RequestType = PKCS10",
        "HashAlgorithm = sha256",
        "",
        "[EnhancedKeyUsageExtension]",
        *(f"OID = {EKU_OIDS[e]} ; {EKU_NAMES[e]}" for e in cert.eku),
    ]
    if cert.sans:
        lines += ["", "[Extensions]", '2.5.29.17 = "{text}"']
        lines += [f'_continue_ = "dns={name}{"&" if i < len(cert.sans) - 1 else ""}"' for i, name in enumerate(cert.sans)]
    return "\r\n".join(lines) + "\r\n"  # certreq reads Windows text files


@dataclass(frozen=True)
class SigningRequest:
    certificate: Certificate
    csr: Path
    key: Path


def _pem_request(cert: Certificate) -> tuple[bytes, bytes]:
    """A fresh RSA key and a CSR for it, both PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    ekus = {"server": ExtendedKeyUsageOID.SERVER_AUTH, "client": ExtendedKeyUsageOID.CLIENT_AUTH}
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cert.subject)]))
    if cert.sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in cert.sans]), critical=False)
    builder = builder.add_extension(x509.ExtendedKeyUsage([ekus[e] for e in cert.eku]), critical=False)
    builder = builder.add_extension(
        x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True
    )
    request = builder.sign(key, hashes.SHA256())
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return request.public_bytes(serialization.Encoding.PEM), key_pem


def write_requests(
    data: Dataset, certificates: tuple[Certificate, ...], out_dir: str | os.PathLike[str], fmt: str, force: bool = False
) -> list[Path]:
    """One request per certificate in `out_dir`: `.inf` for certreq, or `.csr` with its `.key` (mode 0600).

    Nothing is written if a file would be overwritten and `force` is not set: a private key
    that was used for an issued certificate must never be lost.
    """
    if fmt not in REQUEST_FORMATS:
        raise UsageError(f"unknown request format '{fmt}'; use one of {', '.join(REQUEST_FORMATS)}")
    out = Path(out_dir)
    stems = _stems(certificates)
    suffixes = (".inf",) if fmt == "inf" else (".csr", ".key")
    targets = [out / f"{stem}{suffix}" for stem in stems for suffix in suffixes]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        raise UsageError(f"{existing[0]} exists; not overwriting it (and {len(existing) - 1} more) without --force")
    written = []
    for cert, stem in zip(certificates, stems):
        if fmt == "inf":
            written.append(write_atomic(out / f"{stem}.inf", certreq_inf(cert, data)))
        else:
            request, key = _pem_request(cert)
            written.append(write_atomic(out / f"{stem}.key", key, mode=0o600))
            written.append(write_atomic(out / f"{stem}.csr", request))
    return written
