"""The four Loket Housing products ("woonprocessen"), in order of routing precedence."""

from __future__ import annotations

from flows.texts import N_

__all__ = ["PRODUCTS", "PRODUCT_LINES", "PRODUCT_NAMES"]

# Order matters: the routing policy tries them in this order (shared/domain.md).
PRODUCTS: tuple[str, ...] = ("housing_justitieel", "housing_first", "housing_plus", "housing")

PRODUCT_NAMES: dict[str, str] = {
    "housing": N_("Housing"),
    "housing_plus": N_("Housing Plus"),
    "housing_first": N_("Housing First"),
    "housing_justitieel": N_("Housing Justitieel"),
}

# One plain line per product, so "Ons advies is Housing Plus" means something
# (shared/domain.md, "The four products"). Said to a person and to a professional alike.
PRODUCT_LINES: dict[str, str] = {
    "housing": N_(
        "Housing: een eigen huurwoning. Een zorgorganisatie helpt een jaar lang bij het wonen."
    ),
    "housing_plus": N_(
        "Housing Plus: een tweede kans op een huurwoning na klachten over overlast. Met "
        "duidelijke afspraken en begeleiding."
    ),
    "housing_first": N_(
        "Housing First: eerst een eigen woning, en daarbij veel hulp aan huis die past bij "
        "wat iemand nodig heeft."
    ),
    "housing_justitieel": N_(
        "Housing Justitieel: een eigen woning met veel hulp, na de gevangenis of na vaak "
        "contact met politie en justitie."
    ),
}
