"""seeds/capabilities.toml is the knowledge the matcher stands on: keep it well formed."""

import csv
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "capabilities.toml"
OKVED = Path("/work/shared/data/okved2.csv")


@pytest.fixture(scope="module")
def nodes():
    with open(SEED, "rb") as fh:
        return tomllib.load(fh)["node"]


def test_enough_nodes_with_unique_codes(nodes):
    codes = [node["code"] for node in nodes]
    assert len(codes) >= 60
    assert len(codes) == len(set(codes))


def test_codes_are_dotted_by_ancestry(nodes):
    codes = {node["code"] for node in nodes}
    for node in nodes:
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", node["code"]), node["code"]
        if node["parent"]:
            assert node["parent"] in codes, node["code"]
            assert node["code"].startswith(node["parent"] + "."), node["code"]
        else:
            assert "." not in node["code"], node["code"]


def test_names_in_both_languages(nodes):
    for node in nodes:
        assert re.search(r"[А-Яа-яЁё]", node["name_ru"]), node["code"]
        assert re.search(r"[A-Za-z]", node["name_en"]), node["code"]
        assert node["synonyms"], node["code"]


def test_known_abbreviations_are_carried(nodes):
    abbreviations = {a for node in nodes for a in node["abbreviations"]}
    assert {"ЧПУ", "РТИ", "КИПиА", "ГОШ", "ТВЧ", "ЛКП", "КД", "ЕСКД", "ЖБИ", "ТНП", "НКТ", "ЭД"} <= abbreviations | {
        s for node in nodes for s in node["synonyms"]
    }


@pytest.mark.skipif(not OKVED.exists(), reason="the shared OKVED2 list is not available")
def test_okved_codes_exist(nodes):
    with open(OKVED, encoding="utf-8") as fh:
        known = {row["code"] for row in csv.DictReader(fh)}
    for node in nodes:
        for code in node["okved"]:
            assert code in known, (node["code"], code)
