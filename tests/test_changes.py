"""What changed between two versions of the data: the diff, its formats, git revisions, the poster's box."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

import lyncposter
from lyncposter.changes import compare
from lyncposter.check import version_findings
from lyncposter.cli import main
from lyncposter.poster import build_poster
from conftest import DATA


def three_changes(data_copy) -> None:
    """One port changed, one flow removed, one DNS record added."""
    data_copy.replace("flows/group-chat.yaml", "ports: 5041", "ports: 5042")
    data_copy.replace(
        "flows/enterprise-voice.yaml",
        "  - from: front-end\n    to: voice-applications\n    protocol: sip\n    transport: TCP\n    ports: 5076\n    description: Audio Test service\n    source: [DOC2013]\n",
        "",
    )
    data_copy.replace(
        "dns.yaml",
        "  - {view: external, type: A, name: sip.contoso.com,",
        "  - {view: external, type: A, name: sip2.contoso.com, target: Access Edge external IP, role: access-edge, purpose: A second SIP domain's sign-in, source: [DOC2010]}\n"
        "  - {view: external, type: A, name: sip.contoso.com,",
    )


EXPECTED = [
    ("changed", "flow", "Group Chat: Front End pool / Standard Edition \u2192 Group Chat Server (Lookup, Channel, Web) SIP/MTLS/TCP: ports 5041 \u2192 5042"),
    ("removed", "flow", "Enterprise Voice: Front End pool / Standard Edition \u2192 Voice applications (Front End) SIP/TCP: ports 5076 (removed)"),
    ("added", "dns", "External A sip2.contoso.com: \u2192 Access Edge external IP (added)"),
]


def test_exactly_the_three_changes(data_copy, dataset):
    three_changes(data_copy)
    changes = compare(dataset, lyncposter.load(data_copy.root))
    assert [(c.kind, c.category, c.text) for c in changes.items] == EXPECTED
    assert not compare(dataset, dataset)


def test_the_command_in_every_format(data_copy, capsys):
    three_changes(data_copy)
    assert main(["diff", str(DATA), str(data_copy.root)]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].endswith(": 3")
    assert "  ~ Group Chat: Front End pool / Standard Edition \u2192 Group Chat Server (Lookup, Channel, Web) SIP/MTLS/TCP: ports 5041 \u2192 5042" in text
    assert main(["diff", str(DATA), str(data_copy.root), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [(c["kind"], c["category"], c["text"]) for c in payload["changes"]] == EXPECTED
    assert main(["diff", str(DATA), str(data_copy.root), "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert "### Flows" in md and "### DNS records" in md and "- Added: External A sip2.contoso.com" in md
    assert main(["diff", str(DATA), str(data_copy.root), "--changelog"]) == 0
    entry = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"## \d+\.\d+(\.\d+)? \(\d{4}-\d\d-\d\d\)", entry[0])
    assert len([line for line in entry if line.startswith("- ")]) == 3


def test_whats_new_on_the_poster(data_copy, dataset, tmp_path):
    three_changes(data_copy)
    data_copy.replace("poster.yaml", 'version: "6.1"', 'version: "6.2"')
    new = lyncposter.load(data_copy.root)
    built = build_poster(new, tmp_path, previous=dataset)
    text = re.sub(r"\s+", " ", _box_text(built.path, "What's"))  # the box alone: beside it, panels interleave
    assert "What's new in 6.2" in text
    for _, _, words in EXPECTED:
        assert words.split(": ")[-1].replace(" (removed)", "").replace(" (added)", "") in text
    assert "5041 \u2192 5042" in text and "sip2.contoso.com" in text and "Since version 6.1" in text


def _box_text(pdf, first_word: str, height: float = 700.0) -> str:
    """The text of the side column from `first_word` down `height` points."""
    words = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', words)
    anchor = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>' + re.escape(first_word.replace("'", "&apos;")) + "<", words)
    assert page and anchor, f"no '{first_word}' on the sheet"
    x, y = float(anchor.group(1)), float(anchor.group(2))
    crop = ["-x", str(int(x) - 2), "-y", str(int(y) - 2), "-W", str(int(float(page.group(1)) - x) + 2), "-H", str(int(height))]
    return subprocess.run(["pdftotext", "-r", "72", *crop, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_diff_between_git_revisions_leaves_the_work_tree_alone(tmp_path, capsys):
    repo = tmp_path / "repo"
    shutil.copytree(DATA, repo / "workloads")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "v1"], check=True)
    flows = repo / "workloads" / "flows" / "group-chat.yaml"
    flows.write_text(flows.read_text("utf-8").replace("ports: 5041", "ports: 5042"), "utf-8")
    before = flows.read_text("utf-8")
    assert main(["diff", "--rev", "HEAD", "--data", str(repo / "workloads")]) == 0
    out = capsys.readouterr().out
    assert "ports 5041 \u2192 5042" in out and out.splitlines()[0].endswith(": 1")
    assert flows.read_text("utf-8") == before  # the work tree as it was
    subprocess.run([*git, "commit", "-q", "-am", "v2"], check=True)
    assert main(["diff", "--rev", "HEAD~1", "--rev", "HEAD", "--data", str(repo / "workloads")]) == 0
    assert "ports 5041 \u2192 5042" in capsys.readouterr().out
    assert main(["diff", "--rev", "no-such-rev", "--data", str(repo / "workloads")]) == 2
    assert "no-such-rev" in capsys.readouterr().err


def test_version_bump_warnings(data_copy, dataset):
    copy = lyncposter.load(data_copy.root)
    assert version_findings(copy, dataset) == []  # same version, same facts
    data_copy.replace("poster.yaml", 'version: "6.1"', 'version: "6.2"')
    (bumped,) = version_findings(lyncposter.load(data_copy.root), dataset)
    assert (bumped.rule, bumped.severity) == ("VERSION-BUMP", "warning")
    assert bumped.message.startswith("version 6.2 has the same facts as 6.1")
    data_copy.replace("poster.yaml", 'version: "6.2"', 'version: "6.1"')
    data_copy.replace("flows/group-chat.yaml", "ports: 5041", "ports: 5042")
    (unbumped,) = version_findings(lyncposter.load(data_copy.root), dataset)
    assert unbumped.message.startswith("the facts changed since 6.1 but the version did not")
    assert str(unbumped.location).startswith("workloads/poster.yaml:")


@pytest.mark.parametrize("args", [["diff", "a"], ["diff", "a", "b", "--rev", "x"]])
def test_usage(args, capsys):
    assert main(args) == 2


# --- What's new in the reader's words ------------------------------------------------------------


def _text(pdf) -> str:
    import re
    import subprocess

    return re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)


def test_whats_new_prints_the_changelog_entry(dataset, tmp_path):
    from lyncposter.poster import build_sheets

    entry = dataset.poster.news
    assert entry is not None and entry.lead == "The Firewall Poster, which the original's readers asked for and its author promised."
    (built,) = build_sheets(dataset, tmp_path, sheet_ids=("workloads",))
    text = _text(built.path)
    assert f"What's new in {dataset.poster.version}" in text
    assert entry.lead in text
    assert "A Mobility sheet: the Mobility and Reverse Proxy panels with their certificates and DNS records." in text


def test_without_an_entry_check_warns_and_the_box_lists_the_changed_facts(data_copy, tmp_path, capsys):
    from lyncposter.cli import main
    from lyncposter.poster import build_sheets

    version = lyncposter.load(DATA).poster.version
    data_copy.replace("CHANGELOG.md", f"## {version} (", "## 9.9 (")
    assert main(["check", "--data", str(data_copy.root)]) == 0
    out = capsys.readouterr().out
    assert "error" not in out and f"warning [CHANGELOG] workloads/CHANGELOG.md has no entry '## {version} (" in out
    data = lyncposter.load(data_copy.root)
    assert data.poster.news is None
    previous = lyncposter.load(DATA)
    data_copy.replace("flows/cac.yaml", "ports: 5080", "ports: 5081")
    changed = lyncposter.load(data_copy.root)
    (built,) = build_sheets(changed, tmp_path, sheet_ids=("workloads",), previous=previous)
    text = _text(built.path)
    assert f"What's new in {version}" in text and "5080" in text and "5081" in text
    assert "readers asked for" not in text
