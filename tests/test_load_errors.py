"""Bad data gives one located line per problem, never a traceback, and writes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import lyncposter
from lyncposter.cli import main
from lyncposter.errors import DataError

IM = "workloads/flows/im-presence.yaml"


def problems(root: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        lyncposter.load(root)
    return [str(p) for p in caught.value.problems]


def test_shipped_data_loads(dataset):
    assert len(dataset.workloads) == 11
    assert all(w.flows for w in dataset.workloads)


def test_unknown_role_suggests_the_closest(data_copy):
    line, col = data_copy.replace("flows/im-presence.yaml", "to: director", "to: directr")
    (message,) = problems(data_copy.root)
    assert message.startswith(f"{IM}:{line}:{col + 4}: unknown role 'directr' (did you mean 'director'?); known roles: ")


def test_unknown_protocol(data_copy):
    line, col = data_copy.replace("flows/im-presence.yaml", "protocol: sip-tls", "protocol: sip-tsl")
    (message,) = problems(data_copy.root)
    assert message.startswith(f"{IM}:{line}:{col + 10}: unknown protocol 'sip-tsl' (did you mean 'sip-tls'?)")


def test_port_out_of_range(data_copy):
    line, col = data_copy.replace("flows/im-presence.yaml", "ports: 5269", "ports: 70000")
    assert problems(data_copy.root) == [
        f"{IM}:{line}:{col + 7}: ports: 70000 is out of range; ports are whole numbers from 1 to 65535"
    ]


def test_port_range_backwards(data_copy):
    line, col = data_copy.replace("flows/av-conferencing.yaml", "ports: 49152-65535", "ports: 65535-49152")
    assert problems(data_copy.root) == [
        f"workloads/flows/av-conferencing.yaml:{line}:{col + 7}: port range 65535-49152 runs backwards; "
        "write the lower port first"
    ]


def test_port_not_a_port(data_copy):
    line, col = data_copy.replace("flows/im-presence.yaml", "ports: 5269", "ports: fivethousand")
    assert problems(data_copy.root) == [
        f"{IM}:{line}:{col + 7}: ports: 'fivethousand' is not valid; "
        "a port 1-65535, a range like 49152-57500, or a list of these"
    ]


def test_duplicate_key(data_copy):
    line, col = data_copy.replace("flows/im-presence.yaml", "    transport: TCP\n    ports: 5269", "    transport: TCP\n    transport: UDP\n    ports: 5269")
    first = line
    assert problems(data_copy.root) == [
        f"{IM}:{line + 1}:5: duplicate key 'transport' (first given at line {first}); each key may appear once in a mapping"
    ]


def test_tab_indentation(data_copy):
    line, _ = data_copy.replace("flows/cac.yaml", "    transport: TCP\n    ports: 448", "    transport: TCP\n\tports: 448")
    assert problems(data_copy.root) == [
        f"workloads/flows/cac.yaml:{line + 1}:1: tab used for indentation; YAML allows only spaces here"
    ]


def test_missing_field(data_copy):
    line, _ = data_copy.replace("flows/cac.yaml", "    transport: TCP\n    ports: 448\n", "    ports: 448\n")
    flow_line, _ = data_copy.locate("flows/cac.yaml", "  - from: front-end\n    to: bandwidth-policy")
    assert problems(data_copy.root) == [
        f"workloads/flows/cac.yaml:{flow_line}:5: missing field 'transport'; this mapping needs: "
        "from, to, protocol, transport, ports, source"
    ]


def test_wrong_type(data_copy):
    line, col = data_copy.replace("catalog.yaml", "show_transport: true}", "show_transport: 3}")
    assert problems(data_copy.root) == [f"workloads/catalog.yaml:{line}:{col + 16}: show_transport must be true or false, not a whole number"]


def test_enum_lists_what_is_allowed(data_copy):
    line, col = data_copy.replace("flows/cac.yaml", "transport: TCP", "transport: SCTP")
    assert problems(data_copy.root) == [
        f"workloads/flows/cac.yaml:{line}:{col + 11}: transport: 'SCTP' is not allowed; allowed: TCP, UDP, TCP+UDP"
    ]


def test_unknown_field_suggests(data_copy):
    line, col = data_copy.replace("flows/cac.yaml", "    description: Bandwidth checks", "    descripton: Bandwidth checks")
    (message,) = problems(data_copy.root)
    assert message.startswith(f"workloads/flows/cac.yaml:{line}:5: unknown field 'descripton' (did you mean 'description'?); allowed: ")


def test_not_utf8(data_copy):
    path = data_copy.path("flows/cac.yaml")
    raw = path.read_bytes().replace("Call Admission Control".encode(), b"Call Admission Contr\xf6l")
    path.write_bytes(raw)
    text = raw.decode("latin-1")
    at = text.index("Contr\xf6l") + 5
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    assert problems(data_copy.root) == [
        f"workloads/flows/cac.yaml:{line}:{col}: byte 0xf6 is not UTF-8; data files must be saved as UTF-8"
    ]


def test_yaml_syntax_error(data_copy):
    line, _ = data_copy.replace("flows/cac.yaml", "title: Call Admission Control", "title: [Call Admission Control")
    (message,) = problems(data_copy.root)
    assert message.startswith("workloads/flows/cac.yaml:") and "YAML syntax:" in message


def test_workload_not_on_poster(data_copy):
    line, col = data_copy.replace("poster.yaml", "  - cac\n", "")
    id_line, id_col = data_copy.locate("flows/cac.yaml", "id: cac")
    assert problems(data_copy.root) == [
        f"workloads/flows/cac.yaml:{id_line}:{id_col + 4}: workload 'cac' is not placed on the poster; "
        "add it to 'workloads' in poster.yaml"
    ]


def test_several_problems_reported_together_in_file_order(data_copy):
    data_copy.replace("flows/im-presence.yaml", "to: director", "to: directr")
    data_copy.replace("flows/cac.yaml", "transport: TCP", "transport: SCTP")
    data_copy.replace("flows/av-conferencing.yaml", "ports: 8058", "ports: 0")
    found = problems(data_copy.root)
    assert len(found) == 3
    assert [m.split(":")[0] for m in found] == sorted(m.split(":")[0] for m in found)


def test_cli_prints_one_line_per_problem_and_writes_nothing(data_copy, capsys):
    data_copy.replace("flows/im-presence.yaml", "to: director", "to: directr")
    data_copy.replace("flows/cac.yaml", "transport: TCP", "transport: SCTP")
    out = data_copy.root.parent / "panels"
    assert main(["panels", "--data", str(data_copy.root), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert all(line.startswith("workloads/flows/") for line in err)
    assert not out.exists()


def test_render_keeps_the_previous_file_when_data_is_bad(data_copy):
    target = data_copy.root.parent / "im.svg"
    target.write_text("previous", "utf-8")
    data_copy.replace("flows/im-presence.yaml", "to: director", "to: directr")
    assert main(["render", "im-presence", "-o", str(target), "--data", str(data_copy.root)]) == 1
    assert target.read_text("utf-8") == "previous"


def test_no_traceback_from_the_real_command(data_copy):
    data_copy.replace("flows/im-presence.yaml", "to: director", "to: directr")
    result = subprocess.run(
        [sys.executable, "-m", "lyncposter", "list", "--data", str(data_copy.root)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_data_directory(tmp_path, capsys):
    assert main(["list", "--data", str(tmp_path / "nope")]) == 2
    assert "no such data directory" in capsys.readouterr().err


def test_aliases_are_refused_even_recursive_ones(data_copy):
    path = data_copy.path("flows/cac.yaml")
    path.write_text(path.read_text("utf-8") + "extra: &loop [*loop]\n", "utf-8")
    found = problems(data_copy.root)
    assert any("anchors and aliases (&name, *name) are not supported" in m for m in found)
    assert all(m.startswith("workloads/flows/cac.yaml:") for m in found)
