"""The configuration: defaults, the generated template, and errors that name the key."""

import pytest

from salesfocus.config import Config, load_config
from salesfocus.config_template import default_toml
from salesfocus.errors import ConfigError


def test_template_round_trips_to_the_defaults(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text(default_toml(), encoding="utf-8")
    assert load_config(p) == Config()


def test_bad_value_names_the_key(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[cost_rates]\nper_order = -5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cost_rates\.per_order"):
        load_config(p)


def test_unknown_key_is_an_error(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[cost_rates]\nper_oder = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="per_oder"):
        load_config(p)


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
    p = tmp_path / "bad.toml"
    p.write_text("[cost_rates\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(p)


def test_import_section_alias(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('[import]\nanonymous_customer = "ANONYMOUS"\n', encoding="utf-8")
    assert load_config(p).import_options.anonymous_customer == "ANONYMOUS"
