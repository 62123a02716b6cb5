"""The pay page the sandbox serves in place of Crypto Bot's invoice screen."""

from __future__ import annotations

from html import escape

from api.cryptopay.models import InvoiceStatus
from api.cryptopay.sandbox.records import SandboxInvoice


def pay_page(invoice: SandboxInvoice, *, auto_pay_after: float | None) -> str:
    """A page showing the invoice, with a button per accepted asset while it is active."""
    price = f"{invoice.amount} {invoice.fiat or invoice.asset or ''}".strip()
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Invoice {invoice.invoice_id} (sandbox)</title></head><body>",
        f"<h1>Invoice {invoice.invoice_id}: {escape(price)}</h1>",
        f"<p>{escape(invoice.description or '')}</p>",
        f"<p>Status: <strong>{invoice.status.value}</strong></p>",
    ]
    if invoice.status is InvoiceStatus.ACTIVE:
        if auto_pay_after is not None:
            lines.append(f"<p>This sandbox pays it by itself in {auto_pay_after:g} s.</p>")
        lines.append(f'<form method="post" action="/pay/{escape(invoice.hash)}">')
        lines.extend(
            f'<button name="asset" value="{escape(asset)}">Pay in {escape(asset)}</button>'
            for asset in invoice.accepted_assets or [invoice.asset or ""]
        )
        lines.append("</form>")
    elif invoice.status is InvoiceStatus.PAID:
        lines.append(f"<p>Paid {invoice.paid_amount} {escape(invoice.paid_asset or '')}.</p>")
    lines.append("</body></html>")
    return "\n".join(lines)
