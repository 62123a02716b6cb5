"""Every message key the code uses exists in every language, and the languages agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast

from api import OrderType
from handlers.admin import COMMANDS as ADMIN_COMMANDS
from shop.admin_desk import BanOutcome
from shop.charts import CreditKind
from shop.crypto_topups import CreateProblem
from shop.descriptions import DescriptionSource
from shop.exports import CUSTOMER_COLUMNS, ExportKind, ExportProblem
from shop.manual_payments import ManualProblem
from shop.notices import ORDER_NOTICES, REFILL_NOTICES
from shop.order_actions import ActionProblem
from shop.order_forms import FLOWS, Answer
from shop.ordering import QuoteProblem
from shop.payments import AmountProblem, CheckoutProblem, RefundOutcome, RefundProblem
from shop.promos import PromoProblem, PromoState
from shop.refusals import RefusalReason
from shop.storage import CancelOutcome, LedgerReason, OrderState, RefillState
from shop.texts import LOCALES_DIR, SUPPORTED_LOCALES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("handlers").rglob("*.py")]
LITERAL_KEYS = [
    re.compile(r'i18n\.get\(\s*"([a-z0-9-]+)"'),
    re.compile(r'texts\.get\(\s*[\w.]+,\s*"([a-z0-9-]+)"'),
    re.compile(r'InputProblem\(\s*"([a-z0-9-]+)"'),
    re.compile(r'"(alert-[a-z0-9-]+)"'),
]


def _dashed(value: str) -> str:
    return value.replace("_", "-")


def keys_used_in_code() -> set[str]:
    keys = {
        match
        for path in SOURCES
        for pattern in LITERAL_KEYS
        for match in pattern.findall(path.read_text(encoding="utf-8"))
    }
    # Keys built from a value: every value they can be built from.
    steps = [step for flow in FLOWS.values() for step in flow]
    keys |= {f"type-{t.value.lower().replace(' ', '-')}" for t in OrderType}
    keys |= {f"field-{_dashed(step.field)}" for step in steps}
    keys |= {f"ask-{_dashed(step.field)}" for step in steps}
    keys |= {
        f"ask-{_dashed(s.field)}-counted" for s in steps if s.answer is Answer.LINES and s.counted
    }
    keys |= {"ask-link-telegram"}
    keys |= {f"quote-refused-{_dashed(problem.value)}" for problem in QuoteProblem}
    keys |= {f"order-refused-{_dashed(reason.value)}" for reason in RefusalReason}
    keys |= {f"ledger-{_dashed(reason.value)}" for reason in LedgerReason}
    keys |= {f"export-reason-{_dashed(reason.value)}" for reason in LedgerReason}
    keys |= {f"export-{problem.value}" for problem in ExportProblem}
    keys |= {f"admin-export-kind-{kind.value}" for kind in ExportKind}
    keys |= {f"export-column-{name}" for name in CUSTOMER_COLUMNS}
    keys |= {"export-kind-order", "export-kind-movement"}
    keys |= {f"state-{_dashed(state.value)}" for state in OrderState}
    keys |= {f"command-{name}" for name in ("start", "support", "cancel", "export", "help")}
    keys |= {f"refill-state-{_dashed(state.value)}" for state in RefillState}
    keys |= {f"action-{_dashed(problem.value)}" for problem in ActionProblem}
    keys |= {f"reason-{_dashed(reason.value)}" for reason in RefusalReason}
    keys |= set(ORDER_NOTICES.values()) | set(REFILL_NOTICES.values())
    keys |= {f"topup-amount-{_dashed(problem.value)}" for problem in AmountProblem}
    keys |= {f"checkout-{_dashed(problem.value)}" for problem in CheckoutProblem}
    keys |= {f"admin-usage-{name}" for name in ADMIN_COMMANDS}
    keys |= {f"admin-button-{action}" for action in ("refresh", "refill", "cancel")}
    keys |= {f"admin-service-{switch}" for switch in ("on", "off")}
    keys |= {f"admin-{name}-done" for name in ("credit", "debit")}
    keys |= {
        f"admin-{command}-{outcome.value}"
        for command in ("ban", "unban")
        for outcome in (BanOutcome.DONE, BanOutcome.ALREADY)
    }
    keys |= {f"admin-refundstars-{_dashed(problem.value)}" for problem in RefundProblem}
    keys |= {f"admin-refundstars-{_dashed(outcome.value)}" for outcome in RefundOutcome}
    keys |= {f"admin-cancel-{outcome.value}" for outcome in CancelOutcome}
    keys |= {f"admin-manual-{_dashed(problem.value)}" for problem in ManualProblem}
    keys |= {"button-topup-stars", "button-topup-manual"}
    keys |= {
        "notice-manual-approved",
        "notice-manual-approved-changed",
        "notice-manual-rejected",
        "notice-manual-rejected-reason",
    }
    keys |= {"manual-post", "manual-post-approved", "manual-post-rejected"}
    keys |= {f"promo-{_dashed(problem.value)}" for problem in PromoProblem}
    keys |= {f"crypto-{_dashed(problem.value)}" for problem in CreateProblem}
    keys |= {f"admin-promo-state-{_dashed(state.value)}" for state in PromoState}
    keys |= {f"admin-chart-{kind.value}" for kind in CreditKind}
    keys |= {f"admin-desc-source-{source.value}" for source in DescriptionSource}
    return keys


def keys_of(locale: str) -> set[str]:
    keys: set[str] = set()
    parser = FluentParser()
    for path in sorted((LOCALES_DIR / locale).glob("*.ftl")):
        resource = parser.parse(path.read_text(encoding="utf-8"))
        junk = [entry for entry in resource.body if isinstance(entry, ast.Junk)]
        assert not junk, f"{path}: {junk[0].content[:80]!r}"
        for entry in resource.body:
            if isinstance(entry, ast.Message):
                assert entry.id.name not in keys, f"{path}: {entry.id.name} twice"
                keys.add(entry.id.name)
    return keys


def test_the_code_uses_keys_at_all() -> None:
    assert len(keys_used_in_code()) > 100


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_key_used_in_code_exists(locale: str) -> None:
    missing = keys_used_in_code() - keys_of(locale)
    assert not missing, f"missing in {locale}: {sorted(missing)}"


def test_the_languages_have_the_same_keys() -> None:
    english, russian = keys_of("en"), keys_of("ru")
    assert english - russian == set(), "only in en"
    assert russian - english == set(), "only in ru"
