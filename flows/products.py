"""The four Loket Housing products ("woonprocessen"), in order of routing precedence."""

from __future__ import annotations

from flows.texts import N_

__all__ = ["PRODUCTS", "PRODUCT_NAMES"]

# Order matters: the routing policy tries them in this order (shared/domain.md).
PRODUCTS: tuple[str, ...] = ("housing_justitieel", "housing_first", "housing_plus", "housing")

PRODUCT_NAMES: dict[str, str] = {
    "housing": N_("Housing"),
    "housing_plus": N_("Housing Plus"),
    "housing_first": N_("Housing First"),
    "housing_justitieel": N_("Housing Justitieel"),
}
