"""The [periods] section and the [[goals]] list of the config; the method's three goals by default."""

from __future__ import annotations

import pytest

from salesfocus.config import Config, load_config
from salesfocus.errors import ConfigError


def test_goals_and_period_from_toml(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('[periods]\nperiod = "quarter"\nchannel_groups = {website = "online"}\n\n'
                 '[[goals]]\nkind = "customer_retention"\ntarget = 0.9\nowner = "company"\nperiod = "2024"\n\n'
                 '[[goals]]\nkind = "new_top_customers"\ntarget = 10\nowner = "Sanne de Vries"\n', encoding="utf-8")
    cfg = load_config(p)
    assert cfg.periods.period == "quarter" and cfg.periods.channel_groups == {"website": "online"}
    assert [(g.kind, g.target, g.owner, g.period) for g in cfg.goals] == [
        ("customer_retention", 0.9, "company", "2024"), ("new_top_customers", 10, "Sanne de Vries", None)]


def test_the_method_goals_are_the_default():
    assert [(g.kind, g.target, g.owner) for g in Config().goals] == [
        ("customer_retention", 0.9, "company"), ("new_top_customers", 10, "company"), ("new_suspects", 400, "company")]


@pytest.mark.parametrize("toml, needle", [
    ('[[goals]]\nkind = "happiness"\ntarget = 1\n', "goals.0.kind"),
    ('[[goals]]\nkind = "revenue"\ntarget = -5\n', "goals.0.target"),
    ('[periods]\nperiod = "week"\n', "periods.period"),
])
def test_bad_goals_name_the_key(tmp_path, toml, needle):
    p = tmp_path / "c.toml"
    p.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=needle.replace(".", r"\.")):
        load_config(p)
